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

    /**
     * Called by a tracker under a lease when it took the lease after {@link LogTracker#start} returned (it stood by,
     * or lost the lease and got it back), with the tracker's lock held, after the checkpoint was loaded and before
     * the first batch of the new term: another process may have handled events meanwhile, so forget what was kept
     * in memory about earlier batches. Does nothing by default; an exception is logged and the tracker goes on.
     */
    default void termStarted() {
    }

    /**
     * Called by a tracker under a lease when its term ended (a renewal was refused or did not come in time), with
     * the tracker's lock held, after the last batch of the term: stop work begun for earlier batches (retries),
     * since another process handles the consumer now. Does nothing by default; an exception is logged.
     */
    default void termEnded() {
    }
}
