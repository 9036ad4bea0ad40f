package io.nexus.saga;

import io.nexus.core.NexusException;

/**
 * A saga could not make progress for a reason that retrying may cure (a concurrency conflict on the
 * instance outlasted its re-decisions, the validator or policy engine checking an emitted event was
 * unavailable). Transient. Nothing was skipped: the event or timer that was being handled stays
 * undelivered and is handled again (the log tracker hands the batch over again after a backoff, or the
 * next poll). The cause holds the original failure.
 */
public class SagaProcessingException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final String sagaName;
    private final String sagaId;

    public SagaProcessingException(String sagaName, String sagaId, String what, Throwable cause) {
        super("Saga '" + sagaName + "' instance '" + sagaId + "' could not " + what + ": " + cause.getMessage()
                + "; it is handled again after a backoff, fix the cause if it persists.", cause, true);
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
