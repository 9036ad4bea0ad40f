package io.nexus.kinesis;

import io.nexus.core.event.EventEnvelope;
import io.nexus.kinesis.internal.EnvelopeCodec;
import io.nexus.testkit.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.nexus.kinesis.KinesisTesting.await;
import static io.nexus.kinesis.KinesisTesting.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A leased consumer group in separate JVMs ({@link LeasedConsumerProcess}) on a six-shard stream, with its
 * leases on DynamoDB Local: two (then, in a second test, three) processes start together and split the shards;
 * one of them is killed with SIGKILL in the middle of a batch (its consumer stops at a marker event) and the
 * others take its shards over. Afterwards:
 * <ul>
 *   <li>every event was handled, and each process handled each aggregate's events in order without a gap;</li>
 *   <li>an event was handled twice only if the killed process handled it first and it lies in the killed
 *       process's at-least-once window on its shard: the records it handled after the shard's last
 *       checkpoint, which is at most one batch ({@link LeaseTables#BATCH} records) and ends with the last
 *       record it handled on that shard. Nothing else is handled twice, and nothing three times.</li>
 * </ul>
 * Every wait is a bounded await on what the processes report; the bounds are generous for a loaded machine.
 */
class LeasedConsumerGroupCrashTest {

    /** The prefix of a line a child prints for each event it handled: {@code "H <stream id> <version>"}. */
    private static final String HANDLED = "H ";

    private static final int SHARDS = 6;
    private static final int KEYS = 24;
    private static final int VERSIONS_PER_ROUND = 8;
    private static final Duration BOUND = Duration.ofSeconds(180);
    private static final String GROUP = "crash";

    private final KinesisMock mock = KinesisMock.get();
    private final List<ChildJvm> children = new ArrayList<>();
    private String stream;

    /** The processes' output, kept under target/ for a look after a failure. */
    private Path dir;

    @AfterEach
    void stop() {
        children.forEach(ChildJvm::close);
        if (stream != null) {
            mock.deleteStream(stream);
        }
    }

    @Test
    void twoConsumerJvmsSplitTheShardsAndTheSurvivorTakesOverAfterASigkill() throws Exception {
        runGroup(2);
    }

    @Test
    void threeConsumerJvmsSplitTheShardsAndTheSurvivorsTakeOverAfterASigkill() throws Exception {
        runGroup(3);
    }

    /**
     * Starts {@code processes} consumer JVMs together, waits until they split the shards, publishes one round of
     * events, kills the process that stops at the marker mid-batch, and checks what was handled.
     */
    private void runGroup(int processes) throws Exception {
        stream = mock.createStream("leased-crash", SHARDS);
        dir = Files.createDirectories(Path.of("target", "leased-crash", stream));
        try (DynamoDbAsyncClient dynamoDb = LeaseTables.dynamoDb(LeaseTables.dynamoDb())) {
            LeaseTables.createLeaseTable(dynamoDb, GROUP + "-" + stream);
        }
        Set<String> allShards = new TreeSet<>();
        mock.shards(stream).forEach(s -> allShards.add(s.shardId()));
        String[] marker = {dir.resolve("marker").toString(), "order-3", "4"};
        for (int i = 1; i <= processes; i++) {
            start("p" + i, marker);
        }
        awaitSplit(allShards, live());
        try (KinesisEventBus publisher = KinesisEventBus.builder(mock.admin()).primaryStream(stream).build()) {
            publisher.publish(round(1));
        }
        ChildJvm victim = awaitBlocked();
        victim.kill();
        await("the " + (processes - 1) + " survivors hold every shard and handled every event", BOUND,
                () -> holdsAll(live(), allShards) && handledAll(1));

        Map<String, String> shardOf = shardOfEachEvent(mock.admin(), stream);
        Map<String, List<String>> handlersOf = new HashMap<>();
        for (ChildJvm child : children) {
            List<String> handled = child.linesAfter(HANDLED);
            assertEquals(handled.size(), new HashSet<>(handled).size(), "process " + child.name() + " handled an event twice");
            assertInOrderPerKey(child.name(), handled);
            for (String event : handled) {
                handlersOf.computeIfAbsent(event, e -> new ArrayList<>()).add(child.name());
            }
        }
        assertEquals(shardOf.keySet(), handlersOf.keySet(), "every event on the stream was handled, nothing else");
        assertDuplicatesWithinTheKilledBatches(handlersOf, shardOf, victim);
    }

    private List<EventEnvelope> round(int round) {
        List<EventEnvelope> events = new ArrayList<>();
        int first = (round - 1) * VERSIONS_PER_ROUND + 1;
        for (int v = first; v < first + VERSIONS_PER_ROUND; v++) {
            for (int k = 0; k < KEYS; k++) {
                events.add(event("order-" + k, v, "Placed"));
            }
        }
        return events;
    }

    private boolean handledAll(int round) {
        Set<String> handled = new HashSet<>();
        for (ChildJvm child : children) {
            handled.addAll(child.linesAfter(HANDLED));
        }
        for (int v = 1; v <= round * VERSIONS_PER_ROUND; v++) {
            for (int k = 0; k < KEYS; k++) {
                if (!handled.contains("order-" + k + " " + v)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * For each event handled twice: the killed process handled it first, then one other process. Per shard, those
     * events are the killed process's last handled records there, contiguous in shard order, at most one batch.
     */
    private static void assertDuplicatesWithinTheKilledBatches(Map<String, List<String>> handlersOf, Map<String, String> shardOf,
                                                               ChildJvm... victims) {
        Set<String> victimNames = new HashSet<>();
        for (ChildJvm victim : victims) {
            victimNames.add(victim.name());
        }
        for (Map.Entry<String, List<String>> e : handlersOf.entrySet()) {
            List<String> handlers = e.getValue();
            assertTrue(handlers.size() <= 2, "event " + e.getKey() + " was handled by " + handlers);
            if (handlers.size() == 2) {
                assertTrue(victimNames.contains(handlers.get(0)) || victimNames.contains(handlers.get(1)),
                        "event " + e.getKey() + " was handled twice, by " + handlers + ", neither of them killed");
            }
        }
        for (ChildJvm victim : victims) {
            Map<String, List<String>> byShard = new LinkedHashMap<>();
            for (String event : victim.linesAfter(HANDLED)) {
                byShard.computeIfAbsent(shardOf.get(event), s -> new ArrayList<>()).add(event);
            }
            for (Map.Entry<String, List<String>> shard : byShard.entrySet()) {
                List<String> handled = shard.getValue();
                int firstDuplicate = handled.size();
                while (firstDuplicate > 0 && handlersOf.get(handled.get(firstDuplicate - 1)).size() == 2) {
                    firstDuplicate--;
                }
                List<String> duplicates = handled.subList(firstDuplicate, handled.size());
                for (String earlier : handled.subList(0, firstDuplicate)) {
                    assertEquals(1, handlersOf.get(earlier).size(), "process " + victim.name() + " handled " + earlier
                            + " on shard " + shard.getKey() + " before its last checkpoint there, yet it was handled again");
                }
                assertTrue(duplicates.size() <= LeaseTables.BATCH, "process " + victim.name() + " had " + duplicates.size()
                        + " records of shard " + shard.getKey() + " handled again, more than one batch of " + LeaseTables.BATCH
                        + ": " + duplicates);
            }
        }
    }

    /** A process's own handling of each aggregate: consecutive versions, each once. */
    private static void assertInOrderPerKey(String name, List<String> handled) {
        Map<String, Long> last = new HashMap<>();
        for (String event : handled) {
            String[] parts = event.split(" ");
            long version = Long.parseLong(parts[1]);
            Long previous = last.put(parts[0], version);
            if (previous != null && version != previous + 1) {
                fail("process " + name + " handled " + parts[0] + " version " + version + " after " + previous + ": " + handled);
            }
        }
    }

    private static Map<String, String> shardOfEachEvent(KinesisClient client, String stream) {
        Map<String, String> out = new HashMap<>();
        for (Shard shard : client.listShards(r -> r.streamName(stream)).shards()) {
            String iterator = client.getShardIterator(r -> r.streamName(stream).shardId(shard.shardId())
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            while (iterator != null) {
                String current = iterator;
                GetRecordsResponse response = client.getRecords(r -> r.shardIterator(current));
                for (Record record : response.records()) {
                    EventEnvelope e = EnvelopeCodec.decode(record.data().asByteArray(), record.sequenceNumber());
                    out.put(e.streamId() + " " + e.version(), shard.shardId());
                }
                iterator = response.records().isEmpty() ? null : response.nextShardIterator();
            }
        }
        return out;
    }

    private void awaitSplit(Set<String> allShards, List<ChildJvm> processes) {
        await("the " + processes.size() + " processes split the " + allShards.size() + " shards between them, "
                + "each holding at least one", BOUND, () -> {
            Set<String> union = new HashSet<>();
            int total = 0;
            for (ChildJvm child : processes) {
                Set<String> shards = shards(child);
                if (shards.isEmpty()) {
                    return false;
                }
                union.addAll(shards);
                total += shards.size();
            }
            return total == allShards.size() && union.equals(allShards);
        });
    }

    private static boolean holdsAll(List<ChildJvm> processes, Set<String> allShards) {
        Set<String> union = new HashSet<>();
        int total = 0;
        for (ChildJvm child : processes) {
            union.addAll(shards(child));
            total += shards(child).size();
        }
        return total == allShards.size() && union.equals(allShards);
    }

    private ChildJvm awaitBlocked() {
        ChildJvm[] blocked = new ChildJvm[1];
        await("a process stops at the marker event in the middle of its batch", BOUND, () -> {
            for (ChildJvm child : live()) {
                if (!child.linesAfter("BLOCKED ").isEmpty()) {
                    blocked[0] = child;
                    return true;
                }
            }
            return false;
        });
        return blocked[0];
    }


    private List<ChildJvm> live() {
        return children.stream().filter(c -> c.isAlive()).toList();
    }

    private void start(String name, String... markers) throws IOException {
        List<String> args = new ArrayList<>(List.of(mock.endpoint().toString(), LeaseTables.dynamoDb().toString(), stream,
                GROUP, name));
        args.addAll(List.of(markers));
        children.add(ChildJvm.start(name, dir, List.of("-Xmx256m"), LeasedConsumerProcess.class, args));
    }

    /** The shards {@code child} holds, as it last reported; none once it is dead. */
    private static Set<String> shards(ChildJvm child) {
        return child.isAlive() ? child.lastItemsAfter("SHARDS ") : Set.of();
    }
}
