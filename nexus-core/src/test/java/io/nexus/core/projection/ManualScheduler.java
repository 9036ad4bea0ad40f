package io.nexus.core.projection;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.PriorityQueue;

/**
 * A {@link TaskScheduler} and {@link Clock} driven by the test: nothing runs until the test calls
 * {@link #runDue()} or {@link #advance(Duration)}, and time moves only when the test moves it.
 */
public final class ManualScheduler extends Clock implements TaskScheduler {

    private record Task(long dueNanos, long seq, Runnable runnable, boolean[] cancelled) {
    }

    private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) -> a.dueNanos != b.dueNanos
            ? Long.compare(a.dueNanos, b.dueNanos) : Long.compare(a.seq, b.seq));
    private final Instant epoch = Instant.parse("2026-01-01T00:00:00Z");
    private long nowNanos;
    private long seq;

    @Override
    public synchronized Cancellable schedule(Runnable task, Duration delay) {
        boolean[] cancelled = {false};
        queue.add(new Task(nowNanos + Math.max(0, delay.toNanos()), seq++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    /** Runs every task due now, including those they schedule for now. */
    public void runDue() {
        while (true) {
            Task task;
            synchronized (this) {
                task = queue.peek();
                if (task == null || task.dueNanos > nowNanos) {
                    return;
                }
                queue.poll();
            }
            if (!task.cancelled[0]) {
                task.runnable.run();
            }
        }
    }

    /** Runs the next due task only; false if none was due. */
    public boolean runOne() {
        Task task;
        synchronized (this) {
            task = queue.peek();
            if (task == null || task.dueNanos > nowNanos) {
                return false;
            }
            queue.poll();
        }
        if (!task.cancelled[0]) {
            task.runnable.run();
        }
        return true;
    }

    /** Moves time forward by {@code duration}, running each task when its due time is reached. */
    public void advance(Duration duration) {
        long target = nowNanos + duration.toNanos();
        while (true) {
            runDue();
            Task next;
            synchronized (this) {
                next = queue.peek();
                if (next == null || next.dueNanos > target) {
                    nowNanos = target;
                    break;
                }
                nowNanos = next.dueNanos;
            }
        }
        runDue();
    }

    /** Moves time without running anything. */
    public synchronized void skip(Duration duration) {
        nowNanos += duration.toNanos();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the manual clock is UTC only");
    }

    @Override
    public synchronized Instant instant() {
        return epoch.plusNanos(nowNanos);
    }
}
