package io.nexus.dynamodb;

import io.nexus.core.Nexus;
import io.nexus.core.lease.InMemoryLeaseStore;
import io.nexus.core.lease.Lease;
import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.deadletter.InMemoryDeadLetterQueue;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.readmodel.InMemoryReadModelStores;
import io.nexus.core.scheduler.InMemoryScheduler;
import io.nexus.core.scheduler.ScheduledTimer;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.temporal.InMemoryAuditLog;
import io.nexus.testkit.Await;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link DynamoDbEngines}: one call on the Nexus builder puts every port on its DynamoDB table. */
class DynamoDbEnginesTest {

    record Noted(String text) {
    }

    private static Nexus.Builder application() {
        return Nexus.builder().eventTypes(EventTypes.builder().register(Noted.class, "Noted", 1).build());
    }

    @Test
    void oneCallSetsEveryPortOnItsTable() {
        DynamoDbTables.Names tables = DynamoDbLocal.freshAllTables("engines");
        DynamoDbEngines engines = DynamoDbEngines.builder(DynamoDbLocal.client()).streams(DynamoDbLocal.streamsClient())
                .tables(tables).build();
        try (Nexus nexus = application().engines(engines).build()) {
            nexus.start();
            assertInstanceOf(DynamoDbEventStore.class, nexus.eventStore());
            assertEquals(tables.events(), ((DynamoDbEventStore) nexus.eventStore()).tableName());
            assertInstanceOf(DynamoDbSnapshotStore.class, nexus.snapshotStore());
            assertInstanceOf(DynamoDbCheckpointStore.class, nexus.checkpoints());
            assertInstanceOf(DynamoDbDeadLetterQueue.class, nexus.deadLetters());
            assertInstanceOf(DynamoDbScheduler.class, nexus.timers());
            assertInstanceOf(DynamoDbAuditLog.class, nexus.auditLog());
            assertInstanceOf(DynamoDbReadModelStores.class, nexus.readModels());
            assertInstanceOf(DynamoDbLeaseStore.class, nexus.leases());

            // each port writes to the table of its name: stores built directly on those tables see the writes
            nexus.eventStore().append("note-1", "Note", ExpectedVersion.noStream(),
                    List.of(NewEvent.of("Noted", 1, EventPayload.ofJson("{\"text\":\"hi\"}"))));
            nexus.checkpoints().save("projection", Checkpoint.GLOBAL, "1");
            ScheduledTimer timer = new ScheduledTimer("t", "saga", Instant.parse("2026-12-01T00:00:00Z"), "");
            nexus.timers().schedule(timer);
            nexus.readModels().store("notes", Noted.class).put("note-1", new Noted("hi"), 1);
            Lease lease = nexus.leases().tryAcquire("projection", "node-1", java.time.Duration.ofMinutes(1)).orElseThrow();

            DynamoDbEventStore events = DynamoDbEventStore.builder(DynamoDbLocal.client()).tableName(tables.events()).build();
            assertEquals(1, events.currentVersion("note-1"));
            assertTrue(engines.logIndexer().isPresent(), "the log indexer is a component of the family");
            Await.until("the started log indexer to index the append", java.time.Duration.ofSeconds(60), () -> events.headPosition() == 1);
            assertEquals("note-1", events.readAll(1, 10).get(0).streamId());
            assertEquals("1", new DynamoDbCheckpointStore(DynamoDbLocal.client(), tables.checkpoints())
                    .load("projection", Checkpoint.GLOBAL).orElseThrow().position());
            assertEquals(List.of(timer), DynamoDbScheduler.builder(DynamoDbLocal.client()).tableName(tables.timers()).build()
                    .pending("saga"));
            assertEquals(new Noted("hi"), DynamoDbReadModelStores.builder(DynamoDbLocal.client())
                    .tableName(tables.readModels()).build().store("notes", Noted.class).get("note-1").orElseThrow().value());
            assertEquals(java.util.Optional.of(lease), DynamoDbLeaseStore.builder(DynamoDbLocal.client(), tables.checkpoints())
                    .build().current("projection"), "the lease is an item of the checkpoints table");
        }
    }

