package io.nexus.core.snapshot;

import java.time.Duration;
import java.util.Objects;

/**
 * Decides after a successful command whether to take a snapshot. Triggers combine with
 * {@link #and} and {@link #or}: {@code everyEvents(100).or(loadTimeOver(Duration.ofMillis(5)))}.
 * A trigger is never consulted when no event was added since the last snapshot.
 */
@FunctionalInterface
public interface SnapshotTrigger {

    /** Whether to snapshot now. Must be cheap and side-effect free. */
    boolean shouldSnapshot(SnapshotMetrics metrics);

    /** Fires when at least {@code count} events were added since the last snapshot. */
    static SnapshotTrigger everyEvents(long count) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, but was " + count);
        }
        return m -> m.eventsSinceSnapshot() >= count;
    }

    /** Fires when the last snapshot (or the stream's first event) is at least {@code age} old. */
    static SnapshotTrigger olderThan(Duration age) {
        requirePositive(age, "age");
        return m -> m.timeSinceSnapshot().compareTo(age) >= 0;
    }

    /** Fires when a load reads at least {@code bytes} bytes (snapshot plus replayed events). */
    static SnapshotTrigger stateLargerThan(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("bytes must be >= 1, but was " + bytes);
        }
        return m -> m.stateSizeBytes() >= bytes;
    }

    /** Fires when loading the aggregate took at least {@code time}. */
    static SnapshotTrigger loadTimeOver(Duration time) {
        requirePositive(time, "time");
        return m -> m.loadTime().compareTo(time) >= 0;
    }

    /** Never fires. */
    static SnapshotTrigger never() {
        return m -> false;
    }

    /** Fires when both fire. */
    default SnapshotTrigger and(SnapshotTrigger other) {
        Objects.requireNonNull(other, "other");
        return m -> shouldSnapshot(m) && other.shouldSnapshot(m);
    }

    /** Fires when either fires. */
    default SnapshotTrigger or(SnapshotTrigger other) {
        Objects.requireNonNull(other, "other");
        return m -> shouldSnapshot(m) || other.shouldSnapshot(m);
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, but was " + d);
        }
    }
}
