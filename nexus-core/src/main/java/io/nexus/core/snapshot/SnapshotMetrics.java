package io.nexus.core.snapshot;

import java.time.Duration;

/**
 * What a {@link SnapshotTrigger} decides on, measured when an aggregate was loaded and saved.
 *
 * @param eventsSinceSnapshot events in the stream after the latest usable snapshot (all of them when there is none)
 * @param timeSinceSnapshot   time since the latest usable snapshot was taken (since the stream's first event when there is none)
 * @param stateSizeBytes      the serialized size of what a load reads: the snapshot state plus the events replayed after it
 * @param loadTime            how long the last load of the aggregate took
 */
public record SnapshotMetrics(long eventsSinceSnapshot, Duration timeSinceSnapshot, long stateSizeBytes,
                              Duration loadTime) {
}
