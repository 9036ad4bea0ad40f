package io.nexus.saga;

import io.nexus.core.NexusException;

/** An operation named a saga instance that has never started. Permanent: check the saga id. */
public class SagaNotFoundException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final String sagaName;
    private final String sagaId;

    public SagaNotFoundException(String sagaName, String sagaId) {
        super("Saga '" + sagaName + "' has no instance '" + sagaId + "'; check the id (it is the one extracted from the starting event).");
        this.sagaName = sagaName;
        this.sagaId = sagaId;
    }

    public String sagaName() {
        return sagaName;
    }

    public String sagaId() {
        return sagaId;
    }
}
