package io.nexus.dynamodb;

import io.nexus.core.checkpoint.ShardCheckpoints;
import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The core checkpoint port on DynamoDB Local, and the shard-checkpoint view over the port. */
class DynamoDbCheckpointStoreTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00.123456Z");

    private DynamoDbCheckpointStore store;

    @BeforeEach
    void setUp() {
        DynamoDbTables.Names tables = DynamoDbLocal.freshTables("checkpoint");
        store = new DynamoDbCheckpointStore(DynamoDbLocal.client(), tables.checkpoints(), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void savesLoadsAndReplacesEvenBackwards() {
        assertEquals(Optional.empty(), store.load("projection", Checkpoint.GLOBAL));
        store.save("projection", Checkpoint.GLOBAL, "42");
        assertEquals(new Checkpoint("projection", Checkpoint.GLOBAL, "42", NOW), store.load("projection", Checkpoint.GLOBAL).orElseThrow());
        store.save("projection", Checkpoint.GLOBAL, "7");
        assertEquals(7, store.load("projection", Checkpoint.GLOBAL).orElseThrow().positionAsLong());
    }

    @Test
    void loadsAllPartitionsOfAConsumerAndResetsThem() {
        store.save("group", "shard-1", "100");
        store.save("group", "shard-2", "200");
        store.save("other", "shard-1", "999");

        Map<String, Checkpoint> all = store.loadAll("group");
        assertEquals(Map.of("shard-1", "100", "shard-2", "200"),
                Map.of("shard-1", all.get("shard-1").position(), "shard-2", all.get("shard-2").position()));
        assertEquals(2, all.size());

        store.reset("group");
        assertEquals(Map.of(), store.loadAll("group"));
        assertEquals("999", store.load("other", "shard-1").orElseThrow().position());
    }

    @Test
    void rejectsBlankNames() {
        assertThrows(IllegalArgumentException.class, () -> store.save(" ", "p", "1"));
        assertThrows(IllegalArgumentException.class, () -> store.save("c", "", "1"));
        assertThrows(IllegalArgumentException.class, () -> store.save("c", "p", " "));
        assertThrows(IllegalArgumentException.class, () -> store.load("c", null));
    }

    @Test
    void aMissingTableIsAPermanentError() {
        DynamoDbCheckpointStore missing = new DynamoDbCheckpointStore(DynamoDbLocal.client(), "no-such-checkpoints");
        DynamoDbAccessException e = assertThrows(DynamoDbAccessException.class, () -> missing.load("c", "p"));
        assertFalse(e.isTransient());
    }

    @Test
    void shardCheckpointsAreStoredInTheOneSharedEncoding() {
        ShardCheckpoints shards = ShardCheckpoints.over(store);
        shards.save("reader", io.nexus.core.checkpoint.ShardCheckpoint.at("shard-a", "000123"));
        assertEquals("000123", store.load("reader", "shard-a").orElseThrow().position());
        shards.save("reader", new io.nexus.core.checkpoint.ShardCheckpoint("shard-a", "000456", true));
        assertEquals("000456/finished", store.load("reader", "shard-a").orElseThrow().position());
        assertEquals(new io.nexus.core.checkpoint.ShardCheckpoint("shard-a", "000456", true),
                shards.load("reader", "shard-a").orElseThrow());
    }

    @Test
    @SuppressWarnings("deprecation")
    void shardCheckpointsRoundTripThroughTheDeprecatedViewOfTheCorePort() {
        for (var port : java.util.List.of(store, new InMemoryCheckpointStore())) {
            ShardCheckpointStore shards = ShardCheckpointStore.over(port);
            assertEquals(Optional.empty(), shards.load("reader", "shard-a"));
            shards.save("reader", new ShardCheckpoint("shard-a", null, false));
            assertEquals(new ShardCheckpoint("shard-a", null, false), shards.load("reader", "shard-a").orElseThrow());
            shards.save("reader", new ShardCheckpoint("shard-a", "000123", false));
            assertEquals(new ShardCheckpoint("shard-a", "000123", false), shards.load("reader", "shard-a").orElseThrow());
            shards.save("reader", new ShardCheckpoint("shard-a", "000456", true));
            assertEquals(new ShardCheckpoint("shard-a", "000456", true), shards.load("reader", "shard-a").orElseThrow());
            shards.save("reader", new ShardCheckpoint("shard-b", null, true));
            assertEquals(new ShardCheckpoint("shard-b", null, true), shards.load("reader", "shard-b").orElseThrow());
        }
    }
}
