package io.nexus.core.checkpoint;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InMemoryCheckpointStoreTest {

    private final Instant now = Instant.parse("2026-03-01T10:00:00Z");
    private final InMemoryCheckpointStore store = new InMemoryCheckpointStore(Clock.fixed(now, ZoneOffset.UTC));

    @Test
    void savesLoadsAndReplacesPerConsumerAndPartition() {
        assertEquals(Optional.empty(), store.load("orders", "p-0"));
        store.save("orders", "p-0", "10");
        store.save("orders", "p-1", "49590338271490256608559692538361571095921575989136588898");
        store.save("orders", "p-0", "7");
        store.save("audit", "p-0", "3");

        Checkpoint p0 = store.load("orders", "p-0").orElseThrow();
        assertEquals("7", p0.position(), "a save replaces the position, even backwards");
        assertEquals(7L, p0.positionAsLong());
        assertEquals(now, p0.updatedAt());
        assertEquals(Map.of("p-0", p0, "p-1", store.load("orders", "p-1").orElseThrow()), store.loadAll("orders"));
        IllegalStateException notANumber = assertThrows(IllegalStateException.class,
                () -> store.load("orders", "p-1").orElseThrow().positionAsLong());
        assertTrue(notANumber.getMessage().contains("'orders'"), notANumber.getMessage());

        store.reset("orders");
        assertEquals(Map.of(), store.loadAll("orders"));
        assertEquals("3", store.load("audit", "p-0").orElseThrow().position(), "other consumers keep theirs");
    }

    @Test
    void rejectsBlankNamesAndPositions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.save("orders", "p-0", " "));
        assertTrue(e.getMessage().contains("position"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> store.save("", "p-0", "1"));
        assertThrows(IllegalArgumentException.class, () -> store.load("orders", null));
        assertEquals(Map.of(), store.loadAll("orders"), "nothing stored on failure");
    }
}
