package io.nexus.testkit.contract;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/** Concurrency and waiting helpers shared by the contract suites. */
final class ContractSupport {

    /** How long a group of racing tasks may take before the case fails instead of hanging. */
    private static final Duration TASK_TIMEOUT = Duration.ofSeconds(60);

    private ContractSupport() {
    }

    /**
     * Runs {@code task(0..threads-1)} on {@code threads} threads released together, and returns each
     * task's result or the exception it threw, by index. An {@link Error} thrown by a task (a failed
     * assertion) is rethrown here.
     */
    static List<Object> runConcurrently(int threads, IntFunction<Object> task) {
        ExecutorService pool = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "contract-worker");
            thread.setDaemon(true);
            return thread;
        });
        try {
            CountDownLatch ready = new CountDownLatch(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Object>> futures = new ArrayList<>(threads);
            for (int i = 0; i < threads; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return task.apply(index);
                }));
            }
            awaitLatch(ready);
            go.countDown();
            long deadline = System.nanoTime() + TASK_TIMEOUT.toNanos();
            List<Object> outcomes = new ArrayList<>(threads);
            for (Future<Object> future : futures) {
                try {
                    outcomes.add(future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    outcomes.add(e.getCause());
                } catch (TimeoutException e) {
                    throw new AssertionError(threads + " concurrent tasks did not finish within " + TASK_TIMEOUT, e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for concurrent tasks", e);
                }
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(TASK_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("worker threads did not start within " + TASK_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while starting worker threads", e);
        }
    }

    /**
     * Waits on {@code monitor} until {@code condition} holds, at most {@code timeout}. The condition is
     * evaluated while holding the monitor; whoever changes its inputs must {@code notifyAll()} on it.
     *
     * @throws AssertionError naming {@code what} when the time runs out
     */
    static void awaitTrue(Object monitor, Duration timeout, BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            while (!condition.getAsBoolean()) {
                long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (remainingMillis <= 0) {
                    throw new AssertionError("Timed out after " + timeout + " waiting for " + what.get());
                }
                try {
                    monitor.wait(remainingMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for " + what.get(), e);
                }
            }
        }
    }

    /** Gives a store's clock a millisecond to move on. */
    static void pauseBriefly() {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
}
