package io.nexus.core.observation;

import org.jspecify.annotations.Nullable;
import io.micrometer.observation.transport.Propagator;
import io.nexus.core.event.EventEnvelope;

import java.util.Map;

/**
 * How trace context travels with an event: the W3C Trace Context headers ({@code traceparent},
 * {@code tracestate}) as entries of the event's metadata, written when the command's append is observed
 * and read by every consumer's observation. Because metadata is stored with the event and carried by
 * every engine (event store, change capture, bus records, dead letters), the trace of a request reaches
 * everything it caused, in any process. Which headers are written is up to the tracer's propagator; with
 * the OpenTelemetry bridge's default (W3C) they are these two, with Brave configure W3C propagation to get
 * the same.
 */
public final class EventTraceContext {

    /** The W3C {@code traceparent} metadata key. */
    public static final String TRACEPARENT = "traceparent";
    /** The W3C {@code tracestate} metadata key. */
    public static final String TRACESTATE = "tracestate";

    /** Writes a propagated header into a mutable metadata map. */
    public static final Propagator.Setter<Map<String, String>> SETTER = (carrier, key, value) -> {
        if (carrier != null) {
            carrier.put(key, value);
        }
    };

    /** Reads a propagated header from an event's metadata. */
    public static final Propagator.Getter<EventEnvelope> GETTER = (carrier, key) -> carrier.metadata().get(key);

    private EventTraceContext() {
    }

    /** The {@code traceparent} {@code event} carries, or {@code null}. */
    public static @Nullable String traceparent(EventEnvelope event) {
        return event.metadata().get(TRACEPARENT);
    }
}
