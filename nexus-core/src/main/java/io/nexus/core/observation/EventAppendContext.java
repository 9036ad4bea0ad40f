package io.nexus.core.observation;

import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.SenderContext;

import java.util.HashMap;
import java.util.Map;

/**
 * The context of a command's append: a sender whose carrier is the metadata map every new event gets, so
 * a tracing handler writes the append's trace context there when the observation starts.
 */
public final class EventAppendContext extends SenderContext<Map<String, String>> {

    private final String aggregateType;
    private final String aggregateId;

    /** The context of appending to {@code aggregateType} {@code aggregateId}, starting from {@code metadata} (copied). */
    public EventAppendContext(String aggregateType, String aggregateId, Map<String, String> metadata) {
        super(EventTraceContext.SETTER, Kind.PRODUCER);
        this.aggregateType = aggregateType;
        this.aggregateId = aggregateId;
        setCarrier(new HashMap<>(metadata));
    }

    public String aggregateType() {
        return aggregateType;
    }

    public String aggregateId() {
        return aggregateId;
    }
}
