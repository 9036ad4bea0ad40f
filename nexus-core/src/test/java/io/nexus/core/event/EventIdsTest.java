package io.nexus.core.event;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fast ids: version-7 layout and time order, no repeats across threads, and derived ids that are stable and spread. */
class EventIdsTest {

    @Test
    void nextIsAVersion7UuidCarryingTheMillisecondItWasMadeAt() {
        UUID id = EventIds.next(1_700_000_000_123L);
        assertEquals(7, id.version());
        assertEquals(2, id.variant());
        assertEquals(1_700_000_000_123L, id.getMostSignificantBits() >>> 16);
    }

    @Test
    void idsOfLaterMillisecondsSortAfterEarlierOnes() {
        UUID earlier = EventIds.next(1_700_000_000_000L);
        UUID later = EventIds.next(1_700_000_000_001L);
        assertTrue(Long.compareUnsigned(earlier.getMostSignificantBits(), later.getMostSignificantBits()) < 0);
    }

    @Test
    void manyThreadsMakingIdsInTheSameMillisecondNeverRepeatOne() throws Exception {
        Set<UUID> all = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 50_000; i++) {
                        all.add(EventIds.next(42L));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(200_000, all.size());
    }

    @Test
    void derivedIdsAreStableAndDifferForEveryInput() {
        UUID command = UUID.fromString("0190f3a2-7b1c-7d4e-8f00-123456789abc");
        assertEquals(EventIds.derived(command, "order-1", 0), EventIds.derived(command, "order-1", 0));
        assertEquals(8, EventIds.derived(command, "order-1", 0).version());
        assertEquals(2, EventIds.derived(command, "order-1", 0).variant());

        Set<UUID> ids = new HashSet<>();
        for (int c = 0; c < 100; c++) {
            // Command ids that differ in one low bit only: the mix must still spread them apart.
            UUID near = new UUID(command.getMostSignificantBits(), command.getLeastSignificantBits() + c);
            for (String stream : new String[]{"order-1", "order-2", "order-10", "1-order", ""}) {
                for (int index = 0; index < 20; index++) {
                    ids.add(EventIds.derived(near, stream, index));
                }
            }
        }
        assertEquals(100 * 5 * 20, ids.size());
        assertNotEquals(EventIds.derived(command, "ab", 0), EventIds.derived(command, "ba", 0));
    }
}
