package io.nexus.core.lease;

import io.nexus.core.projection.TaskScheduler;
import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.Objects;

/**
 * How an exclusive consumer (a projection, the event router, a saga) of one application instance takes its lease:
 * where, as whom and for how long. Nexus hands one to every such consumer it builds
 * ({@link io.nexus.core.lifecycle.NexusContext#consumerLease()}); a {@link io.nexus.core.tracking.LogTracker} given
 * one runs only while it holds the lease named after its consumer.
 *
 * @param store    the lease store every instance of the application shares
 * @param owner    this instance's id ({@link io.nexus.core.lifecycle.NexusContext#instanceId()}); not blank, and
 *                 different in every instance (two consumers with one owner both think they hold the lease)
 * @param duration how long a term lasts without renewal; positive. The holder renews every third of it; a dead
 *                 holder's consumers are taken over within about one and a half times it
 * @param renewals where renewals and the checks of a term's end run, so that they never wait for a batch being
 *                 handled (Nexus gives its consumers one thread for all their leases); {@code null}: on each
 *                 tracker's own scheduler, between its batches
 */
public record ConsumerLease(LeaseStore store, String owner, Duration duration, @Nullable TaskScheduler renewals) {

    /** The duration Nexus uses unless told otherwise: 15 s. */
    public static final Duration DEFAULT_DURATION = Duration.ofSeconds(15);

    /**
     * @throws IllegalArgumentException if {@code owner} is blank or {@code duration} is shorter than 3 ms
     */
    /** A lease renewed on each tracker's own scheduler, between its batches. */
    public ConsumerLease(LeaseStore store, String owner, Duration duration) {
        this(store, owner, duration, null);
    }

    public ConsumerLease {
        Objects.requireNonNull(store, "store");
        LeaseStore.requireText(owner, "owner");
        requireDuration(duration, "duration");
    }

    /**
     * Checks a consumer lease duration: long enough to be renewed every third of it.
     *
     * @return {@code value}
     * @throws NullPointerException     if {@code value} is {@code null}
     * @throws IllegalArgumentException if {@code value} is shorter than 3 ms
     */
    public static Duration requireDuration(Duration value, String what) {
        Objects.requireNonNull(value, what);
        if (value.compareTo(Duration.ofMillis(3)) < 0) {
            throw new IllegalArgumentException(what + " must be at least 3 ms, but was " + value);
        }
        return value;
    }
}
