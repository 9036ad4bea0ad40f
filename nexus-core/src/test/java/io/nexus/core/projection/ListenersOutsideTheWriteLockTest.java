package io.nexus.core.projection;

import io.nexus.core.store.AppendResult;
import io.nexus.core.store.InMemoryEventStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.nexus.core.projection.Fixtures.CODEC;
import static io.nexus.core.projection.Fixtures.add;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Inline projections and notifications never run while the store holds its write lock, so a
 * listener that blocks does not hold up appends to other aggregates.
 */
class ListenersOutsideTheWriteLockTest {

    @ParameterizedTest
    @EnumSource(ProcessingMode.class)
    void aBlockedNotificationListenerDoesNotDelayAppendsToOtherAggregates(ProcessingMode mode) throws Exception {
        InMemoryEventStore store = InMemoryEventStore.create();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ProjectionListener blocking = (projection, event) -> {
            if (event.streamId().equals("cart-1")) {
                entered.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        Fixtures.Recorder recorder = new Fixtures.Recorder("carts");
        ExecutorService writers = Executors.newFixedThreadPool(2);
        try (ProjectionProcessor processor = ProjectionProcessor.builder(recorder, store, CODEC).mode(mode)
                .listener(blocking).pollInterval(Duration.ofMillis(50)).build()) {
            processor.start();
            Future<AppendResult> first = writers.submit(() -> add(store, "cart-1", "a"));
            assertTrue(entered.await(10, TimeUnit.SECONDS), "the listener was told of cart-1");

            Future<AppendResult> other = writers.submit(() -> add(store, "cart-2", "x"));
            AppendResult stored = other.get(10, TimeUnit.SECONDS);
            assertEquals(1, stored.newVersion());
            assertEquals(1, release.getCount(), "cart-2 was stored while the listener still held cart-1's notification");

            release.countDown();
            first.get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (recorder.items("cart-2").isEmpty()) {
                if (System.nanoTime() > deadline) {
                    fail("cart-2 was never applied; health " + processor.health());
                }
                Thread.onSpinWait();
            }
            assertEquals(List.of("a"), recorder.items("cart-1"));
            assertEquals(List.of("x"), recorder.items("cart-2"));
        } finally {
            release.countDown();
            writers.shutdownNow();
        }
    }
}
