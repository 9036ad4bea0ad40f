package io.nexus.core.tracking;

import io.nexus.core.event.EventEnvelope;

import java.util.List;

/**
 * What a {@link LogTracker} hands the events of the global log to.
 *
 * <p>The tracker calls {@link #handle} from one thread at a time, with batches in global order that
 * never overlap and never skip an event. Returning normally moves the tracker past the batch; throwing
 * leaves it where it was, and the same events are handed over again after a backoff.
 */
@FunctionalInterface
public interface LogHandler {

    /**
     * Handles one batch.
     *
     * @param batch the next events of the log, in global order; never empty
     * @return the highest global position that may be stored as this consumer's checkpoint: every event
     *         up to it is done and never needs delivering again. Usually the last position of the batch;
     *         lower while an event is still being retried elsewhere (a projection's retries), or
     *         {@link LogTracker#NO_CHECKPOINT} to store nothing this time
     * @throws Exception to have the batch handed over again after a backoff
     */
    long handle(List<EventEnvelope> batch) throws Exception;
}
