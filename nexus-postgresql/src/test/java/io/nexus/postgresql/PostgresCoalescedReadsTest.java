package io.nexus.postgresql;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.StreamQuery;
import io.nexus.core.store.StreamRead;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stream reads with their command-id lookups answered together by one statement: each read gets exactly what a
 * read of its own returns, and reads coalesced under concurrent appends still see every append that returned before
 * they started (read-your-writes) and a consistent prefix of the streams others append to.
 */
class PostgresCoalescedReadsTest {

    @Test
    void readsAnsweredTogetherGetWhatEachReadAloneGets() {
        String schema = EmbeddedPostgresServer.freshSchema("coalesced");
        try (PostgresEventStore store = PostgresEventStore.builder(EmbeddedPostgresServer.dataSource()).schema(schema)
                .coalesceReads(false).build()) {
            List<EventEnvelope> a = store.append("order-a", "Order", ExpectedVersion.noStream(), events(5)).events();
            List<EventEnvelope> b = store.append("order-b", "Order", ExpectedVersion.noStream(), events(3)).events();
            List<ReadCoalescer.Request> batch = List.of(
                    request(StreamQuery.stream("order-a"), a.get(2).eventId()),
                    request(StreamQuery.stream("order-a").fromVersion(3).toVersion(4), b.get(0).eventId()),
                    request(StreamQuery.stream("order-b").limit(2), b.get(0).eventId()),
                    request(StreamQuery.stream("order-c"), UUID.randomUUID()),
                    request(StreamQuery.stream("order-a").fromVersion(6), a.get(4).eventId()),
                    request(StreamQuery.stream("order-a").fromVersion(2).toVersion(2), a.get(0).eventId()),
                    request(StreamQuery.stream("order-b").limit(2), b.get(0).eventId()));

            store.readAndFindTogether(batch);

            for (ReadCoalescer.Request request : batch) {
                StreamRead alone = store.readAndFind(request.query, request.eventId);
                assertEquals(alone, request.result, "the read of " + request.query + " answered together");
            }
            assertEquals(5, batch.get(0).result.events().size(), "a whole stream");
            assertEquals(3L, batch.get(0).result.foundVersion().orElseThrow(), "the version of a stored id");
            assertEquals(5L, batch.get(4).result.foundVersion().orElseThrow(), "the lookup of a read past the end");
            assertEquals(0, store.coalescedReads(), "reads answered together with coalescing off");
        }
    }

    @Test
    void concurrentReadsAreAnsweredTogetherAndSeeEveryAppendThatReturnedBeforeThem() throws Exception {
        int threads = 8;
        String schema = EmbeddedPostgresServer.freshSchema("coalesced");
        try (PostgresEventStore store = PostgresEventStore.builder(EmbeddedPostgresServer.dataSource()).schema(schema).build()) {
            AtomicLong shared = new AtomicLong();
            AtomicBoolean running = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
            try {
                // One writer appends to a stream that every reader also reads: each read sees a prefix of it.
                Future<?> writer = pool.submit(() -> {
                    while (running.get()) {
                        store.append("order-shared", "Order", ExpectedVersion.exactly(shared.get()), events(1));
                        shared.incrementAndGet();
                    }
                    return null;
                });
                List<Future<List<StreamRead>>> readers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    String own = "order-own-" + t;
                    readers.add(pool.submit(() -> {
                        List<StreamRead> sharedReads = new ArrayList<>();
                        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                        for (int v = 0; v < 40 || (store.coalescedReads() == 0 && System.nanoTime() < deadline); v++) {
                            AppendResult appended = store.append(own, "Order", ExpectedVersion.exactly(v), events(1));
                            UUID id = appended.events().get(0).eventId();
                            StreamRead read = store.readAndFind(StreamQuery.stream(own), id);
                            assertEquals(v + 1, read.events().size(), "events of " + own + " read after its append");
                            assertEquals(id, read.events().get(v).eventId(), "the last event of " + own);
                            assertEquals(v + 1L, read.foundVersion().orElseThrow(), "the lookup of the append just made");
                            long before = shared.get();
                            StreamRead other = store.readAndFind(StreamQuery.stream("order-shared"), id);
                            assertTrue(other.events().size() >= before, "a read of the shared stream after "
                                    + before + " appends returned " + other.events().size() + " events");
                            assertTrue(other.foundVersion().isEmpty(), "an id of another stream found in order-shared");
                            sharedReads.add(other);
                        }
                        return sharedReads;
                    }));
                }
                List<StreamRead> sharedReads = new ArrayList<>();
                for (Future<List<StreamRead>> reader : readers) {
                    sharedReads.addAll(reader.get(60, TimeUnit.SECONDS));
                }
                running.set(false);
                writer.get(60, TimeUnit.SECONDS);
                List<EventEnvelope> whole = store.read(StreamQuery.stream("order-shared"));
                for (StreamRead read : sharedReads) {
                    assertEquals(whole.subList(0, read.events().size()), read.events(), "a read of the shared stream");
                }
                assertTrue(store.coalescedReads() > 0, "no read was answered together with another");
            } finally {
                running.set(false);
                pool.shutdownNow();
            }
        }
    }

    private static ReadCoalescer.Request request(StreamQuery query, UUID eventId) {
        return new ReadCoalescer.Request(query, eventId);
    }

    private static List<NewEvent> events(int n) {
        List<NewEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(NewEvent.of("ItemAdded", 1, EventPayload.ofJson("{\"sku\":\"" + UUID.randomUUID() + "\"}")));
        }
        return events;
    }
}
