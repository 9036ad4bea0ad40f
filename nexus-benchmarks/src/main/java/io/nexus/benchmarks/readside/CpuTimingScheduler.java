package io.nexus.benchmarks.readside;

import io.nexus.core.projection.TaskScheduler;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One daemon thread, as {@link TaskScheduler#singleThread}, that also adds up the CPU time its tasks used
 * (thread CPU time: time spent waiting for a core on a loaded machine is not in it). Thread-safe.
 */
final class CpuTimingScheduler implements TaskScheduler {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final TaskScheduler delegate;
    private final AtomicLong cpuNanos = new AtomicLong();

    CpuTimingScheduler(String threadName) {
        this.delegate = TaskScheduler.singleThread(threadName);
    }

    @Override
    public Cancellable schedule(Runnable task, Duration delay) {
        return delegate.schedule(() -> {
            long start = THREADS.getCurrentThreadCpuTime();
            try {
                task.run();
            } finally {
                cpuNanos.addAndGet(THREADS.getCurrentThreadCpuTime() - start);
            }
        }, delay);
    }

    /** The CPU time used by tasks so far, in nanoseconds. */
    long cpuNanos() {
        return cpuNanos.get();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
