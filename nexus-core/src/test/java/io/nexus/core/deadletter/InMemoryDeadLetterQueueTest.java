package io.nexus.core.deadletter;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InMemoryDeadLetterQueueTest {

    private final InMemoryDeadLetterQueue queue = new InMemoryDeadLetterQueue();
    private final Instant t0 = Instant.parse("2026-03-01T10:00:00Z");

    private static EventEnvelope event(String stream, long version) {
        return new EventEnvelope(UUID.randomUUID(), stream, "Cart", version, version, "ItemAdded", 1, Instant.EPOCH, null,
                null, Map.of(), EventPayload.ofJson("{}"));
    }

    @Test
    void listsPerConsumerOldestFirstFindsReplacesAndRemoves() {
        DeadLetter late = DeadLetter.of("carts", event("cart-2", 1), new IllegalStateException("late"), 5, t0.plusSeconds(5), t0.plusSeconds(6));
        DeadLetter early = DeadLetter.of("carts", event("cart-1", 1), new IllegalStateException("early"), 5, t0, t0.plusSeconds(1));
        DeadLetter other = DeadLetter.of("prices", event("p-1", 1), new IllegalArgumentException("x"), 3, t0, t0);
        queue.put(late);
        queue.put(early);
        queue.put(other);

        assertEquals(List.of(early, late), queue.list("carts"));
        assertEquals(1, queue.count("prices"));
        DeadLetter again = early.failedAgain(new UnsupportedOperationException("still broken"), t0.plusSeconds(60));
        queue.put(again);
        DeadLetter stored = queue.find(early.id()).orElseThrow();
        assertEquals(6, stored.attempts());
        assertEquals(UnsupportedOperationException.class.getName(), stored.causeType());
        assertEquals("still broken", stored.causeMessage());
        assertEquals(t0, stored.firstFailedAt());
        assertTrue(stored.causeTrace().contains("UnsupportedOperationException"));

        assertTrue(queue.remove(early.id()));
        assertFalse(queue.remove(early.id()));
        assertEquals(Optional.empty(), queue.find(early.id()));
        assertEquals(List.of(late), queue.list("carts"));
    }

    @Test
    void rejectsIncompleteDeadLetters() {
        assertThrows(IllegalArgumentException.class, () -> DeadLetter.of(" ", event("c", 1), new RuntimeException(), 1, t0, t0));
        assertThrows(IllegalArgumentException.class, () -> DeadLetter.of("carts", event("c", 1), new RuntimeException(), 0, t0, t0));
        assertThrows(NullPointerException.class, () -> queue.put(null));
    }
}
