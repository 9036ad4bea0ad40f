package io.nexus.core.bus;

import org.jspecify.annotations.Nullable;
import java.util.Objects;

/**
 * A consumer group's health at one moment.
 *
 * @param group        the group's name
 * @param path         the path it consumes
 * @param status       the overall verdict
 * @param retrying     aggregates whose current event is failing and being retried
 * @param deadLetters  the group's dead letters
 * @param parkedEvents events parked behind those dead letters (always 0 on the secondary path)
 * @param lastError    the last failure's class and message, or {@code null} if none happened
 */
public record ConsumerGroupHealth(String group, BusPath path, Status status, int retrying, int deadLetters,
                                  int parkedEvents, @Nullable String lastError) {

    /** The verdicts, most urgent first when several apply. */
    public enum Status {
        /** Closed. */
        STOPPED,
        /** At least one aggregate's event is failing and being retried. */
        FAILING,
        /** Delivering, but some events wait in the dead-letter queue for an operator. */
        DEAD_LETTERS,
        /** Delivering normally. */
        RUNNING
    }

    public ConsumerGroupHealth {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(status, "status");
    }

    /** Whether nothing needs attention. */
    public boolean healthy() {
        return status == Status.RUNNING;
    }
}
