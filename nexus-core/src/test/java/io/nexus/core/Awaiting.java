package io.nexus.core;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Bounded waits for nexus-core's own tests, which cannot use the test kit's {@code io.nexus.testkit.Await} (the test
 * kit depends on nexus-core): checks a condition until it holds, first every millisecond and then up to every
 * 50 ms, and fails with what it waited for when the bound runs out.
 */
public final class Awaiting {

    private static final Duration DEFAULT_BOUND = Duration.ofSeconds(10);

    private Awaiting() {
    }

    /** Waits up to 10 s until {@code condition} holds. */
    public static void until(String what, BooleanSupplier condition) {
        until(what, DEFAULT_BOUND, condition);
    }

    /** Waits up to {@code bound} until {@code condition} holds; fails the test otherwise or when interrupted. */
    public static void until(String what, Duration bound, BooleanSupplier condition) {
        long deadline = System.nanoTime() + bound.toNanos();
        long pause = TimeUnit.MILLISECONDS.toNanos(1);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + bound + " waiting until " + what);
            }
            LockSupport.parkNanos(pause);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted while waiting until " + what);
            }
            pause = Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(50));
        }
    }
}
