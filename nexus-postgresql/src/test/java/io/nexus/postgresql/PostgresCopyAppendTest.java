package io.nexus.postgresql;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.ConcurrencyConflictException;
import io.nexus.core.store.DuplicateEventIdException;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.StreamQuery;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Appends whose rows go by binary COPY: every column round-trips, conflicts and re-sends are answered as by
 * the one-call path, and the global log stays without gaps a reader could skip when COPY appends and
 * one-call appends commit out of position order.
 */
class PostgresCopyAppendTest {

    @Test
    void aCopiedBatchReadsBackColumnForColumn() {
        try (PostgresEventStore store = PostgresEventStore.builder(EmbeddedPostgresServer.dataSource())
                .schema(EmbeddedPostgresServer.freshSchema("copy")).copyThreshold(2).build()) {
            String stream = "order-" + UUID.randomUUID();
            List<NewEvent> batch = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                batch.add(new NewEvent(UUID.randomUUID(), i % 2 == 0 ? "ItemAdded" : "ItemRemovéd", 1 + i % 3,
                        EventPayload.ofJson("{\"quantity\":" + i + ",\"name\":\"ü€\"}"), i % 4 == 0 ? null : "corr-" + i,
                        i % 5 == 0 ? null : "cause-" + i, i % 3 == 0 ? Map.of() : Map.of("k", "v" + i, "ü", "\"q\"")));
            }
            AppendResult result = store.append(stream, "Order", ExpectedVersion.noStream(), batch);
            List<EventEnvelope> read = store.read(StreamQuery.stream(stream));
            assertEquals(result.events(), read, "the acknowledged envelopes are the stored ones");
            for (int i = 0; i < batch.size(); i++) {
                NewEvent sent = batch.get(i);
                EventEnvelope stored = read.get(i);
                assertEquals(sent.eventId(), stored.eventId());
                assertEquals(sent.eventType(), stored.eventType());
                assertEquals(sent.schemaVersion(), stored.schemaVersion());
                assertEquals(sent.correlationId(), stored.correlationId());
                assertEquals(sent.causationId(), stored.causationId());
                assertEquals(sent.metadata(), stored.metadata());
                assertEquals(sent.payload(), stored.payload());
                assertEquals(i + 1, stored.version());
                assertEquals(result.events().get(0).globalPosition() + i, stored.globalPosition());
                assertEquals(read.get(0).timestamp(), stored.timestamp());
            }
            assertEquals(read, store.readAll(1, 100), "the global log holds the batch in version order");
        }
    }

    @Test
    void aCopiedBatchThatLosesARaceOrRepeatsIdsIsAnsweredAsTheOneCallPathAnswersIt() {
        try (PostgresEventStore store = PostgresEventStore.builder(EmbeddedPostgresServer.dataSource())
                .schema(EmbeddedPostgresServer.freshSchema("copy")).copyThreshold(2).build()) {
            String stream = "order-" + UUID.randomUUID();
            List<NewEvent> first = List.of(event(), event(), event());
            AppendResult stored = store.append(stream, "Order", ExpectedVersion.noStream(), first);

            AppendResult again = store.append(stream, "Order", ExpectedVersion.noStream(), first);
            assertTrue(again.duplicate(), "a re-sent batch is a duplicate");
            assertEquals(stored.events(), again.events(), "answered from the stored originals");

            assertThrows(ConcurrencyConflictException.class,
                    () -> store.append(stream, "Order", ExpectedVersion.exactly(1), List.of(event(), event())));
            assertThrows(DuplicateEventIdException.class,
                    () -> store.append(stream, "Order", ExpectedVersion.exactly(3), List.of(event(), first.get(1))));
            assertEquals(3, store.currentVersion(stream), "nothing of the refused batches was stored");
        }
    }

    @Test
    void aReaderPagingFromItsLastPositionNeverSkipsACopiedAppendThatCommittedOutOfOrder() throws Exception {
        String schema = EmbeddedPostgresServer.freshSchema("copygap");
        int writers = 6;
        int appendsPerWriter = 40;
        int eventsPerWriter = 0;
        for (int i = 0; i < appendsPerWriter; i++) {
            eventsPerWriter += 1 + i % 3;
        }
        List<Long> commitOrder = Collections.synchronizedList(new ArrayList<>());
        try (PostgresEventStore store = PostgresEventStore.builder(EmbeddedPostgresServer.dataSource()).schema(schema)
                .copyThreshold(2)
                .beforeCommit(stream -> LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(3_000_000)))
                .visibilityTimeout(Duration.ofSeconds(1))
                .build()) {
            AtomicBoolean writing = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
            try {
                List<Future<?>> writes = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    String stream = "order-" + w + "-" + UUID.randomUUID();
                    writes.add(pool.submit(() -> {
                        long version = 0;
                        for (int i = 0; i < appendsPerWriter; i++) {
                            // Batches of 1 take the one-call path, of 2 and 3 the COPY path: both interleave.
                            List<NewEvent> batch = List.of(event(), event(), event()).subList(0, 1 + i % 3);
                            AppendResult result = store.append(stream, "Order", ExpectedVersion.exactly(version), batch);
                            commitOrder.add(result.lastGlobalPosition());
                            version = result.newVersion();
                        }
                        return null;
                    }));
                }
                Future<List<EventEnvelope>> reader = pool.submit(PagingReader.whileWriting(store, 7, writing::get));
                for (Future<?> write : writes) {
                    write.get(120, TimeUnit.SECONDS);
                }
                writing.set(false);
                List<EventEnvelope> seen = reader.get(120, TimeUnit.SECONDS);

                List<Long> sorted = new ArrayList<>(commitOrder);
                Collections.sort(sorted);
                assertNotEquals(sorted, commitOrder, "appends committed out of position order (the case under test)");
                List<EventEnvelope> whole = store.readAll(1, 10_000);
                assertEquals(writers * eventsPerWriter, whole.size(), "events in the log");
                assertEquals(ids(whole), ids(seen), "the paging reader saw every event of the log once, in log order");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static List<UUID> ids(List<EventEnvelope> events) {
        return events.stream().map(EventEnvelope::eventId).toList();
    }

    private static NewEvent event() {
        return new NewEvent(UUID.randomUUID(), "ItemAdded", 1, EventPayload.ofJson("{\"quantity\":1}"), null, null, Map.of());
    }
}
