package io.nexus.core.checkpoint;

import java.time.Instant;
import java.util.Objects;

/**
 * How far one consumer has got in one partition of a log.
 *
 * <p>The position is an opaque, non-blank token so that any log fits: a global position of an event
 * store ({@code "1042"}), a per-partition offset of the embedded bus, or a Kinesis sequence number
 * (which does not fit a {@code long}). Its meaning is "everything up to and including this position has
 * been handled"; resuming starts right after it.
 *
 * @param consumer  the consumer (projection name, or bus consumer group and path); not blank
 * @param partition the partition of the log (a shard id, or {@link #GLOBAL} for an unpartitioned log); not blank
 * @param position  the last handled position; not blank
 * @param updatedAt when the checkpoint was stored
 */
public record Checkpoint(String consumer, String partition, String position, Instant updatedAt) {

    /** The partition name of a log that has only one, such as an event store's global log. */
    public static final String GLOBAL = "global";

    public Checkpoint {
        requireText(consumer, "consumer");
        requireText(partition, "partition");
        requireText(position, "position");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /**
     * The position as a number, for logs whose positions are numbers.
     *
     * @throws IllegalStateException if the position is not a decimal {@code long}
     */
    public long positionAsLong() {
        try {
            return Long.parseLong(position);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Checkpoint of consumer '" + consumer + "' partition '" + partition
                    + "' holds position '" + position + "', which is not a number; read it with position()", e);
        }
    }

    static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank, but was '" + value + "'");
        }
    }
}
