package io.nexus.core.projection;

import java.time.Duration;

/**
 * How far a shadow rebuild has got.
 *
 * @param done           global positions processed since the rebuild started
 * @param total          positions from the rebuild's start to the store's current head
 * @param eventsPerSecond the average rate since the start (0 before any time has passed)
 * @param elapsed        time since the rebuild started
 * @param caughtUp       whether the shadow has reached the head, so it can be switched in
 */
public record RebuildProgress(long done, long total, double eventsPerSecond, Duration elapsed, boolean caughtUp) {

    /** {@code done / total} in 0..1 (1 for an empty log). */
    public double fraction() {
        return total == 0 ? 1.0 : Math.min(1.0, (double) done / total);
    }
}
