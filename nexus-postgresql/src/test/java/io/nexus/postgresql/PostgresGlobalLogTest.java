package io.nexus.postgresql;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.ExpectedVersion;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The global log never hands a reader a position that a still-running transaction can later fill below it:
 * appends whose transactions commit out of position order, one held open on purpose, and a reader that
 * pages from its last position the way the log tracker does.
 */
class PostgresGlobalLogTest {

    @Test
    void aCommittedAppendBehindARunningOneIsHeldBackUntilThatOneCommits() throws Exception {
        String schema = EmbeddedPostgresServer.freshSchema("gap");
        HeldCommit slow = new HeldCommit();
        try (PostgresEventStore store = PostgresEventStore.builder(EmbeddedPostgresServer.dataSource()).schema(schema)
                .visibilityTimeout(Duration.ofMillis(50))
                .beforeCommit(slow::beforeCommit).build()) {
            CompletableFuture<AppendResult> slowAppend = CompletableFuture.supplyAsync(
                    () -> store.append(slow.stream, "Order", ExpectedVersion.noStream(), List.of(event())));
            slow.awaitHeld();
            AppendResult fast = store.append("order-fast-" + UUID.randomUUID(), "Order", ExpectedVersion.noStream(),
                    List.of(event()));
            long fastPosition = fast.lastGlobalPosition();

            assertEquals(List.of(fastPosition), rawPositions(schema),
                    "a naive reader (every committed row by position) sees the fast append alone: the hole below it "
                            + "will be filled by the running transaction");
            assertEquals(List.of(), store.readAll(1, 100), "readAll while an older transaction is still running");
            assertEquals(0, store.headPosition(), "headPosition while an older transaction is still running");

            slow.release();
            long slowPosition = slowAppend.get(30, TimeUnit.SECONDS).lastGlobalPosition();
            assertTrue(slowPosition < fastPosition, "the held transaction claimed the lower position: "
                    + slowPosition + " < " + fastPosition);
            List<EventEnvelope> log = store.readAll(1, 100);
            assertEquals(List.of(slowPosition, fastPosition), log.stream().map(EventEnvelope::globalPosition).toList(),
                    "readAll once the older transaction committed");
            assertEquals(fastPosition, store.headPosition(), "headPosition once the older transaction committed");
        } finally {
            slow.release();
        }
    }

    @Test
    void aReaderPagingFromItsLastPositionNeverSkipsAnAppendThatCommittedOutOfOrder() throws Exception {
        String schema = EmbeddedPostgresServer.freshSchema("gap");
        int writers = 6;
        int appendsPerWriter = 60;
        List<Long> commitOrder = Collections.synchronizedList(new ArrayList<>());
        try (PostgresEventStore store = PostgresEventStore.builder(EmbeddedPostgresServer.dataSource()).schema(schema)
                .beforeCommit(stream -> LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(3_000_000)))
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
                            List<NewEvent> batch = List.of(event(), event()).subList(0, 1 + i % 2);
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
                int total = whole.size();
                assertTrue(total >= writers * appendsPerWriter, "events in the log: " + total);
                assertEquals(ids(whole), ids(seen), "the paging reader saw every event of the log once, in log order");
                for (int i = 1; i < seen.size(); i++) {
                    assertTrue(seen.get(i).globalPosition() > seen.get(i - 1).globalPosition(), "positions increase");
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static List<UUID> ids(List<EventEnvelope> events) {
        return events.stream().map(EventEnvelope::eventId).toList();
    }

    private static List<Long> rawPositions(String schema) throws Exception {
        try (Connection c = EmbeddedPostgresServer.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT position FROM " + schema + ".events ORDER BY position");
             ResultSet rs = s.executeQuery()) {
            List<Long> positions = new ArrayList<>();
            while (rs.next()) {
                positions.add(rs.getLong(1));
            }
            return positions;
        }
    }

    private static NewEvent event() {
        return new NewEvent(UUID.randomUUID(), "ItemAdded", 1, EventPayload.ofJson("{\"quantity\":1}"), null, null, Map.of());
    }

}
