package io.nexus.core.projection;

import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs tasks after a delay: the processor's only source of threads and time-based wake-ups, so that tests
 * can drive processing, retries and backoff with a controllable clock instead of sleeping.
 * Implementations are thread-safe; a task that throws is logged and does not stop later tasks.
 */
public interface TaskScheduler extends AutoCloseable {

    /**
     * Runs {@code task} once after {@code delay} (zero: as soon as possible).
     *
     * @throws java.util.concurrent.RejectedExecutionException if the scheduler is closed
     */
    Cancellable schedule(Runnable task, Duration delay);

    /** Stops running tasks. The default does nothing (for schedulers the caller owns). */
    @Override
    default void close() {
    }

    /** A scheduled task that can be cancelled; cancelling a task that ran is harmless. */
    @FunctionalInterface
    interface Cancellable {
        void cancel();
    }

    /** A scheduler with one daemon thread named {@code threadName}; {@link #close()} stops it. */
    static TaskScheduler singleThread(String threadName) {
        Objects.requireNonNull(threadName, "threadName");
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return new TaskScheduler() {
            @Override
            public Cancellable schedule(Runnable task, Duration delay) {
                Objects.requireNonNull(task, "task");
                ScheduledFuture<?> future = executor.schedule(() -> {
                    try {
                        task.run();
                    } catch (RuntimeException | Error e) {
                        LoggerFactory.getLogger(TaskScheduler.class).error("Scheduled task on {} failed", threadName, e);
                    }
                }, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
                return () -> future.cancel(false);
            }

            @Override
            public void close() {
                executor.shutdownNow();
            }
        };
    }
}
