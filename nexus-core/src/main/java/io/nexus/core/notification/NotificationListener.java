package io.nexus.core.notification;

/**
 * A client's receiver of notifications (a WebSocket session, a server-sent-event stream, a test).
 * Called on the hub's processing or scheduler thread: hand the notification to the transport and return;
 * do not block. An exception is logged and ignored.
 */
@FunctionalInterface
public interface NotificationListener {

    void onNotification(Notification notification);
}