    @Test
    void theSamePortInstancesAreSetByEveryConfigure() {
        DynamoDbEngines engines = DynamoDbEngines.builder(DynamoDbLocal.client())
                .tables(DynamoDbTables.Names.withPrefix("engines-same-")).build();
        try (Nexus first = application().engines(engines).build(); Nexus second = application().engines(engines).build()) {
            assertSame(first.deadLetters(), second.deadLetters());
            assertSame(first.eventStore(), second.eventStore());
        }
    }

    @Test
    void aTableLeftOutKeepsThatPortsEmbeddedDefault() {
        DynamoDbTables.Names writeSide = new DynamoDbTables.Names("t-events", "t-snapshots", "t-checkpoints");
        try (Nexus nexus = application().engines(DynamoDbEngines.builder(DynamoDbLocal.client()).tables(writeSide).build())
                .build()) {
            assertInstanceOf(DynamoDbEventStore.class, nexus.eventStore());
            assertInstanceOf(DynamoDbCheckpointStore.class, nexus.checkpoints());
            assertInstanceOf(InMemoryDeadLetterQueue.class, nexus.deadLetters());
            assertInstanceOf(InMemoryScheduler.class, nexus.timers());
            assertInstanceOf(InMemoryAuditLog.class, nexus.auditLog());
            assertInstanceOf(InMemoryReadModelStores.class, nexus.readModels());
            assertInstanceOf(DynamoDbLeaseStore.class, nexus.leases(), "leases live in the checkpoints table");
        }
        try (Nexus nexus = application().engines(DynamoDbEngines.builder(DynamoDbLocal.client())
                .tables(new DynamoDbTables.Names(null, "t-snapshots", null)).build()).build()) {
            assertInstanceOf(InMemoryLeaseStore.class, nexus.leases(), "no checkpoints table, no lease table: no lease store");
        }
    }

    @Test
    void leasesGoToTheLeaseTableWhenOneIsNamed() {
        String leaseTable = DynamoDbLocal.freshTable("engines-leases", DynamoDbTables::checkpointsTable);
        DynamoDbTables.Names tables = new DynamoDbTables.Names(null, null,
                DynamoDbLocal.freshTable("engines-checkpoints", DynamoDbTables::checkpointsTable));
        DynamoDbEngines engines = DynamoDbEngines.builder(DynamoDbLocal.client()).tables(tables).leaseTable(leaseTable).build();
        try (Nexus nexus = application().engines(engines).build()) {
            Lease lease = nexus.leases().tryAcquire("projection", "node-1", java.time.Duration.ofMinutes(1)).orElseThrow();
            assertEquals(java.util.Optional.of(lease), DynamoDbLeaseStore.builder(DynamoDbLocal.client(), leaseTable).build()
                    .current("projection"));
            assertEquals(java.util.Optional.empty(), DynamoDbLeaseStore.builder(DynamoDbLocal.client(), tables.checkpoints())
                    .build().current("projection"), "nothing in the checkpoints table");
        }
        assertThrows(IllegalArgumentException.class, () -> DynamoDbEngines.builder(DynamoDbLocal.client()).leaseTable(" "));
    }

    @Test
    void aPortTheApplicationAlreadySetIsNotSetAgain() {
        DynamoDbEngines engines = DynamoDbEngines.builder(DynamoDbLocal.client())
                .tables(DynamoDbTables.Names.withPrefix("engines-twice-")).build();
        Nexus.Builder builder = application().deadLetterQueue(new InMemoryDeadLetterQueue());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> builder.engines(engines));
        assertTrue(e.getMessage().contains("'deadLetterQueue' was already set"), e.getMessage());
    }

    @Test
    void buildingWithoutTablesNamesWhatIsMissing() {
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> DynamoDbEngines.builder(DynamoDbLocal.client()).build());
        assertTrue(missing.getMessage().contains("tables is required"), missing.getMessage());
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> DynamoDbEngines.builder(DynamoDbLocal.client())
                        .tables(new DynamoDbTables.Names(null, null, null)).build());
        assertTrue(none.getMessage().contains("names no table"), none.getMessage());
    }
}
