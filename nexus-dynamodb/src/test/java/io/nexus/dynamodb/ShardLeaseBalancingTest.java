package io.nexus.dynamodb;

import io.nexus.testkit.Await;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shard leases of leased change capture on a lease table in DynamoDB Local, with six shard ids (DynamoDB Local
 * gives a Stream only one open shard, so the shards here are named rather than listed): three processes split
 * them two each; when one stops renewing, the other two take its shards and hold three each; a process that
 * closes releases its leases and another takes them at its next tick, without waiting for them to run out; a
 * holder whose lease was taken cannot move the checkpoint, and the taker starts at the last checkpoint. End to
 * end on the Stream's one shard: a reader that closes releases its lease, and another reader of the name goes on
 * after its checkpoint without delivering anything twice.
 */
class ShardLeaseBalancingTest {

    private static final List<String> SHARDS = List.of("shard-0", "shard-1", "shard-2", "shard-3", "shard-4", "shard-5");
    private static final Duration BOUND = Duration.ofSeconds(60);

    private final String table = DynamoDbLocal.freshTables("leases").checkpoints();

    private ShardLeaseCoordinator process(String owner) {
        return new ShardLeaseCoordinator(DynamoDbShardLeases.builder(DynamoDbLocal.client(), table).owner(owner)
                .leaseDuration(Duration.ofMillis(600)).build(), "balanced");
    }

    @Test
    void threeProcessesSplitTheShardsAndTheSurvivorsTakeOverFromOneThatStopsRenewing() {
        ShardLeaseCoordinator p1 = process("p1");
        ShardLeaseCoordinator p2 = process("p2");
        ShardLeaseCoordinator p3 = process("p3");
        List<ShardLeaseCoordinator> all = List.of(p1, p2, p3);
        Await.until("the three processes hold two shards each, every shard once", BOUND, () -> {
            all.forEach(p -> p.tick(SHARDS));
            return all.stream().allMatch(p -> p.heldShards().size() == 2) && union(all).equals(new HashSet<>(SHARDS));
        });
        Set<String> orphaned = p3.heldShards();

        List<ShardLeaseCoordinator> survivors = List.of(p1, p2); // p3 stops renewing: it died
        Await.until("the two survivors hold three shards each, p3's included", BOUND, () -> {
            survivors.forEach(p -> p.tick(SHARDS));
            return survivors.stream().allMatch(p -> p.heldShards().size() == 3) && union(survivors).equals(new HashSet<>(SHARDS));
        });
        assertTrue(union(survivors).containsAll(orphaned));
        assertThrows(ShardLeaseCoordinator.LeaseLostException.class,
                () -> p3.checkpoint(orphaned.iterator().next(), "100", false),
                "the dead process's lease is gone: it cannot move the checkpoint");

        Set<String> released = p2.heldShards();
        p2.releaseAll();
        p1.tick(SHARDS);
        assertEquals(new HashSet<>(SHARDS), p1.heldShards(), "p1 took p2's released shards at its next tick");
        assertTrue(p1.heldShards().containsAll(released));
    }

    @Test
    void aTakeoverStartsAtTheLastCheckpointAndTheFormerHolderCannotMoveIt() {
        ShardLeaseCoordinator first = process("first");
        ShardLeaseCoordinator second = process("second");
        List<String> one = List.of("shard-a");
        first.tick(one);
        assertEquals(Set.of("shard-a"), first.heldShards());
        first.checkpoint("shard-a", "000000000000000000042", false);

        Await.until("the lease runs out and the second process takes it", BOUND, () -> {
            second.tick(one);
            return second.holds("shard-a");
        });
        assertEquals("000000000000000000042", second.lease("shard-a").sequence(), "the taker resumes after the checkpoint");
        assertThrows(ShardLeaseCoordinator.LeaseLostException.class,
                () -> first.checkpoint("shard-a", "000000000000000000099", false));
        first.tick(one);
        assertEquals(Set.of(), first.heldShards(), "the former holder learns at its next tick that it lost the lease");
        second.checkpoint("shard-a", "000000000000000000050", true);
        second.tick(one);
        assertEquals(Set.of(), second.heldShards(), "a finished shard is not leased any more");
    }

    @Test
    void aReaderThatClosesHandsItsShardToAnotherWithoutDuplicates() {
        DynamoDbTables.Names tables = DynamoDbLocal.freshTables("handover");
        DynamoDbEventStore store = DynamoDbEventStore.builder(DynamoDbLocal.client()).tableName(tables.events()).build();
        List<io.nexus.core.event.EventEnvelope> first = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<io.nexus.core.event.EventEnvelope> second = new java.util.concurrent.CopyOnWriteArrayList<>();
        DynamoDbChangeCapture a = leasedReader(tables, "a", first);
        DynamoDbChangeCapture b = leasedReader(tables, "b", second);
        store.append("order-1", "Order", io.nexus.core.store.ExpectedVersion.noStream(), DynamoDbEventStoreTest.events(3));
        Await.until("the first reader takes the shard and delivers the first append", BOUND, () -> {
            a.pollOnce();
            return first.size() == 3;
        });
        assertEquals(0, b.pollOnce(), "the second reader stands by while the first holds the shard");
        assertEquals(Set.of(), b.leasedShards());

        store.append("order-1", "Order", io.nexus.core.store.ExpectedVersion.exactly(3), DynamoDbEventStoreTest.events(2));
        String shard = a.leasedShards().iterator().next();
        a.close();
        assertEquals(Set.of(), a.leasedShards());
        var lease = DynamoDbLocal.client().getItem(r -> r.tableName(tables.checkpoints()).consistentRead(true).key(Map.of(
                "pk", AttributeValue.fromS("\u001Flease\u001Fhandover"), "sk", AttributeValue.fromS(shard)))).item();
        assertEquals("", lease.get("own").s(), "close released the lease in the table: the next tick of another reader takes it");
        Await.until("the second reader takes the released shard and delivers what follows the checkpoint", BOUND, () -> {
            b.pollOnce();
            return second.size() >= 2;
        });
        assertEquals(List.of(4L, 5L), second.stream().map(io.nexus.core.event.EventEnvelope::version).toList(),
                "a graceful handover delivers nothing twice");
        b.close();
    }

    private static DynamoDbChangeCapture leasedReader(DynamoDbTables.Names tables, String owner,
                                                      List<io.nexus.core.event.EventEnvelope> sink) {
        return DynamoDbChangeCapture.builder(DynamoDbLocal.client(), DynamoDbLocal.streamsClient())
                .tableName(tables.events()).readerName("handover")
                .leases(DynamoDbShardLeases.builder(DynamoDbLocal.client(), tables.checkpoints()).owner(owner)
                        .leaseDuration(Duration.ofMillis(1500)).build())
                .listener(sink::addAll).build();
    }

    private static Set<String> union(List<ShardLeaseCoordinator> processes) {
        Set<String> out = new HashSet<>();
        int total = 0;
        for (ShardLeaseCoordinator p : processes) {
            out.addAll(p.heldShards());
            total += p.heldShards().size();
        }
        return total == out.size() ? out : Set.of("a shard is held twice");
    }

}
