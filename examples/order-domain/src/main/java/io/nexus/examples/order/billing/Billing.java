package io.nexus.examples.order.billing;

import io.nexus.core.bus.BusConsumer;
import io.nexus.core.event.EventEnvelope;
import io.nexus.examples.order.OrderModule;
import io.nexus.examples.order.domain.OrderConfirmed;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Billing, another service in a real deployment: it consumes the event bus's primary path and opens an
 * invoice for every confirmed order. Redelivered events (delivery is at-least-once) open nothing twice.
 * Thread-safe.
 */
public final class Billing implements BusConsumer {

    /** The bus consumer group billing reads as. */
    public static final String GROUP = "billing";

    private final String confirmed = OrderModule.eventTypes().byClass(OrderConfirmed.class).name();
    private final Set<String> invoiced = ConcurrentHashMap.newKeySet();

    @Override
    public void onEvent(EventEnvelope event) {
        if (event.eventType().equals(confirmed)) {
            invoiced.add(event.streamId());
        }
    }

    /** The orders invoiced so far. */
    public Set<String> invoiced() {
        return Set.copyOf(invoiced);
    }
}
