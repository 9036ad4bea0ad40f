package io.nexus.core.aggregate;

import io.nexus.core.NexusException;

/** A command for an existing aggregate named one that has no events. Permanent: create it first or fix the id. */
public class AggregateNotFoundException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final String aggregateType;
    private final String aggregateId;

    public AggregateNotFoundException(String aggregateType, String aggregateId) {
        super(aggregateType + " '" + aggregateId + "' does not exist; create it first or check the id.");
        this.aggregateType = aggregateType;
        this.aggregateId = aggregateId;
    }

    public String aggregateType() {
        return aggregateType;
    }

    public String aggregateId() {
        return aggregateId;
    }
}
