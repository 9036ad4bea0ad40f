package io.nexus.core.store;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Which events of one stream to read: versions {@code fromVersion..toVersion} (both inclusive), only
 * those stored at or before {@code asOf} when it is set, at most {@code maxCount}, in version order.
 *
 * <p>Build with {@link #stream(String)} and the {@code with}-style methods:
 * {@code StreamQuery.stream("order-1").fromVersion(5).asOf(instant)}.
 */
public record StreamQuery(String streamId, long fromVersion, long toVersion, @Nullable Instant asOf, int maxCount) {

    public StreamQuery {
        Objects.requireNonNull(streamId, "streamId");
        if (fromVersion < 1) {
            throw new IllegalArgumentException("fromVersion must be >= 1, but was " + fromVersion);
        }
        if (toVersion < fromVersion - 1) {
            throw new IllegalArgumentException(
                    "toVersion must be >= fromVersion - 1, but was " + toVersion + " with fromVersion " + fromVersion);
        }
        if (maxCount < 0) {
            throw new IllegalArgumentException("maxCount must be >= 0, but was " + maxCount);
        }
    }

    /** All events of the stream. */
    public static StreamQuery stream(String streamId) {
        return new StreamQuery(streamId, 1, Long.MAX_VALUE, null, Integer.MAX_VALUE);
    }

    /** Starting at {@code version} (inclusive). */
    public StreamQuery fromVersion(long version) {
        return new StreamQuery(streamId, version, Math.max(toVersion, version - 1), asOf, maxCount);
    }

    /** Up to {@code version} (inclusive). */
    public StreamQuery toVersion(long version) {
        return new StreamQuery(streamId, fromVersion, version, asOf, maxCount);
    }

    /** Only events stored at or before {@code instant}. */
    public StreamQuery asOf(Instant instant) {
        return new StreamQuery(streamId, fromVersion, toVersion, Objects.requireNonNull(instant, "instant"), maxCount);
    }

    /** At most {@code count} events. */
    public StreamQuery limit(int count) {
        return new StreamQuery(streamId, fromVersion, toVersion, asOf, count);
    }
}
