package io.nexus.core.checkpoint;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one shard-checkpoint encoding and the parent-before-child rule shared by the Kinesis and DynamoDB readers. */
class ShardCheckpointsTest {

    private final InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    private final ShardCheckpoints shards = ShardCheckpoints.over(store);

    @Test
    void checkpointsRoundTripInOneDocumentedEncoding() {
        assertEquals(Optional.empty(), shards.load("reader", "shard-a"));
        shards.save("reader", ShardCheckpoint.at("shard-a", "4960"));
        assertEquals("4960", store.load("reader", "shard-a").orElseThrow().position());
        shards.save("reader", ShardCheckpoint.at("shard-a", "4961").finish());
        assertEquals("4961/finished", store.load("reader", "shard-a").orElseThrow().position());
        shards.save("reader", new ShardCheckpoint("shard-b", null, true));
        assertEquals("-/finished", store.load("reader", "shard-b").orElseThrow().position());

        assertEquals(Map.of("shard-a", new ShardCheckpoint("shard-a", "4961", true),
                "shard-b", new ShardCheckpoint("shard-b", null, true)), shards.loadAll("reader"));
        assertEquals(new ShardCheckpoint("shard-c", null, true), ShardCheckpoints.decode("shard-c", "SHARD_END"),
                "the finished marker of earlier Kinesis bus releases still reads as finished");
        assertThrows(IllegalArgumentException.class, () -> ShardCheckpoint.at("shard-a", "12/3"));
    }

    @Test
    void aShardIsReadyOnceEveryListedParentIsFinished() {
        ShardLineage lineage = ShardLineage.of(List.of(
                new ShardLineage.Shard("merged", "left", "right"),
                ShardLineage.Shard.of("left", null),
                ShardLineage.Shard.of("right", "gone"),
                ShardLineage.Shard.of("child", "left")));
        ShardLineage.Shard merged = new ShardLineage.Shard("merged", "left", "right");

        assertFalse(lineage.isReady(merged, Set.of("left")::contains), "waits for both parents of a merge");
        assertTrue(lineage.isReady(merged, Set.of("left", "right")::contains));
        assertTrue(lineage.isReady(ShardLineage.Shard.of("right", "gone"), id -> false),
                "a parent no longer listed (past retention) holds nothing back");

        List<String> order = lineage.parentsFirst().stream().map(ShardLineage.Shard::shardId).toList();
        assertEquals(4, order.size());
        assertTrue(order.indexOf("left") < order.indexOf("merged") && order.indexOf("right") < order.indexOf("merged"), order.toString());
        assertTrue(order.indexOf("left") < order.indexOf("child"), order.toString());
    }
}
