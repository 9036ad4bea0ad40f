package io.nexus.dynamodb;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.NewEvent;
import io.nexus.core.projection.Projection;
import io.nexus.core.projection.ProjectionHealth;
import io.nexus.core.projection.ProjectionProcessor;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.serialization.EventType;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.testkit.Await;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A projection built from zero on DynamoDB alone: the core projection processor reads the DynamoDB
 * global log from position zero, keeps its checkpoint in the DynamoDB checkpoint table, and a new
 * processor over the same tables resumes where the first one stopped, each event applied once.
 */
class DynamoDbProjectionTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @EventType("Deposited")
    record Deposited(long amount) { }

    private static final EventCodec CODEC = EventCodec.jackson(EventTypes.builder().register(Deposited.class).build());

    /** Sums amounts per account and remembers the versions it applied, to catch a double application. */
    static final class Balances implements Projection {
        final Map<String, Long> balances = new ConcurrentHashMap<>();
        final Map<String, Long> lastVersion = new ConcurrentHashMap<>();

        @Override
        public String name() {
            return "balances";
        }

        @Override
        public Set<String> eventTypes() {
            return Set.of("Deposited");
        }

        @Override
        public void handle(Object event, EventEnvelope envelope) {
            long previous = lastVersion.getOrDefault(envelope.streamId(), 0L);
            if (envelope.version() != previous + 1) {
                throw new AssertionError("version " + envelope.version() + " of " + envelope.streamId() + " after " + previous);
            }
            lastVersion.put(envelope.streamId(), envelope.version());
            balances.merge(envelope.streamId(), ((Deposited) event).amount(), Long::sum);
        }

        long total() {
            return balances.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private static void deposit(DynamoDbEventStore store, String account, long... amounts) {
        List<NewEvent> events = new ArrayList<>();
        for (long amount : amounts) {
            events.add(CODEC.encode(new Deposited(amount), UUID.randomUUID(), null, null, Map.of()));
        }
        store.append(account, "Account", ExpectedVersion.any(), events);
    }

    @Test
    void aProjectionIsBuiltFromZeroAndResumesFromItsDynamoDbCheckpoint() throws Exception {
        DynamoDbTables.Names tables = DynamoDbLocal.freshTables("projection");
        DynamoDbEventStore store = DynamoDbEventStore.builder(DynamoDbLocal.client()).tableName(tables.events())
                .streamsClient(DynamoDbLocal.streamsClient()).subscriptionPollInterval(Duration.ofMillis(50)).build();
        DynamoDbCheckpointStore checkpoints = new DynamoDbCheckpointStore(DynamoDbLocal.client(), tables.checkpoints());
        try (DynamoDbLogIndexer indexer = DynamoDbLogIndexer.builder(DynamoDbLocal.client(), DynamoDbLocal.streamsClient())
                .tableName(tables.events()).build()) {
            indexer.start();
            buildAndResume(store, checkpoints);
        }
    }

    private void buildAndResume(DynamoDbEventStore store, DynamoDbCheckpointStore checkpoints) throws Exception {
        for (int i = 0; i < 20; i++) {
            deposit(store, "acc-" + (i % 5), 1, 2, 3);
        }

        Balances first = new Balances();
        try (ProjectionProcessor processor = ProjectionProcessor.builder(first, store, CODEC).checkpoints(checkpoints)
                .pollInterval(Duration.ofMillis(50)).build()) {
            processor.start();
            Await.until("the first 60 events", WAIT, () -> first.total() == 120);
            Await.until("the checkpoint to reach the head", WAIT, () -> processor.position() == store.headPosition());
        }
        assertEquals(Map.of("acc-0", 24L, "acc-1", 24L, "acc-2", 24L, "acc-3", 24L, "acc-4", 24L), first.balances);

        for (int i = 0; i < 5; i++) {
            deposit(store, "acc-" + i, 100);
        }
        Balances resumed = new Balances();
        for (int i = 0; i < 5; i++) {
            resumed.lastVersion.put("acc-" + i, 12L);
        }
        try (ProjectionProcessor processor = ProjectionProcessor.builder(resumed, store, CODEC).checkpoints(checkpoints)
                .pollInterval(Duration.ofMillis(50)).build()) {
            processor.start();
            Await.until("the 5 new events", WAIT, () -> resumed.total() == 500);
            deposit(store, "acc-0", 7);
            Await.until("a live append after the catch-up", WAIT, () -> resumed.total() == 507);
        }
        assertEquals(107L, resumed.balances.get("acc-0"), "only events after the stored checkpoint were applied again");
    }

    @Test
    void aStoreWithoutAStreamsClientIsFollowedByPollingAndAStopStartWorks() throws Exception {
        DynamoDbTables.Names tables = DynamoDbLocal.freshTables("polled");
        DynamoDbEventStore store = DynamoDbEventStore.builder(DynamoDbLocal.client()).tableName(tables.events()).build();
        DynamoDbCheckpointStore checkpoints = new DynamoDbCheckpointStore(DynamoDbLocal.client(), tables.checkpoints());
        // The store has no Streams client (no change capture: the tracker polls); the global log is indexed by an
        // indexer that runs elsewhere, as in a process that only reads.
        try (DynamoDbLogIndexer indexer = DynamoDbLogIndexer.builder(DynamoDbLocal.client(), DynamoDbLocal.streamsClient())
                .tableName(tables.events()).build()) {
            indexer.start();
            followByPolling(store, checkpoints);
        }
    }

    private void followByPolling(DynamoDbEventStore store, DynamoDbCheckpointStore checkpoints) throws Exception {
        deposit(store, "acc-1", 1, 2);
        Balances balances = new Balances();
        try (ProjectionProcessor processor = ProjectionProcessor.builder(balances, store, CODEC).checkpoints(checkpoints)
                .pollInterval(Duration.ofMillis(50)).build()) {
            processor.start();
            Await.until("the stored events, read by polling", WAIT, () -> balances.total() == 3);
            deposit(store, "acc-1", 4);
            Await.until("a later append, found by the next poll", WAIT, () -> balances.total() == 7);
            assertEquals(ProjectionHealth.Status.RUNNING, processor.health().status());

            processor.stop();
            assertEquals(ProjectionHealth.Status.STOPPED, processor.health().status());
            deposit(store, "acc-1", 8);
            processor.start();
            Await.until("the append made while stopped, after a restart", WAIT, () -> balances.total() == 15);
        }
        assertEquals(4L, balances.lastVersion.get("acc-1"), "each event applied once, in version order");
    }
}
