package io.nexus.core.store;

/** The change-capture role of an event store: listeners told of appends as they commit. */
@FunctionalInterface
public interface SubscribeToAppends {

    /**
     * Registers {@code listener} for appends committed from now on. Appends of one stream reach a
     * listener in version order. Closing the subscription stops delivery.
     */
    Subscription subscribe(AppendListener listener);
}
