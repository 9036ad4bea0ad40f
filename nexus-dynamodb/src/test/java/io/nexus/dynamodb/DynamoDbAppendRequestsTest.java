package io.nexus.dynamodb;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.ConcurrencyConflictException;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.ExpectedVersionAheadException;
import io.nexus.core.store.StreamQuery;
import io.nexus.core.store.StreamRead;
import io.nexus.core.store.StreamTypeMismatchException;
import io.nexus.testkit.ControllableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.UUID;

import static io.nexus.dynamodb.DynamoDbEventStoreTest.events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The requests an append and a command's load send, counted by operation with an SDK interceptor: with an exact
 * expected version the head is not read first; what its condition refuses is decided as for any cancelled append;
 * a load of the whole stream answers the command-id lookup from the events it read.
 */
class DynamoDbAppendRequestsTest {

    private final Requests requests = new Requests();
    private final DynamoDbClient client = DynamoDbLocal.newClient(b -> b.addExecutionInterceptor(requests));
    private final ControllableClock clock = ControllableClock.at(Instant.parse("2026-03-01T12:00:00Z"));
    private final DynamoDbEventStore store = DynamoDbEventStore.builder(client)
            .tableName(DynamoDbLocal.freshTables("append-requests").events()).clock(clock).build();

    @AfterEach
    void closeClient() {
        client.close();
    }

    @Test
    void anAppendWithAnExactExpectedVersionIsOneTransactionAndNoRead() {
        assertEquals(Map.of("TransactWriteItems", 1), requests.during(
                () -> store.append("order-1", "Order", ExpectedVersion.noStream(), events(2))), "noStream");
        assertEquals(Map.of("TransactWriteItems", 1), requests.during(
                () -> store.append("order-1", "Order", ExpectedVersion.exactly(2), events(1))), "exactly(2)");
        assertEquals(Map.of("GetItem", 1, "TransactWriteItems", 1), requests.during(
                () -> store.append("order-1", "Order", ExpectedVersion.any(), events(1))), "any() reads the head");
        assertEquals(List.of(1L, 2L, 3L, 4L), store.read(StreamQuery.stream("order-1")).stream()
                .map(EventEnvelope::version).toList());
        assertEquals(4, store.currentVersion("order-1"));
    }

    @Test
    void whatTheUnreadHeadRefusesIsDecidedAsAfterReadingIt() {
        List<NewEvent> first = events(3);
        store.append("order-2", "Order", ExpectedVersion.noStream(), first);

        ConcurrencyConflictException behind = assertThrows(ConcurrencyConflictException.class,
                () -> store.append("order-2", "Order", ExpectedVersion.exactly(1), events(1)));
        assertEquals(3, behind.actualVersion());
        ExpectedVersionAheadException ahead = assertThrows(ExpectedVersionAheadException.class,
                () -> store.append("order-2", "Order", ExpectedVersion.exactly(7), events(1)));
        assertEquals(3, ahead.actualVersion());
        assertThrows(ExpectedVersionAheadException.class,
                () -> store.append("order-new", "Order", ExpectedVersion.exactly(2), events(1)), "a stream that does not exist");
        assertThrows(StreamTypeMismatchException.class,
                () -> store.append("order-2", "Invoice", ExpectedVersion.exactly(3), events(1)));
        assertThrows(StreamTypeMismatchException.class,
                () -> store.append("order-2", "Invoice", ExpectedVersion.noStream(), events(1)));

        Map<String, Integer> replay = requests.during(() -> {
            AppendResult again = store.append("order-2", "Order", ExpectedVersion.noStream(), first);
            assertTrue(again.duplicate(), "the same batch at the same position is an idempotent success");
            assertEquals(3, again.newVersion());
        });
        assertEquals(1, replay.get("TransactWriteItems"), "one cancelled transaction, then reads: " + replay);
        assertEquals(3, store.currentVersion("order-2"), "nothing was written by the refused appends");
    }

