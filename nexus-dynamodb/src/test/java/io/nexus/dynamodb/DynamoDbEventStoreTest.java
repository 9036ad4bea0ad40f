package io.nexus.dynamodb;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.AppendTooLargeException;
import io.nexus.core.store.ConcurrencyConflictException;
import io.nexus.core.store.DuplicateEventIdException;
import io.nexus.core.store.EventTooLargeException;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.StreamQuery;
import io.nexus.core.store.StreamTypeMismatchException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The DynamoDB event store's own behaviour against DynamoDB Local. */
class DynamoDbEventStoreTest {

    private DynamoDbTables.Names tables;
    private DynamoDbEventStore store;

    @BeforeEach
    void setUp() {
        tables = DynamoDbLocal.freshTables("store");
        store = DynamoDbEventStore.builder(DynamoDbLocal.client()).tableName(tables.events()).pageSize(3)
                .streamsClient(DynamoDbLocal.streamsClient()).indexOnRead(true).build();
    }

    static NewEvent event(String type, String json) {
        return new NewEvent(UUID.randomUUID(), type, 1, EventPayload.ofJson(json), "corr-1", "cause-1",
                Map.of("user", "ann"));
    }

    static List<NewEvent> events(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> event("Happened", "{\"n\":" + i + "}")).toList();
    }

    @Test
    void appendsAndReadsBackEverythingOfTheEnvelope() {
        NewEvent first = event("OrderPlaced", "{\"total\":42}");
        AppendResult result = store.append("order-1", "Order", ExpectedVersion.noStream(), List.of(first));

        assertEquals(1, result.newVersion());
        assertFalse(result.duplicate());
        List<EventEnvelope> read = store.read(StreamQuery.stream("order-1"));
        assertEquals(result.events(), read);
        EventEnvelope e = read.get(0);
        assertEquals(first.eventId(), e.eventId());
        assertEquals("Order", e.aggregateType());
        assertEquals("OrderPlaced", e.eventType());
        assertEquals("{\"total\":42}", e.payload().asString());
        assertEquals("corr-1", e.correlationId());
        assertEquals("cause-1", e.causationId());
        assertEquals(Map.of("user", "ann"), e.metadata());
        assertFalse(e.hasGlobalPosition(), "positions are given by the log indexer, after the append");
        assertEquals(1, store.readAll(1, 10).get(0).globalPosition());
        assertEquals(1, store.currentVersion("order-1"));
        assertEquals(0, store.currentVersion("order-unknown"));
        assertEquals(List.of(), store.read(StreamQuery.stream("order-unknown")));
    }

    /** docs/dynamodb.md lists every attribute of every item; this keeps the list honest. */
    @Test
    void storedItemsHoldExactlyTheDocumentedAttributes() {
        NewEvent full = event("OrderPlaced", "{\"total\":42}");
        store.append("order-1", "Order", ExpectedVersion.noStream(), List.of(full));
        store.append("order-2", "Order", ExpectedVersion.noStream(),
                List.of(NewEvent.of("OrderPlaced", 1, EventPayload.ofJson("{}"))));

        assertEquals(java.util.Set.of("pk", "sk", "be", "id", "at", "et", "sv", "ts", "co", "ca", "md", "pl"),
                raw("order-1", 1).keySet());
        assertEquals(java.util.Set.of("pk", "sk", "be", "id", "at", "et", "sv", "ts", "pl"), raw("order-2", 1).keySet(),
                "co, ca and md are left out when the event has none");
        Map<String, AttributeValue> event = raw("order-1", 1);
        assertEquals(Map.of("user", AttributeValue.fromS("ann")), event.get("md").m());
        assertEquals(full.eventId().toString(), event.get("id").s());
        assertEquals(java.util.Set.of("pk", "sk", "hv", "at", "lt"), raw("order-1", 0).keySet());
        assertEquals(java.util.Set.of("pk", "sk", "v"), raw("\u001Fid\u001Forder-1\u001F" + full.eventId(), 0).keySet());
        assertEquals(6, itemCount(), "two heads, two events, two guards: no sequencer");

        assertEquals(2, store.headPosition(), "indexed on read");
        assertEquals(java.util.Set.of("pk", "sk", "pos", "cp", "own", "lu"), raw("\u001Flog-tail", 0).keySet());
        Map<String, AttributeValue> chunk = raw("\u001Flog\u001F0", 1);
        assertEquals(java.util.Set.of("pk", "sk", "n", "sp"), chunk.keySet());
        assertEquals("2", chunk.get("n").n());
        assertEquals(List.of(AttributeValue.fromS("1\u001F1\u001Forder-1"), AttributeValue.fromS("1\u001F1\u001Forder-2")),
                chunk.get("sp").l());
    }

    private Map<String, AttributeValue> raw(String pk, long sk) {
        return DynamoDbLocal.client().getItem(b -> b.tableName(tables.events()).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromN(Long.toString(sk))))).item();
    }

    @Test
    void readsPagesFromAVersionUpToAVersionAndLimited() {
        store.append("s", "T", ExpectedVersion.noStream(), events(10));

        assertEquals(List.of(4L, 5L, 6L, 7L, 8L, 9L, 10L), versions(store.read(StreamQuery.stream("s").fromVersion(4))));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), versions(store.read(StreamQuery.stream("s").toVersion(5))));
        assertEquals(List.of(3L, 4L, 5L, 6L), versions(store.read(StreamQuery.stream("s").fromVersion(3).limit(4))));
        assertEquals(List.of(), store.read(StreamQuery.stream("s").fromVersion(11)));
    }

    @Test
    void readsAsOfAnInstant() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        DynamoDbEventStore timed = DynamoDbEventStore.builder(DynamoDbLocal.client()).tableName(tables.events())
                .clock(clock).build();
        timed.append("t", "T", ExpectedVersion.noStream(), events(2));
        clock.now = Instant.parse("2026-01-02T00:00:00Z");
        timed.append("t", "T", ExpectedVersion.exactly(2), events(3));

        assertEquals(2, timed.read(StreamQuery.stream("t").asOf(Instant.parse("2026-01-01T12:00:00Z"))).size());
        assertEquals(5, timed.read(StreamQuery.stream("t").asOf(Instant.parse("2026-01-02T00:00:00Z"))).size());
        assertEquals(0, timed.read(StreamQuery.stream("t").asOf(Instant.parse("2025-12-31T00:00:00Z"))).size());
    }

    @Test
    void timestampsNeverGoBackWithinAStreamWhenTheClockDoes() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-02T00:00:00Z"));
        DynamoDbEventStore timed = DynamoDbEventStore.builder(DynamoDbLocal.client()).tableName(tables.events())
                .clock(clock).build();
        timed.append("t", "T", ExpectedVersion.noStream(), events(1));
        clock.now = Instant.parse("2026-01-01T00:00:00Z");
        AppendResult second = timed.append("t", "T", ExpectedVersion.exactly(1), events(1));
        assertEquals(Instant.parse("2026-01-02T00:00:00Z"), second.events().get(0).timestamp());
    }

    @Test
    void rejectsAWrongExpectedVersionWithTheActualOne() {
        store.append("s", "T", ExpectedVersion.noStream(), events(2));
        ConcurrencyConflictException e = assertThrows(ConcurrencyConflictException.class,
                () -> store.append("s", "T", ExpectedVersion.exactly(1), events(1)));
        assertEquals(2, e.actualVersion());
        assertTrue(e.isTransient());
        assertThrows(ConcurrencyConflictException.class, () -> store.append("s", "T", ExpectedVersion.noStream(), events(1)));
        assertEquals(2, store.currentVersion("s"));
    }

    @Test
    void reappendingTheSameBatchIsAnIdempotentSuccess() {
        List<NewEvent> batch = events(3);
        AppendResult first = store.append("s", "T", ExpectedVersion.noStream(), batch);
        store.append("s", "T", ExpectedVersion.exactly(3), events(1));

        AppendResult again = store.append("s", "T", ExpectedVersion.noStream(), batch);
        assertTrue(again.duplicate());
        assertEquals(first.events(), again.events());
        assertEquals(3, again.newVersion());

        AppendResult anyAgain = store.append("s", "T", ExpectedVersion.any(), batch);
        assertTrue(anyAgain.duplicate());
        assertEquals(4, store.currentVersion("s"));
        assertEquals(4, store.headPosition());
    }

    @Test
    void anEventIdStoredElsewhereIsADuplicate() {
        List<NewEvent> batch = events(2);
        store.append("s", "T", ExpectedVersion.noStream(), batch);

        assertThrows(DuplicateEventIdException.class,
                () -> store.append("s", "T", ExpectedVersion.exactly(2), List.of(batch.get(1))));
        assertThrows(DuplicateEventIdException.class,
                () -> store.append("s", "T", ExpectedVersion.exactly(2), List.of(event("X", "{}"), batch.get(0))));
        NewEvent twice = event("X", "{}");
        assertThrows(DuplicateEventIdException.class,
                () -> store.append("s", "T", ExpectedVersion.exactly(2), List.of(twice, twice)));
        // the same id in another stream is fine: ids are unique per stream
        store.append("other", "T", ExpectedVersion.noStream(), List.of(batch.get(0)));
        assertEquals(2, store.currentVersion("s"));
    }

    @Test
    void aStreamKeepsItsAggregateType() {
        store.append("s", "Order", ExpectedVersion.noStream(), events(1));
        assertThrows(StreamTypeMismatchException.class, () -> store.append("s", "Invoice", ExpectedVersion.any(), events(1)));
    }

    @Test
    void theGlobalLogHoldsEveryEventInCommitOrder() {
        store.append("a", "T", ExpectedVersion.noStream(), events(2));
        store.append("b", "T", ExpectedVersion.noStream(), events(3));
        store.append("a", "T", ExpectedVersion.exactly(2), events(1));

        assertEquals(6, store.headPosition());
        List<EventEnvelope> all = store.readAll(1, 100);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), all.stream().map(EventEnvelope::globalPosition).toList());
        assertEquals(List.of("a", "a", "b", "b", "b", "a"), all.stream().map(EventEnvelope::streamId).toList());
        assertEquals(List.of(3L, 4L), store.readAll(3, 2).stream().map(EventEnvelope::globalPosition).toList());
        assertEquals(List.of(), store.readAll(7, 10));
        assertEquals(List.of(), store.readAll(1, 0));
    }

    @Test
    void tooManyEventsForOneTransactionAreRejectedBeforeAnyWrite() {
        AppendTooLargeException e = assertThrows(AppendTooLargeException.class,
                () -> store.append("s", "T", ExpectedVersion.noStream(), events(DynamoDbEventStore.MAX_EVENTS_PER_APPEND + 1)));
        assertTrue(e.getMessage().contains("50 events"), e.getMessage());
        assertEquals(0, store.currentVersion("s"));
        store.append("s", "T", ExpectedVersion.noStream(), events(DynamoDbEventStore.MAX_EVENTS_PER_APPEND));
        assertEquals(DynamoDbEventStore.MAX_EVENTS_PER_APPEND, store.read(StreamQuery.stream("s")).size());
    }

    @Test
    void tooManyBytesForOneTransactionAreRejectedBeforeAnyWrite() {
        String big = "\"" + "x".repeat(300 * 1024) + "\"";
        List<NewEvent> batch = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            batch.add(event("Big", big));
        }
        AppendTooLargeException e = assertThrows(AppendTooLargeException.class,
                () -> store.append("s", "T", ExpectedVersion.noStream(), batch));
        assertTrue(e.getMessage().contains("bytes"), e.getMessage());
        assertEquals(0, store.currentVersion("s"));
        assertEquals(0, store.headPosition());
    }

    @Test
    void anOversizeEventIsRejectedWithTheTableUnchanged() {
        store.append("s", "T", ExpectedVersion.noStream(), events(1));
        long itemsBefore = itemCount();
        String huge = "\"" + "x".repeat(400 * 1024) + "\"";

        EventTooLargeException e = assertThrows(EventTooLargeException.class,
                () -> store.append("s", "T", ExpectedVersion.exactly(1), List.of(event("Small", "{}"), event("Huge", huge))));
        assertEquals("Huge", e.eventType());
        assertEquals(409600, e.limit());
        assertEquals(itemsBefore, itemCount());
        assertEquals(1, store.currentVersion("s"));
        assertEquals(1, store.headPosition());
    }

    @Test
    void anEventJustUnderTheItemLimitIsStored() {
        String large = "\"" + "y".repeat(380 * 1024) + "\"";
        store.append("s", "T", ExpectedVersion.noStream(), List.of(event("Large", large)));
        assertEquals(large, store.read(StreamQuery.stream("s")).get(0).payload().asString());
    }

    @Test
    void aTransactionCancelledHalfWayWritesNothing() {
        store.append("s", "T", ExpectedVersion.noStream(), events(1));
        // an item written behind the store's back where the second event of the next append goes
        DynamoDbLocal.client().putItem(b -> b.tableName(tables.events()).item(Map.of(
                "pk", AttributeValue.fromS("s"), "sk", AttributeValue.fromN("3"), "stray", AttributeValue.fromS("x"))));
        long itemsBefore = itemCount();

        var e = assertThrows(io.nexus.core.store.EventStoreUnavailableException.class,
                () -> store.append("s", "T", ExpectedVersion.exactly(1), events(3)));
        assertFalse(e.isTransient());
        assertEquals(itemsBefore, itemCount());
        assertEquals(1, store.currentVersion("s"));
        assertEquals(1, store.headPosition());
        assertEquals(1, store.read(StreamQuery.stream("s").toVersion(2)).size());
    }

    @Test
    void aReadNeverReturnsPartOfAnAppend() {
        DynamoDbEventStore patient = DynamoDbEventStore.builder(DynamoDbLocal.client()).tableName(tables.events())
                .maxContentionRetries(3).build();
        patient.append("s", "T", ExpectedVersion.noStream(), events(2));
        patient.append("s", "T", ExpectedVersion.exactly(2), events(3));
        // the last event of the second append vanishes, as it would look while still invisible to a Query
        DynamoDbLocal.client().deleteItem(b -> b.tableName(tables.events()).key(Map.of(
                "pk", AttributeValue.fromS("s"), "sk", AttributeValue.fromN("5"))));

        var e = assertThrows(io.nexus.core.store.EventStoreUnavailableException.class,
                () -> patient.read(StreamQuery.stream("s")));
        assertTrue(e.isTransient());
        assertTrue(e.getMessage().contains("part of an append in 3 reads"), e.getMessage());
        // reads that end before the damaged append, or inside it by their own bound, are whole
        assertEquals(2, patient.read(StreamQuery.stream("s").toVersion(2)).size());
        assertEquals(2, patient.read(StreamQuery.stream("s").toVersion(4).limit(2)).size());
        assertEquals(List.of(3L, 4L), versions(patient.read(StreamQuery.stream("s").fromVersion(3).toVersion(4))));
    }

    @Test
    void rejectsBadArgumentsNamingThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> store.append("a\u001Fb", "T", ExpectedVersion.any(), events(1)));
        assertTrue(e.getMessage().contains("streamId"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> store.append(" ", "T", ExpectedVersion.any(), events(1)));
        assertThrows(IllegalArgumentException.class, () -> store.append("s", "", ExpectedVersion.any(), events(1)));
        assertThrows(IllegalArgumentException.class, () -> store.append("s", "T", ExpectedVersion.any(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> store.readAll(0, 1));
        assertThrows(IllegalStateException.class, () -> DynamoDbEventStore.builder(DynamoDbLocal.client()).build());
        assertThrows(IllegalArgumentException.class, () -> DynamoDbEventStore.builder(DynamoDbLocal.client()).pageSize(0));
    }

    @Test
    void subscribeWithoutAStreamsClientIsATypedError() {
        DynamoDbEventStore withoutStreams = DynamoDbEventStore.builder(DynamoDbLocal.client()).tableName(tables.events())
                .build();
        assertThrows(ChangeCaptureNotConfiguredException.class, () -> withoutStreams.subscribe(events -> { }));
    }

    private long itemCount() {
        return DynamoDbLocal.client().scanPaginator(b -> b.tableName(tables.events())).items().stream().count();
    }

    private static List<Long> versions(List<EventEnvelope> events) {
        return events.stream().map(EventEnvelope::version).toList();
    }

    static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
