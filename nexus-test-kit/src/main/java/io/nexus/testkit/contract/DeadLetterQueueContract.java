package io.nexus.testkit.contract;

import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.deadletter.DeadLetterQueue;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

import static io.nexus.testkit.contract.ContractSupport.runConcurrently;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every {@link DeadLetterQueue} implementation must meet, as a JUnit 5 suite.
 *
 * <p>An implementation runs it by subclassing and supplying a fresh, empty queue per test:
 * <pre>{@code
 * class InMemoryDeadLetterQueueContractTest extends DeadLetterQueueContract {
 *     @Override
 *     protected DeadLetterQueue createQueue() {
 *         return new InMemoryDeadLetterQueue();
 *     }
 * }
 * }</pre>
 * Every case is inherited through the {@link Nested} groups below; none may be overridden to skip it.
 * {@link #createQueue()} is called before every test (do per-test setup such as a fresh table inside it);
 * a queue that is {@link AutoCloseable} is closed after each test. The queue must be thread-safe.
 *
 * <p>What it checks: {@link Letters} (every field round-trips, a consumer's letters oldest first with ties
 * by global position, put replaces by id also across consumers, remove, count, large letters),
 * {@link Parking} (parked events per consumer and stream in version order, parking twice is a no-op,
 * unpark through a version, parked events kept until unparked, many parked events) and {@link BadInput}.
 */
public abstract class DeadLetterQueueContract {

    private static final Instant T0 = Instant.parse("2026-11-30T08:00:00.123456789Z");

    private DeadLetterQueue queue;

    /**
     * A new, empty queue. Called once before every test; never returns {@code null}.
     *
     * @return the queue under test
     */
    protected abstract DeadLetterQueue createQueue();

    /**
     * The queue of the running test, as {@link #createQueue()} returned it.
     *
     * @return the queue under test
     */
    protected final DeadLetterQueue queue() {
        return queue;
    }

    /** Creates the queue for the next test through {@link #createQueue()}. */
    @BeforeEach
    protected final void createFreshQueue() {
        queue = Objects.requireNonNull(createQueue(), "createQueue() returned null");
    }

    /**
     * Closes the queue of the finished test when it is {@link AutoCloseable}.
     *
     * @throws Exception whatever the queue's {@code close()} throws
     */
    @AfterEach
    protected final void closeQueue() throws Exception {
        if (queue instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    /** Storing, listing and removing dead letters. */
    @Nested
    @DisplayName("dead letters")
    public class Letters {

        @Test
        @DisplayName("a dead letter is found by id with every field, its event included")
        void roundTripsEveryField() {
            String consumer = newConsumer();
            EventEnvelope event = new EventEnvelope(UUID.randomUUID(), "order-" + UUID.randomUUID(), "Order", 7, 1042,
                    "OrderPlaced", 3, T0, "corr-1", "cause-1", Map.of("tenant", "acme", "user", "ü-42"),
                    EventPayload.ofJson("{\"orderId\":\"o-1\",\"total\":12.5}"));
            DeadLetter letter = new DeadLetter(UUID.randomUUID(), consumer, event, "java.lang.IllegalStateException",
                    "boom: 'o-1' not found", "java.lang.IllegalStateException: boom\n\tat x.y(Z.java:1)", 4,
                    T0.plusSeconds(1), T0.plusSeconds(9).plusNanos(1));
            queue.put(letter);

            assertEquals(Optional.of(letter), queue.find(letter.id()), "find by id");
            assertEquals(List.of(letter), queue.list(consumer), "list of the consumer");
            assertEquals(1, queue.count(consumer), "count");
            assertEquals(Optional.empty(), queue.find(UUID.randomUUID()), "find of an unknown id");
        }

        @Test
        @DisplayName("an event without global position, correlation, causation or metadata round-trips too")
        void roundTripsSparseEvent() {
            String consumer = newConsumer();
            EventEnvelope event = new EventEnvelope(UUID.randomUUID(), "order-1", "Order", 1, EventEnvelope.NO_POSITION,
                    "OrderPlaced", 1, T0, null, null, Map.of(), EventPayload.ofBytes(new byte[]{0, -1, 7}));
            DeadLetter letter = new DeadLetter(UUID.randomUUID(), consumer, event, "x.Boom", "", "", 1, T0, T0);
            queue.put(letter);
            assertEquals(Optional.of(letter), queue.find(letter.id()), "find by id");
        }

        @Test
        @DisplayName("a consumer's dead letters are listed oldest first, ties by global position, other consumers apart")
        void listedOldestFirstPerConsumer() {
            String consumer = newConsumer();
            String other = newConsumer();
            DeadLetter third = letter(consumer, "order-a", 1, 30, T0.plusSeconds(30));
            DeadLetter first = letter(consumer, "order-b", 1, 50, T0.plusSeconds(10));
            DeadLetter secondTieLater = letter(consumer, "order-c", 1, 45, T0.plusSeconds(20));
            DeadLetter secondTieEarlier = letter(consumer, "order-d", 1, 44, T0.plusSeconds(20));
            DeadLetter elsewhere = letter(other, "order-e", 1, 1, T0);
            for (DeadLetter letter : List.of(third, first, secondTieLater, elsewhere, secondTieEarlier)) {
                queue.put(letter);
            }
            assertEquals(List.of(first, secondTieEarlier, secondTieLater, third), queue.list(consumer), "list");
            assertEquals(4, queue.count(consumer), "count");
            assertEquals(List.of(elsewhere), queue.list(other), "list of the other consumer");
            assertEquals(List.of(), queue.list(newConsumer()), "list of an unknown consumer");
            assertEquals(0, queue.count(newConsumer()), "count of an unknown consumer");
        }

        @Test
        @DisplayName("put replaces the dead letter with the same id: one more attempt, or another consumer")
        void putReplacesById() {
            String consumer = newConsumer();
            String successor = newConsumer();
            DeadLetter letter = letter(consumer, "order-1", 3, 12, T0);
            queue.put(letter);
            DeadLetter again = letter.failedAgain(new IllegalStateException("still broken"), T0.plusSeconds(60));
            queue.put(again);
            assertEquals(List.of(again), queue.list(consumer), "list after another attempt");
            assertEquals(2, find(letter.id()).attempts(), "attempts after another attempt");
            assertEquals("still broken", find(letter.id()).causeMessage(), "cause of the last attempt");

            DeadLetter moved = again.withConsumer(successor);
            queue.put(moved);
            assertEquals(List.of(), queue.list(consumer), "list of the old consumer after a move");
            assertEquals(List.of(moved), queue.list(successor), "list of the new consumer after a move");
            assertEquals(Optional.of(moved), queue.find(letter.id()), "find after a move");
        }

        @Test
        @DisplayName("remove deletes by id and says whether there was one; the others stay")
        void removeById() {
            String consumer = newConsumer();
            DeadLetter a = letter(consumer, "order-a", 1, 1, T0);
            DeadLetter b = letter(consumer, "order-b", 1, 2, T0.plusSeconds(1));
            queue.put(a);
            queue.put(b);
            assertTrue(queue.remove(a.id()), "remove of a stored letter");
            assertFalse(queue.remove(a.id()), "remove of the same letter again");
            assertFalse(queue.remove(UUID.randomUUID()), "remove of an unknown id");
            assertEquals(Optional.empty(), queue.find(a.id()), "find after remove");
            assertEquals(List.of(b), queue.list(consumer), "list after remove");
            assertEquals(1, queue.count(consumer), "count after remove");
        }

        @Test
        @DisplayName("a letter with a 64 KB payload and a full stack trace round-trips")
        void largeLetterRoundTrips() {
            String consumer = newConsumer();
            byte[] payload = new byte[64 * 1024];
            new Random(3).nextBytes(payload);
            EventEnvelope event = new EventEnvelope(UUID.randomUUID(), "order-big", "Order", 2, 9, "OrderImported", 1,
                    T0, null, null, Map.of(), EventPayload.ofBytes(payload));
            DeadLetter letter = new DeadLetter(UUID.randomUUID(), consumer, event, "x.Boom", "too big",
                    "t".repeat(DeadLetter.MAX_TRACE), 1, T0, T0);
            queue.put(letter);
            assertEquals(Optional.of(letter), queue.find(letter.id()), "find of a large letter");
        }

        @Test
        @DisplayName("concurrent puts of different letters are all kept")
        void concurrentPuts() {
            String consumer = newConsumer();
            int threads = 8;
            List<Object> letters = runConcurrently(threads, worker -> {
                DeadLetter letter = letter(consumer, "order-" + worker, 1, worker + 1, T0.plusSeconds(worker));
                queue.put(letter);
                return letter;
            });
            assertEquals(letters, new ArrayList<Object>(queue.list(consumer)), "every letter, oldest first");
        }
    }

    /** Events a consumer keeps behind a dead letter of their stream. */
    @Nested
    @DisplayName("parking")
    public class Parking {

        @Test
        @DisplayName("parked events come back in version order with every field, whatever order they were parked in")
        void parkedInVersionOrder() {
            String consumer = newConsumer();
            String stream = "order-" + UUID.randomUUID();
            EventEnvelope v3 = event(stream, 3);
            EventEnvelope v1 = new EventEnvelope(UUID.randomUUID(), stream, "Order", 1, 11, "OrderPlaced", 2, T0,
                    "corr", "cause", Map.of("k", "v"), EventPayload.ofJson("{\"n\":1}"));
            EventEnvelope v2 = event(stream, 2);
            queue.park(consumer, v3);
            queue.park(consumer, v1);
            queue.park(consumer, v2);
            assertEquals(List.of(v1, v2, v3), queue.parked(consumer, stream), "parked events");
        }

        @Test
        @DisplayName("parked events are kept per consumer and per stream")
        void parkedPerConsumerAndStream() {
            String consumer = newConsumer();
            String other = newConsumer();
            String stream = "order-" + UUID.randomUUID();
            String otherStream = stream + "-x";
            EventEnvelope mine = event(stream, 4);
            EventEnvelope otherStreams = event(otherStream, 4);
            EventEnvelope othersConsumer = event(stream, 5);
            queue.park(consumer, mine);
            queue.park(consumer, otherStreams);
            queue.park(other, othersConsumer);
            assertEquals(List.of(mine), queue.parked(consumer, stream), "parked of the consumer and stream");
            assertEquals(List.of(otherStreams), queue.parked(consumer, otherStream), "parked of another stream");
            assertEquals(List.of(othersConsumer), queue.parked(other, stream), "parked of another consumer");
            assertEquals(List.of(), queue.parked(newConsumer(), stream), "parked of an unknown consumer");
        }

        @Test
        @DisplayName("parking the same event again (same stream and version) is a no-op that keeps the first")
        void parkingTwiceIsANoOp() {
            String consumer = newConsumer();
            String stream = "order-" + UUID.randomUUID();
            EventEnvelope first = event(stream, 2);
            queue.park(consumer, first);
            queue.park(consumer, first);
            queue.park(consumer, event(stream, 2));
            assertEquals(List.of(first), queue.parked(consumer, stream), "parked after parking twice");
        }

        @Test
        @DisplayName("unpark removes through a version, inclusive, and says how many; later ones stay")
        void unparkThroughVersion() {
            String consumer = newConsumer();
            String stream = "order-" + UUID.randomUUID();
            List<EventEnvelope> events = new ArrayList<>();
            for (int v = 2; v <= 6; v++) {
                events.add(event(stream, v));
                queue.park(consumer, events.get(events.size() - 1));
            }
            assertEquals(3, queue.unpark(consumer, stream, 4), "unparked through version 4");
            assertEquals(events.subList(3, 5), queue.parked(consumer, stream), "parked after unpark through 4");
            assertEquals(0, queue.unpark(consumer, stream, 4), "unpark through 4 again");
            assertEquals(0, queue.unpark(newConsumer(), stream, 100), "unpark of an unknown consumer");
            assertEquals(2, queue.unpark(consumer, stream, Long.MAX_VALUE), "unpark of the rest");
            assertEquals(List.of(), queue.parked(consumer, stream), "parked after unparking everything");
        }

        @Test
        @DisplayName("parked events stay until unparked, also when the dead letter in front of them is removed")
        void parkedKeptUntilUnparked() {
            String consumer = newConsumer();
            String stream = "order-" + UUID.randomUUID();
            DeadLetter blocking = letter(consumer, stream, 1, 1, T0);
            queue.put(blocking);
            EventEnvelope behind = event(stream, 2);
            queue.park(consumer, behind);
            assertTrue(queue.remove(blocking.id()), "remove of the dead letter");
            assertEquals(List.of(behind), queue.parked(consumer, stream), "parked after the dead letter went");
        }

        @Test
        @DisplayName("140 parked events of 8 KB each (more than one 1 MB page of a paging store) come back in order")
        void manyParkedEvents() {
            String consumer = newConsumer();
            String stream = "order-" + UUID.randomUUID();
            byte[] body = new byte[8 * 1024];
            new Random(5).nextBytes(body);
            List<EventEnvelope> expected = new ArrayList<>();
            for (int v = 140; v >= 1; v--) {
                EventEnvelope event = new EventEnvelope(UUID.randomUUID(), stream, "Order", v, v, "LineAdded", 1, T0,
                        null, null, Map.of(), EventPayload.ofBytes(body));
                queue.park(consumer, event);
                expected.add(0, event);
            }
            assertEquals(expected, queue.parked(consumer, stream), "140 parked events in version order");
            assertEquals(70, queue.unpark(consumer, stream, 70), "unparked through 70");
            assertEquals(expected.subList(70, 140), queue.parked(consumer, stream), "the last 70");
        }
    }

    /** Input the port refuses. */
    @Nested
    @DisplayName("bad input")
    public class BadInput {

        // the contract is that the port refuses null: passed on purpose
        @SuppressWarnings("NullAway")
        @Test
        @DisplayName("null arguments are refused with NullPointerException and change nothing")
        void nullsRefused() {
            String consumer = newConsumer();
            DeadLetter kept = letter(consumer, "order-1", 1, 1, T0);
            queue.put(kept);
            assertThrows(NullPointerException.class, () -> queue.put(null), "put(null)");
            assertThrows(NullPointerException.class, () -> queue.find(null), "find(null)");
            assertThrows(NullPointerException.class, () -> queue.remove(null), "remove(null)");
            assertThrows(NullPointerException.class, () -> queue.list(null), "list(null)");
            assertThrows(NullPointerException.class, () -> queue.park(consumer, null), "park(consumer, null)");
            assertThrows(NullPointerException.class, () -> queue.park(null, event("order-1", 2)), "park(null, event)");
            assertThrows(NullPointerException.class, () -> queue.parked(consumer, null), "parked(consumer, null)");
            assertEquals(List.of(kept), queue.list(consumer), "list after refused calls");
        }
    }

    private DeadLetter find(UUID id) {
        return queue.find(id).orElseThrow(() -> new AssertionError("no dead letter with id " + id));
    }

    private static DeadLetter letter(String consumer, String stream, long version, long globalPosition, Instant failedAt) {
        EventEnvelope event = new EventEnvelope(UUID.randomUUID(), stream, "Order", version, globalPosition, "OrderPlaced",
                1, T0, null, null, Map.of(), EventPayload.ofJson("{\"v\":" + version + "}"));
        return new DeadLetter(UUID.randomUUID(), consumer, event, "java.lang.IllegalStateException", "boom", "trace", 1,
                failedAt, failedAt);
    }

    private static EventEnvelope event(String stream, long version) {
        return new EventEnvelope(UUID.randomUUID(), stream, "Order", version, 100 + version, "LineAdded", 1,
                T0.plusSeconds(version), null, null, Map.of(), EventPayload.ofJson("{\"v\":" + version + "}"));
    }

    private static String newConsumer() {
        return "projection-" + UUID.randomUUID();
    }
}
