package io.nexus.core.projection;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A projection's health at one moment.
 *
 * @param projection      the projection's name
 * @param status          the overall verdict
 * @param position        the last global position processed (0 before the first)
 * @param headPosition    the store's head position when measured
 * @param lagEvents       how many positions the projection is behind the head (0 while {@link Status#STANDBY})
 * @param lagTime         how long the oldest unprocessed event has been waiting (zero when caught up, and while
 *                        {@link Status#STANDBY})
 * @param retrying        aggregates whose current event is failing and being retried
 * @param deadLetters     the projection's dead letters (each parks one aggregate)
 * @param lastProgressAt  when the projection last advanced
 * @param lastError       the last failure's class and message, or {@code null} if none happened
 */
public record ProjectionHealth(String projection, Status status, long position, long headPosition, long lagEvents,
                               Duration lagTime, int retrying, int deadLetters, Instant lastProgressAt, @Nullable String lastError) {

    /** The verdicts, most urgent first when several apply. */
    public enum Status {
        /** Not started, or stopped. */
        STOPPED,
        /**
         * Started, and standing by: another instance of the application holds the projection's lease and runs it
         * (or the lease store cannot be reached); this one takes over when that one stops or dies. Healthy.
         */
        STANDBY,
        /** Behind the head and no progress for longer than the processor's stall threshold. */
        STALLED,
        /**
         * At least one aggregate's event is failing and being retried, or the processing itself failed
         * (for example the dead-letter queue could not be reached) and waits out its backoff.
         */
        FAILING,
        /** Processing, but some aggregates are parked behind dead letters that need an operator. */
        DEAD_LETTERS,
        /** Processing normally. */
        RUNNING
    }

    /** Whether nothing needs attention: running normally, or standing by while another instance runs it. */
    public boolean healthy() {
        return status == Status.RUNNING || status == Status.STANDBY;
    }
}
