package io.nexus.core.observation;

import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.ReceiverContext;
import io.nexus.core.event.EventEnvelope;

/**
 * The context of a consumer handling one event: a receiver whose carrier is the event, so a tracing
 * handler continues the trace the event's metadata carries ({@link EventTraceContext}).
 */
public final class EventHandlingContext extends ReceiverContext<EventEnvelope> {

    private final String consumer;
    private final EventEnvelope event;

    /** The context of {@code consumer} handling {@code event}; neither is {@code null}. */
    public EventHandlingContext(String consumer, EventEnvelope event) {
        super(EventTraceContext.GETTER, Kind.CONSUMER);
        this.consumer = consumer;
        this.event = event;
        setCarrier(event);
    }

    /** The consumer group, projection or saga handling the event. */
    public String consumer() {
        return consumer;
    }

    /** The event being handled. */
    public EventEnvelope event() {
        return event;
    }
}