    @Test
    void aClockBehindTheStreamsLastEventIsClampedOnTheReadingPath() {
        store.append("order-3", "Order", ExpectedVersion.noStream(), events(1));
        Instant last = store.read(StreamQuery.stream("order-3")).get(0).timestamp();
        clock.set(last.minus(Duration.ofHours(1)));
        Map<String, Integer> sent = requests.during(
                () -> store.append("order-3", "Order", ExpectedVersion.exactly(1), events(1)));
        assertEquals(Map.of("TransactWriteItems", 2, "GetItem", 2, "BatchGetItem", 1), sent,
                "the condition refuses the earlier time; head and ids are read, then the append is retried on the reading path");
        List<EventEnvelope> stored = store.read(StreamQuery.stream("order-3"));
        assertEquals(2, stored.size());
        assertEquals(last, stored.get(1).timestamp(), "timestamps never decrease within a stream");
    }

    @Test
    void aCommandsLoadOfTheWholeStreamFindsItsIdInTheEventsReadWithoutALookup() {
        List<NewEvent> first = events(2);
        store.append("order-4", "Order", ExpectedVersion.noStream(), first);
        store.append("order-4", "Order", ExpectedVersion.exactly(2), events(1));
        UUID stored = first.get(1).eventId();
        UUID absent = UUID.randomUUID();

        StreamRead[] answer = new StreamRead[1];
        assertEquals(Map.of("Query", 1), requests.during(
                () -> answer[0] = store.readAndFind(StreamQuery.stream("order-4"), stored)), "the whole stream, id stored");
        assertEquals(OptionalLong.of(2), answer[0].foundVersion());
        assertEquals(3, answer[0].events().size());
        assertEquals(Map.of("Query", 1), requests.during(
                () -> answer[0] = store.readAndFind(StreamQuery.stream("order-4"), absent)), "the whole stream, id absent");
        assertEquals(OptionalLong.empty(), answer[0].foundVersion());
        assertEquals(Map.of("Query", 1), requests.during(
                () -> answer[0] = store.readAndFind(StreamQuery.stream("order-new"), absent)), "a stream that does not exist");
        assertEquals(OptionalLong.empty(), answer[0].foundVersion());

        assertEquals(Map.of("Query", 1, "GetItem", 1), requests.during(
                () -> answer[0] = store.readAndFind(StreamQuery.stream("order-4").fromVersion(3), stored)),
                "a read after a snapshot cannot see the earlier events: the guard is read");
        assertEquals(OptionalLong.of(2), answer[0].foundVersion());
        assertEquals(Map.of("Query", 1, "GetItem", 1), requests.during(
                () -> answer[0] = store.readAndFind(StreamQuery.stream("order-4").limit(1), stored)), "a bounded read");
        assertEquals(OptionalLong.of(2), answer[0].foundVersion());

        DynamoDbEventStore eventual = DynamoDbEventStore.builder(client).tableName(store.tableName()).consistentReads(false).build();
        assertEquals(Map.of("Query", 1, "GetItem", 1), requests.during(
                () -> answer[0] = eventual.readAndFind(StreamQuery.stream("order-4"), absent)),
                "an eventually consistent read may miss the last append: the guard is read consistently");
        assertEquals(OptionalLong.empty(), answer[0].foundVersion());
    }

    /** Counts requests by operation. */
    static final class Requests implements ExecutionInterceptor {
        private final Map<String, Integer> counts = new TreeMap<>();

        @Override
        public synchronized void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            counts.merge(context.request().getClass().getSimpleName().replace("Request", ""), 1, Integer::sum);
        }

        /** The requests {@code action} sent, by operation. */
        Map<String, Integer> during(Runnable action) {
            Map<String, Integer> before;
            synchronized (this) {
                before = new TreeMap<>(counts);
            }
            action.run();
            Map<String, Integer> out = new TreeMap<>();
            synchronized (this) {
                counts.forEach((op, n) -> {
                    int d = n - before.getOrDefault(op, 0);
                    if (d > 0) {
                        out.put(op, d);
                    }
                });
            }
            return out;
        }
    }
}
