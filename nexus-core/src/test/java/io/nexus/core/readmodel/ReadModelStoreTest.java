package io.nexus.core.readmodel;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadModelStoreTest {

    record OrderView(String status, int lines) {
    }

    @Test
    void storesOnlyNewerVersionsSoRedeliveriesNeverRegressAReadModel() {
        InMemoryReadModelStore<OrderView> store = new InMemoryReadModelStore<>();
        assertTrue(store.put("order-1", new OrderView("placed", 0), 1));
        assertTrue(store.put("order-1", new OrderView("placed", 2), 3));
        assertFalse(store.put("order-1", new OrderView("placed", 1), 2), "a late event is ignored");
        assertFalse(store.put("order-1", new OrderView("other", 9), 3), "a redelivery is ignored");
        assertEquals(new Versioned<>("order-1", new OrderView("placed", 2), 3), store.get("order-1").orElseThrow());
        assertEquals(Optional.empty(), store.get("order-2"));
        store.put("order-2", new OrderView("placed", 1), 1);
        assertEquals(List.of("order-2", "order-1"), List.copyOf(store.getAll(List.of("order-2", "order-9", "order-1")).keySet()));
        assertEquals(2, store.count());
        assertTrue(store.delete("order-2"));
        assertFalse(store.delete("order-2"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> store.put("order-1", new OrderView("x", 0), -1));
        assertTrue(bad.getMessage().contains("'order-1'"), bad.getMessage());
        assertEquals(3, store.get("order-1").orElseThrow().version(), "nothing changed by the rejected write");
    }

    @Test
    void concurrentWritersLeaveTheHighestVersion() throws Exception {
        InMemoryReadModelStore<Integer> store = new InMemoryReadModelStore<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 5_000; i++) {
                        int v = ThreadLocalRandom.current().nextInt(1, 1000);
                        store.put("k", v, v);
                    }
                    store.put("k", 1000, 1000);
                }));
            }
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1000, store.get("k").orElseThrow().value());
    }

    @Test
    void theCacheServesRepeatedReadsExposesItsHitRateAndNeverServesAValueOlderThanTheLastWrite() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        InMemoryReadModelStore<OrderView> backing = new InMemoryReadModelStore<>();
        CachingReadModelStore<OrderView> store = new CachingReadModelStore<>(backing,
                NexusCache.builder("orders").maximumSize(100).meterRegistry(registry).build());
        store.put("order-1", new OrderView("placed", 1), 1);

        for (int i = 0; i < 4; i++) {
            assertEquals(1, store.get("order-1").orElseThrow().version());
        }
        assertEquals(0.75, store.cache().hitRate(), 1e-9, "1 miss then 3 hits");
        assertEquals(3.0, registry.get("cache.gets").tag("cache", "orders").tag("result", "hit").functionCounter().count());
        assertEquals(1.0, registry.get("cache.gets").tag("cache", "orders").tag("result", "miss").functionCounter().count());

        store.put("order-1", new OrderView("shipped", 1), 2);
        assertEquals(new OrderView("shipped", 1), store.get("order-1").orElseThrow().value(), "the write dropped the stale entry");
        assertFalse(store.put("order-1", new OrderView("placed", 1), 1));
        assertEquals(2, store.get("order-1").orElseThrow().version());

        assertEquals(Optional.empty(), store.get("order-404"));
        backing.put("order-404", new OrderView("placed", 0), 1);
        assertTrue(store.get("order-404").isPresent(), "absent ids are not cached");
        assertEquals(Map.of("order-1", store.get("order-1").orElseThrow()), store.getAll(List.of("order-1", "order-x")));
        assertTrue(store.delete("order-1"));
        assertEquals(Optional.empty(), store.get("order-1"));
    }

    @Test
    void theCacheKeepsAtMostItsMaximumSize() {
        NexusCache<Integer, String> cache = NexusCache.builder("bounded").maximumSize(10).build();
        for (int i = 0; i < 1_000; i++) {
            cache.put(i, "v" + i);
        }
        cache.cleanUp();
        assertTrue(cache.size() <= 10, "size " + cache.size());
        assertTrue(cache.stats().evictionCount() >= 990, "evictions " + cache.stats().evictionCount());
        assertEquals("loaded", cache.get(5_000, k -> "loaded"));
        assertThrows(IllegalArgumentException.class, () -> NexusCache.builder(" "));
        assertThrows(IllegalArgumentException.class, () -> NexusCache.builder("x").maximumSize(-1));
    }
}
