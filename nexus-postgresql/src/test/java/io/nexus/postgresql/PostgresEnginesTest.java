package io.nexus.postgresql;

import io.nexus.core.Nexus;
import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.deadletter.InMemoryDeadLetterQueue;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.lease.Lease;
import io.nexus.core.projection.Projection;
import io.nexus.core.scheduler.ScheduledTimer;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.tracking.LogTracker;
import io.nexus.testkit.Await;
import io.nexus.testkit.logging.LogCapture;
import io.nexus.testkit.net.TcpProxy;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link PostgresEngines}: one call on the Nexus builder puts every port in one PostgreSQL schema. */
class PostgresEnginesTest {

    record Noted(String text) {
    }

    private static Nexus.Builder application() {
        return Nexus.builder().eventTypes(EventTypes.builder().register(Noted.class, "Noted", 1).build());
    }

    @Test
    void oneCallSetsEveryPortInTheSchema() {
        String schema = EmbeddedPostgresServer.freshSchema("engines");
        try (PostgresEngines engines = PostgresEngines.builder(EmbeddedPostgresServer.jdbcUrl(), "postgres", null)
                .schema(schema).poolSize(4).build();
             Nexus nexus = application().engines(engines).build()) {
            assertSame(engines.eventStore(), nexus.eventStore());
            assertInstanceOf(PostgresSnapshotStore.class, nexus.snapshotStore());
            assertInstanceOf(PostgresCheckpointStore.class, nexus.checkpoints());
            assertInstanceOf(PostgresDeadLetterQueue.class, nexus.deadLetters());
            assertInstanceOf(PostgresScheduler.class, nexus.timers());
            assertInstanceOf(PostgresAuditLog.class, nexus.auditLog());
            assertInstanceOf(PostgresReadModelStores.class, nexus.readModels());
            assertInstanceOf(PostgresLeaseStore.class, nexus.leases());

            nexus.eventStore().append("note-1", "Note", ExpectedVersion.noStream(), List.of(noted("hi")));
            nexus.checkpoints().save("projection", Checkpoint.GLOBAL, "1");
            ScheduledTimer timer = new ScheduledTimer("t", "saga", Instant.parse("2026-12-01T00:00:00Z"), "");
            nexus.timers().schedule(timer);
            nexus.readModels().store("notes", Noted.class).put("note-1", new Noted("hi"), 1);
            Lease lease = nexus.leases().tryAcquire("projection", "node-1", Duration.ofMinutes(1)).orElseThrow();

            var ds = EmbeddedPostgresServer.dataSource();
            assertEquals(1, PostgresEventStore.builder(ds).schema(schema).build().currentVersion("note-1"));
            assertEquals("1", PostgresCheckpointStore.builder(ds).schema(schema).build()
                    .load("projection", Checkpoint.GLOBAL).orElseThrow().position());
            assertEquals(List.of(timer), PostgresScheduler.builder(ds).schema(schema).build().pending("saga"));
            assertEquals(new Noted("hi"), PostgresReadModelStores.builder(ds).schema(schema).build()
                    .store("notes", Noted.class).get("note-1").orElseThrow().value());
            assertEquals(Optional.of(lease), PostgresLeaseStore.builder(ds).schema(schema).build().current("projection"),
                    "another process on the schema sees the lease");
        }
    }

