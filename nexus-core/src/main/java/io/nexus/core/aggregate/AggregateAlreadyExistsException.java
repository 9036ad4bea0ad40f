package io.nexus.core.aggregate;

import io.nexus.core.NexusException;

/** A creating command named an aggregate that already has events. Permanent: choose a new id. */
public class AggregateAlreadyExistsException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final String aggregateType;
    private final String aggregateId;

    public AggregateAlreadyExistsException(String aggregateType, String aggregateId, long version) {
        super(aggregateType + " '" + aggregateId + "' already exists at version " + version
                + "; a creating command needs a new id.");
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
