package io.nexus.core.aggregate;

import io.nexus.core.NexusException;

/**
 * A historical load would exceed its resource bound (events replayed, or time). Stopped before it
 * could exhaust the process. Permanent for the same query: narrow it, or raise the bound.
 */
public class TemporalLimitExceededException extends NexusException {

    private static final long serialVersionUID = 1L;

    public TemporalLimitExceededException(String aggregateType, String aggregateId, String what, long limit) {
        super("Rebuilding " + aggregateType + " '" + aggregateId + "' needs more than " + limit + " " + what
                + ", the limit for historical queries; query a nearer version or raise the limit.");
    }
}
