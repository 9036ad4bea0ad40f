package io.nexus.saga;

import io.nexus.core.NexusException;

/**
 * A saga could not make progress for a reason that retrying may cure (the store or a command's target
 * was unavailable, a concurrency conflict outlasted its retries). Nothing was skipped: the event or
 * timer that was being handled stays undelivered and is handled again on the next poll. The cause
 * holds the original failure.
 */
public class SagaProcessingException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final String sagaName;
    private final String sagaId;

    public SagaProcessingException(String sagaName, String sagaId, String what, Throwable cause) {
        super("Saga '" + sagaName + "' instance '" + sagaId + "' could not " + what + ": " + cause.getMessage()
                + "; it is retried on the next poll, fix the cause if it persists.", cause, true);
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
