package io.nexus.dynamodb;

import io.nexus.core.store.ExpectedVersion;
import io.nexus.testkit.Await;
import io.nexus.testkit.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A leased change-capture reader in separate JVMs ({@link LeasedCaptureProcess}) on DynamoDB Local: two (then,
 * in a second test, three) processes run one reader name with leases in the checkpoints table; the one that
 * reads the marker event stops there in the middle of its read and is killed with SIGKILL; another takes its
 * shard over. DynamoDB Local gives a table's Stream one open shard (it rolls shards over every four hours), so
 * here one process holds the shard and the others stand by; the split of several shards is
 * {@link ShardLeaseBalancingTest}'s. Afterwards:
 * <ul>
 *   <li>every event was handled, and each process handled each stream's events in order without a gap;</li>
 *   <li>an event was handled twice only if the killed process handled it first and it lies in the killed
 *       process's at-least-once window: the events it handled after its last checkpoint, at most one read of
 *       {@link LeasedCaptureProcess#BATCH} Stream records, ending with the last event it handled. Nothing else
 *       is handled twice, and nothing three times;</li>
 *   <li>exactly one surviving process holds the shard.</li>
 * </ul>
 * Every wait is a bounded await on what the processes report; the bounds are generous for a loaded machine.
 */
class LeasedChangeCaptureCrashTest {

    /** The prefix of a line a child prints for each event it handled: {@code "H <stream id> <version>"}. */
    private static final String HANDLED = "H ";

    private static final int KEYS = 10;
    private static final int VERSIONS = 4;
    private static final Duration BOUND = Duration.ofSeconds(120);

    private final List<ChildJvm> children = new ArrayList<>();
    private DynamoDbTables.Names tables;
    private Path dir;

    @AfterEach
    void stop() {
        children.forEach(ChildJvm::close);
    }

    @Test
    void twoReaderJvmsHandOverTheShardAfterASigkillMidRead() throws Exception {
        run(2);
    }

    @Test
    void threeReaderJvmsHandOverTheShardAfterASigkillMidRead() throws Exception {
        run(3);
    }

    private void run(int processes) throws Exception {
        tables = DynamoDbLocal.freshTables("leased");
        // A fresh folder per run: table names repeat across test JVMs, and an old marker file would block no process.
        dir = Files.createDirectories(Path.of("target", "leased-capture", tables.events() + "-" + java.util.UUID.randomUUID()));
        DynamoDbEventStore store = DynamoDbEventStore.builder(DynamoDbLocal.client()).tableName(tables.events()).build();
        // Appended before the readers start, so that the first holder reads full batches and the marker falls inside one.
        for (int v = 1; v <= VERSIONS; v++) {
            for (int k = 0; k < KEYS; k++) {
                store.append("order-" + k, "Order", ExpectedVersion.exactly(v - 1), DynamoDbEventStoreTest.events(1));
            }
        }
        for (int i = 1; i <= processes; i++) {
            start("p" + i);
        }
        ChildJvm victim = awaitBlocked();
        victim.kill();
        List<ChildJvm> survivors = children.stream().filter(c -> c != victim).toList();
        Await.until("a survivor holds the shard and every event was handled", BOUND, () ->
                survivors.stream().filter(c -> !shards(c).isEmpty()).count() == 1 && handledAll());

        Map<String, List<String>> handlersOf = new HashMap<>();
        for (ChildJvm child : children) {
            List<String> handled = child.linesAfter(HANDLED);
            assertEquals(handled.size(), new HashSet<>(handled).size(), "process " + child.name() + " handled an event twice");
            assertInOrderPerStream(child.name(), handled);
            for (String event : handled) {
                handlersOf.computeIfAbsent(event, e -> new ArrayList<>()).add(child.name());
            }
        }
        assertEquals(expected(), handlersOf.keySet(), "every event appended was handled, nothing else");
        assertDuplicatesWithinTheKilledRead(handlersOf, victim);
        for (ChildJvm survivor : survivors) {
            assertTrue(survivor.isAlive(), "process " + survivor.name() + " is still running");
        }
    }

    private static Set<String> expected() {
        Set<String> all = new TreeSet<>();
        for (int v = 1; v <= VERSIONS; v++) {
            for (int k = 0; k < KEYS; k++) {
                all.add("order-" + k + " " + v);
            }
        }
        return all;
    }

    private boolean handledAll() {
        Set<String> handled = new HashSet<>();
        children.forEach(c -> handled.addAll(c.linesAfter(HANDLED)));
        return handled.containsAll(expected());
    }

    /**
     * Events handled twice were handled by the killed process and then by one other; they are the killed process's
     * last handled events, contiguous, at most one read of Stream records.
     */
    private static void assertDuplicatesWithinTheKilledRead(Map<String, List<String>> handlersOf, ChildJvm victim) {
        for (Map.Entry<String, List<String>> e : handlersOf.entrySet()) {
            List<String> handlers = e.getValue();
            assertTrue(handlers.size() <= 2, "event " + e.getKey() + " was handled by " + handlers);
            if (handlers.size() == 2) {
                assertTrue(handlers.contains(victim.name()), "event " + e.getKey() + " was handled twice, by " + handlers
                        + ", neither of them killed");
            }
        }
        List<String> handled = victim.linesAfter(HANDLED);
        int firstDuplicate = handled.size();
        while (firstDuplicate > 0 && handlersOf.get(handled.get(firstDuplicate - 1)).size() == 2) {
            firstDuplicate--;
        }
        for (String earlier : handled.subList(0, firstDuplicate)) {
            assertEquals(1, handlersOf.get(earlier).size(), "process " + victim.name() + " handled " + earlier
                    + " before its last checkpoint, yet it was handled again");
        }
        List<String> duplicates = handled.subList(firstDuplicate, handled.size());
        assertTrue(duplicates.size() <= LeasedCaptureProcess.BATCH, "process " + victim.name() + " had " + duplicates.size()
                + " events handled again, more than one read of " + LeasedCaptureProcess.BATCH + " records: " + duplicates);
    }

    private static void assertInOrderPerStream(String name, List<String> handled) {
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

    private ChildJvm awaitBlocked() {
        ChildJvm[] blocked = new ChildJvm[1];
        Await.until("a process stops at the marker event in the middle of its read", BOUND, () -> {
            for (ChildJvm child : children) {
                if (!child.linesAfter("BLOCKED ").isEmpty()) {
                    blocked[0] = child;
                    return true;
                }
            }
            return false;
        });
        return blocked[0];
    }


    private void start(String name) throws IOException {
        children.add(ChildJvm.start(name, dir, List.of("-Xmx128m"), LeasedCaptureProcess.class,
                List.of(DynamoDbLocal.endpoint().toString(), tables.events(), tables.checkpoints(), "crash-reader", name,
                        dir.resolve("marker").toString(), "order-5", "3")));
    }

    /** The shards {@code child} holds, as it last reported; none once it is dead. */
    private static Set<String> shards(ChildJvm child) {
        return child.isAlive() ? child.lastItemsAfter("SHARDS ") : Set.of();
    }
}
