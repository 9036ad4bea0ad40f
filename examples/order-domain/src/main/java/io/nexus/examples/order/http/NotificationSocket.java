package io.nexus.examples.order.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import io.nexus.core.notification.Notification;
import io.nexus.core.notification.NotificationHub;
import io.nexus.core.observation.NexusObservation;
import io.nexus.core.store.Subscription;
import io.nexus.examples.order.fulfilment.FulfilmentProgress;
import io.nexus.examples.order.projection.OrderSummaryProjection;
import org.eclipse.jetty.websocket.api.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Notifications over WebSocket at {@code /ws/notifications[?clientId=...]}.
 *
 * <pre>
 * client → {"type":"subscribe","orderId":"order-1","lastVersion":3}   one order; lastVersion 0 for a new client
 * client → {"type":"subscribe","list":true}                           every order the read model changes, and
 *                                                                      fulfilment progress (payment-, reservation-, shipment-&lt;orderId&gt;)
 * client → {"type":"unsubscribe","orderId":"order-1"} / {"type":"unsubscribe","list":true}
 * server → {"type":"notification","aggregateId":"order-1","version":4,"eventType":"OrderConfirmed","projection":"order-summaries"}
 * server → {"type":"subscribed",...} / {"type":"error","message":...}
 * </pre>
 *
 * A reconnecting client subscribes with the last version it saw and at once gets the latest one if it
 * missed any (the hub remembers the latest version of every order). Notifications are throttled per
 * client by the hub (coalesced per order beyond its rate, so the latest version always arrives); a client
 * whose socket does not keep up with even that is disconnected instead of buffering without bound.
 *
 * <p>Observed: every notification sent is an observation ({@value #SEND_OBSERVATION}, span
 * {@code websocket send order-confirmed}, keys {@code projection} and {@code outcome}: {@code sent}, {@code failed},
 * {@code closed} (the client had gone), {@code too-slow}), a child of the hub's {@code notify} observation and so in
 * the trace of the command that caused the event; the meters {@value #SESSIONS} (open connections) and
 * {@value #NOTIFICATIONS} (by outcome) are registered in the app's meter registry (docs/observability.md).
 */
final class NotificationSocket {

    /** At most this many order subscriptions per connection. */
    static final int MAX_SUBSCRIPTIONS = 200;

    /** Messages queued on one connection before it counts as too slow and is closed. */
    static final int MAX_QUEUED = 512;

    /** The observation of one notification sent to a client. */
    static final String SEND_OBSERVATION = "websocket.notification.send";

    /** The gauge of open notification sockets. */
    static final String SESSIONS = "order.websocket.sessions";

    /** The counter of notifications, by outcome (sent, failed, closed, too-slow). */
    static final String NOTIFICATIONS = "order.websocket.notifications";

    private static final Logger log = LoggerFactory.getLogger(NotificationSocket.class);

    private final NotificationHub hub;
    private final ObservationRegistry observations;
    private final MeterRegistry meters;
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();

    NotificationSocket(NotificationHub hub, ObservationRegistry observations, MeterRegistry meters) {
        this.hub = hub;
        this.observations = observations;
        this.meters = meters;
        Gauge.builder(SESSIONS, connections, Map::size).description("Open WebSocket notification connections")
                .baseUnit("sessions").register(meters);
    }

    void configure(WsConfig ws) {
        ws.onConnect(ctx -> {
            String clientId = ctx.queryParam("clientId");
            if (clientId == null || !Requests.ID.matcher(clientId).matches()) {
                clientId = "ws-" + ctx.sessionId();
            }
            connections.put(ctx.sessionId(), new Connection(ctx, clientId));
        });
        ws.onMessage(ctx -> {
            Connection connection = connections.get(ctx.sessionId());
            if (connection != null) {
                connection.onMessage(ctx.message());
            }
        });
        ws.onClose(ctx -> close(ctx.sessionId()));
        ws.onError(ctx -> close(ctx.sessionId()));
    }

    /** How many connections are open. */
    int connections() {
        return connections.size();
    }

    private void close(String sessionId) {
        Connection connection = connections.remove(sessionId);
        if (connection != null) {
            connection.closeSubscriptions();
        }
    }

    private final class Connection {
        private final WsContext ctx;
        private final String clientId;
        private final Map<String, Subscription> orders = new ConcurrentHashMap<>();
        private volatile Subscription list;
        private volatile Subscription progress;
        private final AtomicInteger queued = new AtomicInteger();

        Connection(WsContext ctx, String clientId) {
            this.ctx = ctx;
            this.clientId = clientId;
        }

        synchronized void onMessage(String text) {
            JsonNode message;
            try {
                message = Requests.MAPPER.readTree(text);
            } catch (IOException e) {
                error("a message must be a JSON object");
                return;
            }
            String type = message.path("type").asText("");
            boolean wantsList = message.path("list").asBoolean(false);
            String orderId = message.path("orderId").asText(null);
            if (!type.equals("subscribe") && !type.equals("unsubscribe")) {
                error("'type' must be 'subscribe' or 'unsubscribe'");
                return;
            }
            if (!wantsList && (orderId == null || !Requests.ID.matcher(orderId).matches())) {
                error("give 'orderId' (1..64 letters, digits, '.', '_', '-') or \"list\": true");
                return;
            }
            if (type.equals("unsubscribe")) {
                Subscription gone = wantsList ? list : orders.remove(orderId);
                if (wantsList) {
                    list = null;
                    if (progress != null) {
                        progress.close();
                        progress = null;
                    }
                }
                if (gone != null) {
                    gone.close();
                }
                return;
            }
            ObjectNode ack = Requests.MAPPER.createObjectNode().put("type", "subscribed");
            if (wantsList) {
                if (list == null) {
                    list = hub.subscribeToProjection(clientId, OrderSummaryProjection.NAME, this::send);
                    progress = hub.subscribeToProjection(clientId, FulfilmentProgress.NAME, this::send);
                }
                ack.put("list", true);
            } else {
                long lastVersion = Math.max(0, message.path("lastVersion").asLong(0));
                if (!orders.containsKey(orderId) && orders.size() >= MAX_SUBSCRIPTIONS) {
                    error("at most " + MAX_SUBSCRIPTIONS + " orders per connection; unsubscribe from some first");
                    return;
                }
                Subscription previous = orders.remove(orderId);
                if (previous != null) {
                    previous.close();
                }
                ack.put("orderId", orderId).put("lastVersion", lastVersion);
                write(ack.toString());
                orders.put(orderId, hub.subscribe(clientId, orderId, lastVersion, this::send));
                return;
            }
            write(ack.toString());
        }

        void send(Notification n) {
            String text = Requests.MAPPER.createObjectNode().put("type", "notification").put("aggregateId", n.aggregateId())
                    .put("version", n.version()).put("eventType", n.eventType()).put("projection", n.projection()).toString();
            // A child of the current observation: the hub's notify, which continues the trace of the event's command.
            Observation observation = observations.isNoop() ? Observation.NOOP
                    : Observation.createNotStarted(SEND_OBSERVATION, observations)
                    .contextualName(NexusObservation.contextualName("websocket send", n.eventType()))
                    .lowCardinalityKeyValue("projection", n.projection()).start();
            write(text, outcome -> {
                observation.lowCardinalityKeyValue("outcome", outcome).stop();
                Counter.builder(NOTIFICATIONS).description("Notifications sent to WebSocket clients, by outcome")
                        .tag("outcome", outcome).register(meters).increment();
            });
        }

        private void error(String message) {
            write(Requests.MAPPER.createObjectNode().put("type", "error").put("message", message).toString());
        }

        private void write(String text) {
            write(text, outcome -> { });
        }

        /** Sends {@code text}; {@code done} gets the outcome: sent, failed, closed or too-slow. */
        private void write(String text, Consumer<String> done) {
            if (!ctx.session.isOpen()) {
                done.accept("closed");
                return;
            }
            if (queued.incrementAndGet() > MAX_QUEUED) {
                log.info("Closing notification socket of client '{}': {} messages queued, it does not keep up", clientId, MAX_QUEUED);
                ctx.closeSession(1008, "too slow: notifications are not being read");
                done.accept("too-slow");
                return;
            }
            ctx.session.sendText(text, Callback.from(() -> {
                queued.decrementAndGet();
                done.accept("sent");
            }, failure -> {
                queued.decrementAndGet();
                done.accept("failed");
            }));
        }

        void closeSubscriptions() {
            orders.values().forEach(Subscription::close);
            orders.clear();
            for (Subscription s : new Subscription[]{list, progress}) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }
}