    @Test
    void aTrackerFollowsAppendsOfAnotherProcessWokenByNotify() throws Exception {
        String schema = EmbeddedPostgresServer.freshSchema("engines");
        // Both polls are an hour: only NOTIFY can wake the tracker in time.
        try (PostgresEngines engines = PostgresEngines.builder(EmbeddedPostgresServer.dataSource()).schema(schema)
                .eventStore(store -> store.pollInterval(Duration.ofHours(1))).build();
             Nexus nexus = application().engines(engines).build();
             var otherPool = EmbeddedPostgresServer.newPool(2);
             PostgresEventStore otherProcess = PostgresEventStore.builder(otherPool).schema(schema).build();
             LogTracker tracker = nexus.logTracker("counter").pollInterval(Duration.ofHours(1)).build()) {
            List<EventEnvelope> handled = new ArrayList<>();
            tracker.start(batch -> {
                synchronized (handled) {
                    handled.addAll(batch);
                    handled.notifyAll();
                }
                return batch.get(batch.size() - 1).globalPosition();
            });
            List<UUID> appended = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                NewEvent event = noted("n" + i);
                appended.add(event.eventId());
                otherProcess.append("note-" + i, "Note", ExpectedVersion.noStream(), List.of(event));
            }
            synchronized (handled) {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (handled.size() < appended.size() && System.nanoTime() < deadline) {
                    handled.wait(100);
                }
                assertEquals(appended, handled.stream().map(EventEnvelope::eventId).toList(),
                        "the tracker handled the other process's appends, in log order");
            }
            long head = otherProcess.headPosition();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (tracker.checkpointedPosition() < head && System.nanoTime() < deadline) {
                tracker.wake();
                LockSupport.parkNanos(1_000_000);
            }
            assertEquals(String.valueOf(head), nexus.checkpoints().load("counter", Checkpoint.GLOBAL).orElseThrow()
                    .position(), "the tracker's checkpoint in PostgreSQL");
        }
    }

    /**
     * The database is unreachable for a while (every connection closed, new ones refused: a restart, a failover)
     * while an application with a projection runs and another process keeps appending: once it is back, the
     * projection has handled every event once, in log order, and its checkpoint is at the head.
     */
    @Test
    void anApplicationRidesOutADatabaseOutage() throws Exception {
        String schema = EmbeddedPostgresServer.freshSchema("outage");
        URI server = URI.create(EmbeddedPostgresServer.jdbcUrl().substring("jdbc:".length()));
        List<UUID> handled = new CopyOnWriteArrayList<>();
        try (LogCapture logs = LogCapture.start();
             TcpProxy proxy = TcpProxy.to(server.getHost(), server.getPort());
             PostgresEngines engines = PostgresEngines.builder("jdbc:postgresql://127.0.0.1:" + proxy.port()
                             + server.getPath(), "postgres", null)
                     .schema(schema).poolSize(4).networkTimeout(Duration.ofSeconds(2)).build();
             Nexus nexus = application().engines(engines)
                     .projection(Projection.handling("notes")
                             .on(Noted.class, (event, envelope) -> handled.add(envelope.eventId()))
                             .build())
                     .build();
             PostgresEventStore otherProcess = PostgresEventStore.builder(EmbeddedPostgresServer.dataSource())
                     .schema(schema).createSchema(false).build()) {
            nexus.start();
            List<UUID> appended = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                if (i == 10) {
                    Await.until("the projection handled the first ten", Duration.ofSeconds(30), () -> handled.size() == 10);
                    proxy.cut();
                }
                if (i == 20) {
                    Await.until("the application noticed the outage", Duration.ofSeconds(30),
                            () -> logs.text().contains("lost its LISTEN connection"));
                    assertEquals(10, handled.size(), "nothing handled while the database was unreachable");
                    proxy.restore();
                }
                NewEvent event = noted("n" + i);
                appended.add(event.eventId());
                otherProcess.append("note-" + i, "Note", ExpectedVersion.noStream(), List.of(event));
            }
            Await.until("the projection handled every event", Duration.ofSeconds(60), () -> handled.size() >= appended.size());
            assertEquals(appended, handled, "every event once, in log order");
            long head = otherProcess.headPosition();
            Await.until("the checkpoint reaches the head", Duration.ofSeconds(30), () -> nexus.checkpoints()
                    .load("notes", Checkpoint.GLOBAL).map(c -> Long.parseLong(c.position()) == head).orElse(false));
            Await.until("the application listens for other processes' appends again", Duration.ofSeconds(30),
                    () -> logs.text().contains("listens again"));
        }
    }

    @Test
    void aPortTheApplicationAlreadySetIsNotSetAgain() {
        try (PostgresEngines engines = PostgresEngines.builder(EmbeddedPostgresServer.dataSource())
                .schema(EmbeddedPostgresServer.freshSchema("engines")).build()) {
            Nexus.Builder builder = application().deadLetterQueue(new InMemoryDeadLetterQueue());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> builder.engines(engines));
            assertTrue(e.getMessage().contains("deadLetterQueue"), e.getMessage());
        }
    }

    @Test
    void settingsAreCheckedWhenGiven() {
        assertThrows(IllegalArgumentException.class, () -> PostgresEngines.builder("jdbc:mysql://x/db", "u", "p"));
        assertThrows(IllegalArgumentException.class, () -> PostgresEngines.builder(EmbeddedPostgresServer.dataSource())
                .schema("Orders; DROP TABLE x"));
        assertThrows(IllegalStateException.class, () -> PostgresEngines.builder(EmbeddedPostgresServer.dataSource())
                .poolSize(8));
        IllegalStateException twice = assertThrows(IllegalStateException.class,
                () -> PostgresEngines.builder(EmbeddedPostgresServer.dataSource()).schema("a").schema("b"));
        assertTrue(twice.getMessage().contains("schema was already set to a"), twice.getMessage());
    }

    private static NewEvent noted(String text) {
        return NewEvent.of("Noted", 1, EventPayload.ofJson("{\"text\":\"" + text + "\"}"));
    }
}
