package io.nexus.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Bounded waits for what happens asynchronously in a test: a projection catching up, a consumer receiving, a
 * background process reporting. {@link #until} checks a condition again and again, first every millisecond,
 * then less often (up to every 50 ms, so that a condition that calls an engine does not flood it), until it
 * holds, and fails the test with what it waited for when the bound runs out. No fixed sleeps: a fast outcome is
 * seen within a millisecond or two, a slow machine gets the whole bound.
 *
 * <pre>{@code
 * Await.until("the summary shows the order as shipped", Duration.ofSeconds(10),
 *         () -> summaries.find(orderId).map(s -> s.status() == SHIPPED).orElse(false));
 * }</pre>
 *
 * Stateless and thread-safe.
 */
public final class Await {

    /** The bound of {@link #until(String, Callable)}: 10 seconds. */
    public static final Duration DEFAULT_BOUND = Duration.ofSeconds(10);

    private static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long LONGEST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private Await() {
    }

    /**
     * Waits up to {@link #DEFAULT_BOUND} until {@code condition} returns {@code true}.
     *
     * @see #until(String, Duration, Callable)
     */
    public static void until(String what, Callable<Boolean> condition) {
        until(what, DEFAULT_BOUND, condition);
    }

    /**
     * Waits until {@code condition} returns {@code true}, checking it on the calling thread.
     *
     * @param what      what is awaited, as the failure message says it: "Timed out after PT10S waiting until " + what
     * @param bound     how long to wait at most; positive
     * @param condition checked at once and then after each pause; an exception it throws fails the wait at once,
     *                  as the cause of the {@link AssertionError}
     * @throws AssertionError when {@code bound} passes without the condition holding, when the condition throws, or
     *                        when the thread is interrupted (its interrupt status is kept)
     * @throws IllegalArgumentException if {@code bound} is not positive
     */
    public static void until(String what, Duration bound, Callable<Boolean> condition) {
        Objects.requireNonNull(what, "what");
        Objects.requireNonNull(condition, "condition");
        if (bound.isNegative() || bound.isZero()) {
            throw new IllegalArgumentException("bound must be positive, but was " + bound);
        }
        long deadline = System.nanoTime() + bound.toNanos();
        long pause = FIRST_PAUSE_NANOS;
        while (!holds(what, condition)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("Timed out after " + bound + " waiting until " + what);
            }
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(pause, left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted while waiting until " + what, e);
            }
            pause = Math.min(pause * 2, LONGEST_PAUSE_NANOS);
        }
    }

    private static boolean holds(String what, Callable<Boolean> condition) {
        try {
            return Boolean.TRUE.equals(condition.call());
        } catch (Exception e) {
            throw new AssertionError("Failed while waiting until " + what + ": " + e, e);
        }
    }
}
