package io.nexus.testkit.contract;

import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.CheckpointStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

import static io.nexus.testkit.contract.ContractSupport.runConcurrently;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The contract every {@link CheckpointStore} implementation must meet, as a JUnit 5 suite.
 *
 * <p>An implementation runs it by subclassing and supplying a fresh, empty store per test:
 * <pre>{@code
 * class DynamoDbCheckpointStoreContractTest extends CheckpointStoreContract {
 *     @Override
 *     protected CheckpointStore createStore() {
 *         return new DynamoDbCheckpointStore(client, DynamoDbLocal.freshTables("cp").checkpoints());
 *     }
 * }
 * }</pre>
 * Every case is inherited through the {@link Nested} groups below; none may be overridden to skip it.
 * {@link #createStore()} is called before every test (do per-test setup such as a fresh table inside it);
 * a store that is {@link AutoCloseable} is closed after each test. The store must be thread-safe.
 *
 * <p>What it checks: {@link Positions} (read-your-writes, a save replaces even backwards, opaque positions
 * kept exactly, consumers and partitions never mixed even when one name is a prefix of another),
 * {@link Reset} (reset removes one consumer's checkpoints only), {@link Concurrency} (concurrent savers of
 * different partitions all kept) and {@link BadInput} (blank names refused, nothing changed).
 */
public abstract class CheckpointStoreContract {

    private CheckpointStore store;

    /**
     * A new, empty store. Called once before every test; never returns {@code null}.
     *
     * @return the store under test
     */
    protected abstract CheckpointStore createStore();

    /**
     * The store of the running test, as {@link #createStore()} returned it.
     *
     * @return the store under test
     */
    protected final CheckpointStore store() {
        return store;
    }

    /** Creates the store for the next test through {@link #createStore()}. */
    @BeforeEach
    protected final void createFreshStore() {
        store = Objects.requireNonNull(createStore(), "createStore() returned null");
    }

    /**
     * Closes the store of the finished test when it is {@link AutoCloseable}.
     *
     * @throws Exception whatever the store's {@code close()} throws
     */
    @AfterEach
    protected final void closeStore() throws Exception {
        if (store instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    /** Saving and loading positions. */
    @Nested
    @DisplayName("positions")
    public class Positions {

        @Test
        @DisplayName("a saved position loads back with its consumer, partition and a time; an unknown one is empty")
        void saveThenLoad() {
            String consumer = newConsumer();
            assertEquals(Optional.empty(), store.load(consumer, Checkpoint.GLOBAL), "load before any save");
            Instant before = Instant.now().minusSeconds(3600);
            store.save(consumer, Checkpoint.GLOBAL, "42");
            Checkpoint loaded = load(consumer, Checkpoint.GLOBAL);
            assertEquals(consumer, loaded.consumer(), "consumer");
            assertEquals(Checkpoint.GLOBAL, loaded.partition(), "partition");
            assertEquals("42", loaded.position(), "position");
            assertNotNull(loaded.updatedAt(), "updatedAt");
            assertFalse(loaded.updatedAt().isBefore(before), "updatedAt is the time of the save: " + loaded.updatedAt());
            assertEquals(Optional.empty(), store.load(consumer, "other-partition"), "load of another partition");
            assertEquals(Optional.empty(), store.load(newConsumer(), Checkpoint.GLOBAL), "load of another consumer");
        }

        @Test
        @DisplayName("a save replaces the previous position, also with a lower one (a rebuild moves back)")
        void saveReplacesEvenBackwards() {
            String consumer = newConsumer();
            store.save(consumer, "shard-1", "100");
            store.save(consumer, "shard-1", "250");
            assertEquals("250", load(consumer, "shard-1").position(), "position after moving forward");
            store.save(consumer, "shard-1", "7");
            assertEquals("7", load(consumer, "shard-1").position(), "position after moving back");
            assertEquals(1, store.loadAll(consumer).size(), "one checkpoint per partition");
        }

        @Test
        @DisplayName("positions are opaque text and kept exactly (long sequence numbers, letters, symbols)")
        void positionsAreOpaque() {
            String consumer = newConsumer();
            String kinesis = "49590338271490256608559692538361571095921575989136588898";
            String token = "shard-000001/finished #é";
            store.save(consumer, "kinesis", kinesis);
            store.save(consumer, "token", token);
            assertEquals(kinesis, load(consumer, "kinesis").position(), "a Kinesis sequence number");
            assertEquals(token, load(consumer, "token").position(), "a token with symbols");
        }

        @Test
        @DisplayName("loadAll gives every partition of one consumer and none of another")
        void loadAllPerConsumer() {
            String consumer = newConsumer();
            String other = newConsumer();
            store.save(consumer, "shard-1", "10");
            store.save(consumer, "shard-2", "20");
            store.save(consumer, "shard-3", "30");
            store.save(other, "shard-1", "99");
            assertEquals(Map.of("shard-1", "10", "shard-2", "20", "shard-3", "30"), positions(consumer), "loadAll");
            store.loadAll(consumer).forEach((partition, checkpoint) -> {
                assertEquals(partition, checkpoint.partition(), "the key is the checkpoint's partition");
                assertEquals(consumer, checkpoint.consumer(), "consumer of " + partition);
            });
            assertEquals(Map.of("shard-1", "99"), positions(other), "loadAll of the other consumer");
            assertEquals(Map.of(), store.loadAll(newConsumer()), "loadAll of an unknown consumer");
        }

        @Test
        @DisplayName("names are kept apart even when one is a prefix of another or holds separators")
        void namesNeverMix() {
            String base = newConsumer();
            store.save(base + "#a", "b", "1");
            store.save(base, "a#b", "2");
            store.save(base + "/a", "b", "3");
            store.save(base + "#a", "b#", "4");
            assertEquals(Map.of("a#b", "2"), positions(base), "consumer " + base);
            assertEquals(Map.of("b", "1", "b#", "4"), positions(base + "#a"), "consumer " + base + "#a");
            assertEquals(Map.of("b", "3"), positions(base + "/a"), "consumer " + base + "/a");
            assertEquals("2", load(base, "a#b").position(), "load of " + base + " / a#b");
        }
    }

    /** Starting a consumer over. */
    @Nested
    @DisplayName("reset")
    public class Reset {

        @Test
        @DisplayName("reset removes every checkpoint of the consumer and no other; saving afterwards works")
        void resetRemovesOneConsumer() {
            String consumer = newConsumer();
            String other = newConsumer();
            store.save(consumer, "shard-1", "10");
            store.save(consumer, "shard-2", "20");
            store.save(other, "shard-1", "99");
            assertEquals(2, store.loadAll(consumer).size(), "checkpoints before reset");

            store.reset(consumer);
            assertEquals(Map.of(), store.loadAll(consumer), "loadAll after reset");
            assertEquals(Optional.empty(), store.load(consumer, "shard-1"), "load after reset");
            assertEquals(Map.of("shard-1", "99"), positions(other), "the other consumer after reset");

            store.save(consumer, "shard-1", "1");
            assertEquals(Map.of("shard-1", "1"), positions(consumer), "loadAll after saving again");
        }

        @Test
        @DisplayName("resetting an unknown consumer is harmless")
        void resetUnknown() {
            String consumer = newConsumer();
            store.save(consumer, Checkpoint.GLOBAL, "5");
            store.reset(newConsumer());
            assertEquals("5", load(consumer, Checkpoint.GLOBAL).position(), "position of an untouched consumer");
        }
    }

    /** Several threads saving at once. */
    @Nested
    @DisplayName("concurrency")
    public class Concurrency {

        @Test
        @DisplayName("concurrent savers of different partitions all keep their last position")
        void concurrentSaversOfDifferentPartitions() {
            String consumer = newConsumer();
            int threads = 8;
            int saves = 10;
            runConcurrently(threads, worker -> {
                for (int i = 1; i <= saves; i++) {
                    store.save(consumer, "shard-" + worker, Integer.toString(worker * 1000 + i));
                }
                return null;
            });
            Map<String, String> expected = new TreeMap<>();
            for (int worker = 0; worker < threads; worker++) {
                expected.put("shard-" + worker, Integer.toString(worker * 1000 + saves));
            }
            assertEquals(expected, new TreeMap<>(positions(consumer)), "last position of every partition");
        }
    }

    /** Input the port refuses. */
    @Nested
    @DisplayName("bad input")
    public class BadInput {

        @Test
        @DisplayName("blank consumer, partition or position is refused with IllegalArgumentException and changes nothing")
        void blankNamesRefused() {
            String consumer = newConsumer();
            store.save(consumer, "p", "1");
            assertThrows(IllegalArgumentException.class, () -> store.save(consumer, "p", " "), "blank position");
            assertThrows(IllegalArgumentException.class, () -> store.save(consumer, "", "2"), "blank partition");
            assertThrows(IllegalArgumentException.class, () -> store.save(" ", "p", "2"), "blank consumer");
            assertThrows(IllegalArgumentException.class, () -> store.load("", "p"), "load with a blank consumer");
            assertThrows(IllegalArgumentException.class, () -> store.loadAll(" "), "loadAll with a blank consumer");
            assertThrows(IllegalArgumentException.class, () -> store.reset(""), "reset with a blank consumer");
            assertEquals(Map.of("p", "1"), positions(consumer), "checkpoints after refused calls");
        }
    }

    private Checkpoint load(String consumer, String partition) {
        return store.load(consumer, partition).orElseThrow(
                () -> new AssertionError("no checkpoint for consumer '" + consumer + "' partition '" + partition + "'"));
    }

    private Map<String, String> positions(String consumer) {
        Map<String, String> out = new TreeMap<>();
        store.loadAll(consumer).forEach((partition, checkpoint) -> out.put(partition, checkpoint.position()));
        return out;
    }

    private static String newConsumer() {
        return "projection-" + UUID.randomUUID();
    }
}
