package io.nexus.examples.order.system;

import io.nexus.core.NexusException;
import io.nexus.core.retry.RetryPolicy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * Sends steps of the {@link Workload} to a system from several threads: the steps of one order in index
 * order on one thread, different orders in parallel. A transient failure is sent again with the same
 * command id; every other failure fails the drive. A step whose earlier outcome is unknown (sent by a
 * process that was killed) is simply sent again: the command id makes the re-send answer "already applied"
 * if it was.
 */
final class Driver {

    /** Transient failures are sent again at once, up to ten tries: the store's own retries have waited already. */
    private static final RetryPolicy RESEND = RetryPolicy.custom().maxAttempts(10).initialDelay(Duration.ZERO)
            .maxDelay(Duration.ZERO).build();

    private Driver() {
    }

    /**
     * Sends {@code steps} with {@code threads} threads, calling {@code done} with each index once its command
     * succeeded; returns when all are sent.
     *
     * @throws IllegalStateException with the first failure
     */
    static void drive(OrderSystem system, List<Workload.Step> steps, int threads, IntConsumer done)
            throws Exception {
        Map<String, List<Workload.Step>> byOrder = new LinkedHashMap<>();
        for (Workload.Step step : steps) {
            byOrder.computeIfAbsent(step.orderId(), k -> new ArrayList<>()).add(step);
        }
        List<List<Workload.Step>> lanes = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            lanes.add(new ArrayList<>());
        }
        int i = 0;
        for (List<Workload.Step> orderSteps : byOrder.values()) {
            lanes.get(i++ % threads).addAll(orderSteps);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (List<Workload.Step> lane : lanes) {
                futures.add(pool.submit(() -> {
                    for (Workload.Step step : lane) {
                        send(system, step);
                        done.accept(step.index());
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void send(OrderSystem system, Workload.Step step) {
        try {
            RESEND.execute(() -> system.send(step), e -> e instanceof NexusException n && n.isTransient());
        } catch (Exception e) {
            throw failed(step, e);
        }
    }

    private static IllegalStateException failed(Workload.Step step, Exception e) {
        return new IllegalStateException("step " + step.index() + " (" + step.command() + ") failed", e);
    }
}
