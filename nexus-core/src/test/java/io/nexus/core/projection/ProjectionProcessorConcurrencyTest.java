package io.nexus.core.projection;

import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.store.InMemoryEventStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.nexus.core.projection.Fixtures.CODEC;
import static io.nexus.core.projection.Fixtures.add;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Real threads: concurrent writers, the processor's own thread, transient failures on the way. */
class ProjectionProcessorConcurrencyTest {

    @ParameterizedTest
    @EnumSource(ProcessingMode.class)
    void concurrentAppendsWithTransientFailuresAreAllAppliedInOrderPerAggregate(ProcessingMode mode) throws Exception {
        InMemoryEventStore store = InMemoryEventStore.create();
        int streams = 20;
        int perStream = 50;
        Fixtures.Recorder recorder = new Fixtures.Recorder("carts");
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        recorder.failWhen = e -> e.version() % 7 == 0 && failedOnce.add(e.idempotencyKey());
        RetryPolicy fast = RetryPolicy.custom().maxAttempts(5).initialDelay(Duration.ofMillis(1))
                .maxDelay(Duration.ofMillis(5)).jitter(0.5).build();
        try (ProjectionProcessor processor = ProjectionProcessor.builder(recorder, store, CODEC).mode(mode).retry(fast)
                .batchSize(64).pollInterval(Duration.ofMillis(50)).build()) {
            processor.start();
            ExecutorService writers = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int w = 0; w < 4; w++) {
                    int writer = w;
                    futures.add(writers.submit(() -> {
                        for (int v = 1; v <= perStream; v++) {
                            for (int s = writer; s < streams; s += 4) {
                                add(store, "cart-" + s, "item-" + v);
                            }
                        }
                    }));
                }
                for (Future<?> future : futures) {
                    future.get(60, TimeUnit.SECONDS);
                }
            } finally {
                writers.shutdownNow();
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (recorder.applied.size() < streams * perStream) {
                if (System.nanoTime() > deadline) {
                    fail("only " + recorder.applied.size() + " of " + streams * perStream + " applied; health " + processor.health());
                }
                Thread.sleep(5);
            }
            List<String> expected = new ArrayList<>();
            for (int v = 1; v <= perStream; v++) {
                expected.add("item-" + v);
            }
            for (int s = 0; s < streams; s++) {
                assertEquals(expected, recorder.items("cart-" + s), "order of cart-" + s);
            }
            assertTrue(processor.deadLetters().isEmpty());
            assertEquals(streams * (perStream / 7), failedOnce.size(), "every seventh event failed once and was retried");
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (processor.position() < store.headPosition() && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            assertEquals(store.headPosition(), processor.position());
            Map<String, Long> deliveries = new ConcurrentHashMap<>();
            recorder.deliveries.forEach(key -> deliveries.merge(key, 1L, Long::sum));
            assertEquals(streams * perStream, deliveries.size());
        }
    }
}
