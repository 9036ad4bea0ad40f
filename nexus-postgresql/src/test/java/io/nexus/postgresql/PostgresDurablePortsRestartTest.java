package io.nexus.postgresql;

import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.readmodel.Versioned;
import io.nexus.core.scheduler.ScheduledTimer;
import io.nexus.core.snapshot.Snapshot;
import io.nexus.core.temporal.AuditRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What one set of PostgreSQL stores wrote, a second set built on the same schema (as after a restart)
 * reads back exactly, instants to the nanosecond; and building twice leaves the schema as it was.
 */
class PostgresDurablePortsRestartTest {

    private static final Instant T0 = Instant.parse("2026-11-30T08:00:00.123456789Z");

    record Summary(String status, int lines) {
    }

    @Test
    void everyPortKeepsItsDataAcrossANewSetOfStores() {
        String schema = EmbeddedPostgresServer.freshSchema("restart");
        EventEnvelope event = new EventEnvelope(UUID.randomUUID(), "order-1", "Order", 3, 17, "OrderPaid", 2, T0,
                "corr", "cause", Map.of("tenant", "acme"), EventPayload.ofJson("{\"amount\":42}"));
        DeadLetter letter = DeadLetter.of("summaries", event, new IllegalStateException("projection bug"), 5, T0,
                T0.plusNanos(1));
        ScheduledTimer timer = new ScheduledTimer("timeout-1", "fulfilment", T0.plusSeconds(60), "{\"saga\":\"s-1\"}");
        AuditRecord audit = new AuditRecord(T0, "client-1", Map.of("sub", "ada"), "Order", "order-1", "version 3",
                AuditRecord.Outcome.SUCCEEDED, "3 events", Duration.ofNanos(1_234_567));
        AuditRecord decision = new AuditRecord(T0.plusNanos(5), "policy", Map.of("sub", "ada"), "Order", "order-1",
                "append [OrderPaid]", AuditRecord.Outcome.DENIED, "refused", Duration.ofNanos(10), "append",
                "no-refunds", List.of("amount over limit", "after close"));
        Snapshot snapshot = new Snapshot("order-1", "Order", 3, 1, T0, EventPayload.ofJson("{\"paid\":true}"));

        Ports first = new Ports(schema);
        first.snapshots.save(snapshot);
        first.checkpoints.save("summaries", Checkpoint.GLOBAL, "17");
        first.deadLetters.put(letter);
        first.deadLetters.park("summaries", event);
        assertTrue(first.readModels.store("summaries", Summary.class).put("order-1", new Summary("PAID", 2), 3));
        first.audit.record(audit);
        first.audit.record(decision);
        first.timers.schedule(timer);

        Ports second = new Ports(schema);
        Snapshot readSnapshot = second.snapshots.latest("order-1").orElseThrow();
        assertEquals(snapshot.createdAt(), readSnapshot.createdAt(), "snapshot time");
        assertEquals(snapshot.state(), readSnapshot.state(), "snapshot state");
        assertEquals("17", second.checkpoints.load("summaries", Checkpoint.GLOBAL).orElseThrow().position(), "checkpoint");
        assertEquals(List.of(letter), second.deadLetters.list("summaries"), "dead letters");
        assertEquals(List.of(event), second.deadLetters.parked("summaries", "order-1"), "parked events");
        assertEquals(Optional.of(new Versioned<>("order-1", new Summary("PAID", 2), 3)),
                second.readModels.store("summaries", Summary.class).get("order-1"), "read model");
        assertFalse(second.readModels.store("summaries", Summary.class).put("order-1", new Summary("OLD", 1), 2),
                "an older version is refused by the second set too");
        assertEquals(List.of(audit, decision), second.audit.recent(10), "audit log, a policy decision included");
        assertEquals(List.of(timer), second.timers.pending("fulfilment"), "timers");
        assertEquals(PostgresSchema.latestVersion(), PostgresSchema.migrate(EmbeddedPostgresServer.dataSource(), schema),
                "migrating an up-to-date schema again");
    }

    /** One set of stores on a schema, migrating it as each is built. */
    private static final class Ports {
        final PostgresSnapshotStore snapshots;
        final PostgresCheckpointStore checkpoints;
        final PostgresDeadLetterQueue deadLetters;
        final PostgresReadModelStores readModels;
        final PostgresAuditLog audit;
        final PostgresScheduler timers;

        Ports(String schema) {
            var ds = EmbeddedPostgresServer.dataSource();
            snapshots = PostgresSnapshotStore.builder(ds).schema(schema).build();
            checkpoints = PostgresCheckpointStore.builder(ds).schema(schema).build();
            deadLetters = PostgresDeadLetterQueue.builder(ds).schema(schema).build();
            readModels = PostgresReadModelStores.builder(ds).schema(schema).build();
            audit = PostgresAuditLog.builder(ds).schema(schema).build();
            timers = PostgresScheduler.builder(ds).schema(schema).build();
        }
    }
}
