package io.nexus.core.projection;

import io.micrometer.observation.ObservationRegistry;

import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.deadletter.DeadLetterQueue;
import io.nexus.core.internal.NexusMetrics;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.store.EventStore;
import io.nexus.core.lease.ConsumerLease;
import io.nexus.core.tracking.LogTracker;
import org.jspecify.annotations.Nullable;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;

/**
 * What the parts of one {@link ProjectionProcessor} share. {@code lock} guards every projection
 * instance's processing state (parking, seen versions); it is taken inside a tracker's handler, so
 * nobody may stop or start a tracker while holding it. {@code lease}: how the trackers take their consumer's
 * lease, or {@code null} to run without one.
 */
record ProcessorSettings(String name, EventStore store, EventCodec codec, CheckpointStore checkpoints,
                         DeadLetterQueue deadLetters, boolean checkpointPastVolatileDeadLetters, RetryPolicy retry,
                         TaskScheduler scheduler, Clock clock, RandomGenerator random, int batchSize, Duration pollInterval,
                         NexusMetrics metrics, List<ProjectionListener> listeners, ReentrantLock lock,
                         ObservationRegistry observations, @Nullable ConsumerLease lease) {

    /** A tracker of the store's log for {@code consumer} on the processor's scheduler and options. */
    LogTracker tracker(String consumer, boolean inline) {
        LogTracker.Builder builder = LogTracker.builder(consumer, store, store, checkpoints).scheduler(scheduler)
                .batchSize(batchSize).pollInterval(pollInterval).random(random).inline(inline);
        if (metrics.registry() != null) {
            builder.meterRegistry(metrics.registry());
        }
        if (lease != null) {
            builder.lease(lease);
        }
        return builder.build();
    }

    /** Whether the checkpoint may pass a dead letter: the queue keeps it across a restart, or the user said so. */
    boolean deadLettersOutliveTheProcess() {
        return deadLetters.isDurable() || checkpointPastVolatileDeadLetters;
    }
}
