package io.nexus.core.observation;

import io.micrometer.observation.Observation;
import io.nexus.core.event.EventEnvelope;

import java.util.List;
import java.util.Objects;

/**
 * The context of a batch of events handled as one unit (the router's publish). The events belong to many
 * traces, so the batch's span is not a child of any of them: {@link #traceparents()} gives their trace
 * contexts, for a tracing handler to add as span links.
 */
public final class EventBatchContext extends Observation.Context {

    private final String consumer;
    private final List<EventEnvelope> events;

    /** The context of {@code consumer} handling {@code events} (not copied: the caller does not change them). */
    public EventBatchContext(String consumer, List<EventEnvelope> events) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.events = Objects.requireNonNull(events, "events");
    }

    public String consumer() {
        return consumer;
    }

    public List<EventEnvelope> events() {
        return events;
    }

    /** The distinct {@code traceparent}s of the batch's events, in event order; events without one are left out. */
    public List<String> traceparents() {
        return events.stream().map(EventTraceContext::traceparent).filter(Objects::nonNull).distinct().toList();
    }
}
