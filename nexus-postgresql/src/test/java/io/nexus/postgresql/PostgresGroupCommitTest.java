package io.nexus.postgresql;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.ConcurrencyConflictException;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.StreamQuery;
import io.nexus.testkit.logging.LogCapture;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Concurrent appends committed together: each caller still gets its own result or its own typed conflict, a
 * re-sent batch is still a duplicate, every acknowledged event is stored once, and a reader paging the log as
 * the writers go sees exactly the whole log.
 */
class PostgresGroupCommitTest {

    @Test
    void concurrentWritersAreCommittedTogetherAndEachGetsItsOwnAnswer() throws Exception {
        int writers = 12;
        int appendsEach = 40;
        try (PostgresEventStore store = PostgresEventStore.builder(EmbeddedPostgresServer.dataSource())
                .schema(EmbeddedPostgresServer.freshSchema("group")).build()) {
            // Writers w and w + 1 (w even) share a stream and race for its versions; the others have their own.
            Map<UUID, Long> acknowledged = new ConcurrentHashMap<>();
            AtomicInteger conflicts = new AtomicInteger();
            AtomicInteger duplicates = new AtomicInteger();
            AtomicBoolean writing = new AtomicBoolean(true);
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
            try {
                List<Future<?>> writes = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    String stream = "order-" + (w / 2) + "-" + (w % 4 < 2 ? "shared" : "own-" + w);
                    int writer = w;
                    writes.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < appendsEach; i++) {
                            long version = store.currentVersion(stream);
                            // commands, small batches, batches that go alone by COPY when nothing runs beside
                            // them, and now and then one too large to be grouped
                            List<NewEvent> batch = events(SIZES[(writer + i) % SIZES.length]);
                            try {
                                AppendResult result = store.append(stream, "Order", ExpectedVersion.exactly(version), batch);
                                assertEquals(version + batch.size(), result.newVersion(), "the new version of " + stream);
                                for (EventEnvelope e : result.events()) {
                                    acknowledged.put(e.eventId(), e.globalPosition());
                                }
                                if (i % 10 == 0) {
                                    AppendResult again = store.append(stream, "Order", ExpectedVersion.exactly(version), batch);
                                    assertTrue(again.duplicate(), "a re-sent batch is answered as a duplicate");
                                    assertEquals(result.events(), again.events(), "with the stored originals");
                                    duplicates.incrementAndGet();
                                }
                            } catch (ConcurrencyConflictException e) {
                                conflicts.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                Future<List<EventEnvelope>> reader = pool.submit(PagingReader.whileWriting(store, 13, writing::get));
                start.countDown();
                for (Future<?> write : writes) {
                    write.get(120, TimeUnit.SECONDS);
                }
                writing.set(false);
                List<EventEnvelope> seen = reader.get(120, TimeUnit.SECONDS);

                List<EventEnvelope> whole = store.readAll(1, 100_000);
                Map<UUID, Long> stored = new HashMap<>();
                for (EventEnvelope e : whole) {
                    stored.put(e.eventId(), e.globalPosition());
                }
                assertEquals(whole.size(), stored.size(), "every event is stored once");
                assertEquals(acknowledged, stored, "the log holds exactly the acknowledged events, at their positions");
                assertEquals(whole, seen, "the paging reader saw every event of the log once, in log order");
                for (String streamId : whole.stream().map(EventEnvelope::streamId).distinct().toList()) {
                    List<EventEnvelope> stream = store.read(StreamQuery.stream(streamId));
                    for (int i = 0; i < stream.size(); i++) {
                        assertEquals(i + 1, stream.get(i).version(), "versions of " + streamId + " are contiguous");
                    }
                }
                assertTrue(conflicts.get() > 0, "writers sharing a stream met conflicts: " + conflicts.get());
                assertTrue(store.groupedAppends() > 0, "some appends were committed in groups: " + store.groupedAppends());
                assertTrue(store.largestGroupedAppend() >= 8,
                        "batches of COPY size joined groups: " + store.largestGroupedAppend());
                assertTrue(store.largestGroupedAppend() < PostgresEventStore.MAX_GROUP_EVENTS,
                        "a batch of the group's limit or more went alone: " + store.largestGroupedAppend());
                assertTrue(duplicates.get() > 0);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void withoutTheGroupFunctionAppendsGoOneByOneAndTheLogSaysHowToCreateItAgain() throws Exception {
        String schema = EmbeddedPostgresServer.freshSchema("group_old");
        PostgresSchema.migrate(EmbeddedPostgresServer.dataSource(), schema);
        try (Connection connection = EmbeddedPostgresServer.dataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("DROP FUNCTION " + schema + ".append_group");
        }
        int writers = 12;
        int appendsEach = 30;
        try (LogCapture logs = LogCapture.start();
             PostgresEventStore store = PostgresEventStore.builder(EmbeddedPostgresServer.dataSource()).schema(schema)
                     .createSchema(false).build()) {
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            try {
                List<Future<?>> writes = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    String stream = "order-" + w;
                    writes.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < appendsEach; i++) {
                            store.append(stream, "Order", ExpectedVersion.exactly(i), events(1));
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> write : writes) {
                    write.get(120, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(writers * appendsEach, store.readAll(1, 100_000).size(), "every append is stored");
            assertEquals(0, store.groupedAppends(), "none committed in a group");
            logs.assertContains("Schema '" + schema + "' has no function append_group",
                    "script 11 of PostgresSchema.scripts(\"" + schema + "\")");
            assertEquals(1, logs.lines().stream().filter(line -> line.contains("append_group")).count(),
                    "said once: " + logs.text());
        }
    }

    private static final int[] SIZES = {1, 2, 3, 1, 12, 2, 150, 1, 3, 40, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1_200};

    private static List<NewEvent> events(int n) {
        List<NewEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(new NewEvent(UUID.randomUUID(), "ItemAdded", 1, EventPayload.ofJson("{\"quantity\":" + i + "}"),
                    null, null, Map.of()));
        }
        return events;
    }
}
