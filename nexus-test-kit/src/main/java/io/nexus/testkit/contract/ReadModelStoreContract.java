package io.nexus.testkit.contract;

import io.nexus.core.readmodel.ReadModelStore;
import io.nexus.core.readmodel.ReadModelStores;
import io.nexus.core.readmodel.Versioned;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

import static io.nexus.testkit.contract.ContractSupport.runConcurrently;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every key-value read-model engine must meet, as a JUnit 5 suite: its {@link ReadModelStores}
 * and the {@link ReadModelStore}s they hand out.
 *
 * <p>An implementation runs it by subclassing and supplying fresh, empty stores per test:
 * <pre>{@code
 * class InMemoryReadModelStoreContractTest extends ReadModelStoreContract {
 *     @Override
 *     protected ReadModelStores createStores() {
 *         return new InMemoryReadModelStores();
 *     }
 * }
 * }</pre>
 * The cases store {@link Doc} records (a durable engine serializes them, with Jackson for example).
 * Every case is inherited through the {@link Nested} groups below; none may be overridden to skip it.
 * {@link #createStores()} is called before every test (do per-test setup such as a fresh table inside it);
 * stores that are {@link AutoCloseable} are closed after each test. Stores must be thread-safe.
 *
 * <p>What it checks: {@link VersionGuard} (round trip, a newer version replaces, an equal or older one
 * changes nothing, also under concurrent writers), {@link Reads} ({@code getAll} with absent ids and more
 * ids than one batch of a batching engine, {@code count}), {@link Deletion}, {@link Names} (stores by name
 * are separate, the same name reaches the same data, names and types are checked) and {@link BadInput}.
 */
public abstract class ReadModelStoreContract {

    /** The read model the cases store: text, a number, a list and a map, so a serializing store shows its work. */
    public record Doc(String name, int quantity, List<String> tags, Map<String, Long> counters) {

        /** A document with {@code name} and {@code quantity}, two tags and one counter. */
        public static Doc of(String name, int quantity) {
            return new Doc(name, quantity, List.of("tag-" + quantity, "ü"), Map.of("seen", (long) quantity));
        }
    }

    private ReadModelStores stores;
    private ReadModelStore<Doc> store;

    /**
     * New, empty stores. Called once before every test; never returns {@code null}.
     *
     * @return the stores under test
     */
    protected abstract ReadModelStores createStores();

    /**
     * The stores of the running test, as {@link #createStores()} returned them.
     *
     * @return the stores under test
     */
    protected final ReadModelStores stores() {
        return stores;
    }

    /** Creates the stores for the next test through {@link #createStores()}. */
    @BeforeEach
    protected final void createFreshStores() {
        stores = Objects.requireNonNull(createStores(), "createStores() returned null");
        store = Objects.requireNonNull(stores.store("contract-docs", Doc.class), "store(name, type) returned null");
    }

    /**
     * Closes the stores of the finished test when they are {@link AutoCloseable}.
     *
     * @throws Exception whatever {@code close()} throws
     */
    @AfterEach
    protected final void closeStores() throws Exception {
        if (stores instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    /** Conditional writes on the version. */
    @Nested
    @DisplayName("version guard")
    public class VersionGuard {

        @Test
        @DisplayName("a stored read model reads back with its id, value and version; an unknown id is empty")
        void putThenGet() {
            Doc doc = new Doc("Ada \"Lovelace\" \u00e9\u4e2d", -3, List.of("a", "b", ""), Map.of("x", Long.MAX_VALUE));
            assertTrue(store.put("order-1", doc, 4), "put of a new id");
            assertEquals(Optional.of(new Versioned<>("order-1", doc, 4)), store.get("order-1"), "get");
            assertEquals(Optional.empty(), store.get("order-2"), "get of an unknown id");
        }

        @Test
        @DisplayName("version 0 is a valid first version")
        void versionZero() {
            assertTrue(store.put("order-0", Doc.of("zero", 0), 0), "put at version 0");
            assertEquals(0, get("order-0").version(), "version");
        }

        @Test
        @DisplayName("a newer version replaces the stored one")
        void newerReplaces() {
            assertTrue(store.put("order-1", Doc.of("v1", 1), 1), "put v1");
            assertTrue(store.put("order-1", Doc.of("v5", 5), 5), "put v5");
            assertEquals(new Versioned<>("order-1", Doc.of("v5", 5), 5), get("order-1"), "after v5");
        }

        @Test
        @DisplayName("an equal or older version is refused with false and changes nothing")
        void olderOrEqualRefused() {
            assertTrue(store.put("order-1", Doc.of("v5", 5), 5), "put v5");
            assertFalse(store.put("order-1", Doc.of("v3", 3), 3), "put of an older version");
            assertFalse(store.put("order-1", Doc.of("v5 again", 5), 5), "put of the same version");
            assertEquals(new Versioned<>("order-1", Doc.of("v5", 5), 5), get("order-1"), "after refused puts");
        }

        @Test
        @DisplayName("concurrent writers in random order leave the highest version, and exactly one put per version wins")
        void concurrentWritersKeepHighest() {
            int writers = 8;
            int versions = 120;
            List<Integer> order = new ArrayList<>();
            for (int v = 1; v <= versions; v++) {
                order.add(v);
                order.add(v);
            }
            Collections.shuffle(order, new Random(11));
            List<Object> wins = runConcurrently(writers, worker -> {
                int won = 0;
                for (int i = worker; i < order.size(); i += writers) {
                    int version = order.get(i);
                    if (store.put("hot", Doc.of("v" + version, version), version)) {
                        won++;
                    }
                }
                return won;
            });
            int total = wins.stream().mapToInt(w -> (Integer) w).sum();
            assertTrue(total >= 1 && total <= versions, "puts that won: " + total);
            assertEquals(new Versioned<>("hot", Doc.of("v" + versions, versions), versions), get("hot"), "final value");
        }
    }

    /** Reading several and counting. */
    @Nested
    @DisplayName("reads")
    public class Reads {

        @Test
        @DisplayName("getAll returns the stored ones of the ids asked for, by id, and leaves absent ids out")
        void getAllLeavesAbsentOut() {
            store.put("a", Doc.of("a", 1), 1);
            store.put("b", Doc.of("b", 2), 2);
            store.put("c", Doc.of("c", 3), 3);
            Map<String, Versioned<Doc>> found = store.getAll(List.of("a", "missing", "c"));
            assertEquals(Map.of("a", new Versioned<>("a", Doc.of("a", 1), 1), "c", new Versioned<>("c", Doc.of("c", 3), 3)),
                    found, "getAll");
            assertEquals(Map.of(), store.getAll(List.of()), "getAll of no ids");
        }

        @Test
        @DisplayName("getAll of 250 ids (more than one batch of a batching engine) finds every one")
        void getAllOfManyIds() {
            Map<String, Versioned<Doc>> expected = new TreeMap<>();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 250; i++) {
                String id = "doc-" + i;
                store.put(id, Doc.of(id, i), i + 1);
                expected.put(id, new Versioned<>(id, Doc.of(id, i), i + 1));
                ids.add(id);
            }
            ids.add("doc-missing");
            assertEquals(expected, new TreeMap<>(store.getAll(ids)), "getAll of 250 stored ids and one absent");
        }

        @Test
        @DisplayName("count follows puts of new ids, replacements and deletes")
        void countFollowsChanges() {
            store.put("a", Doc.of("a", 1), 1);
            store.put("b", Doc.of("b", 1), 1);
            store.put("b", Doc.of("b", 2), 2);
            store.put("c", Doc.of("c", 1), 1);
            assertEquals(3, store.count(), "count after three ids");
            store.delete("a");
            assertEquals(2, store.count(), "count after a delete");
        }
    }

    /** Removing read models. */
    @Nested
    @DisplayName("deletion")
    public class Deletion {

        @Test
        @DisplayName("delete removes and says whether there was one; other ids stay")
        void deleteRemoves() {
            store.put("a", Doc.of("a", 1), 1);
            store.put("b", Doc.of("b", 1), 1);
            assertTrue(store.delete("a"), "delete of a stored id");
            assertFalse(store.delete("a"), "delete of the same id again");
            assertFalse(store.delete("never"), "delete of an unknown id");
            assertEquals(Optional.empty(), store.get("a"), "get after delete");
            assertEquals(Doc.of("b", 1), get("b").value(), "the other id");
        }

        @Test
        @DisplayName("after delete any version can be stored again (a rebuild starts over)")
        void putAfterDelete() {
            store.put("a", Doc.of("a9", 9), 9);
            assertTrue(store.delete("a"), "delete");
            assertTrue(store.put("a", Doc.of("a1", 1), 1), "put of a lower version after delete");
            assertEquals(new Versioned<>("a", Doc.of("a1", 1), 1), get("a"), "after put");
        }
    }

    /** Stores by name. */
    @Nested
    @DisplayName("names")
    public class Names {

        @Test
        @DisplayName("stores of different names are separate: the same id, count and delete apply to one only")
        void storesAreSeparate() {
            ReadModelStore<Doc> other = stores.store("contract-other", Doc.class);
            store.put("x", Doc.of("mine", 1), 1);
            other.put("x", Doc.of("theirs", 7), 7);
            other.put("y", Doc.of("theirs", 8), 8);
            assertEquals(Doc.of("mine", 1), get("x").value(), "value in this store");
            assertEquals(1, store.count(), "count of this store");
            assertEquals(2, other.count(), "count of the other store");
            assertTrue(store.delete("x"), "delete in this store");
            assertEquals(Optional.of(new Versioned<>("x", Doc.of("theirs", 7), 7)), other.get("x"), "the other store's x");
        }

        @Test
        @DisplayName("asking again for the same name and type reaches the same data")
        void sameNameSameData() {
            store.put("x", Doc.of("x", 3), 3);
            ReadModelStore<Doc> again = stores.store("contract-docs", Doc.class);
            assertEquals(Optional.of(new Versioned<>("x", Doc.of("x", 3), 3)), again.get("x"), "get through the second store");
            assertFalse(again.put("x", Doc.of("x", 2), 2), "the version guard holds across both");
        }

        @Test
        @DisplayName("a name with other characters than letters, digits, '-', '_' and '.' is refused; so is another type")
        void badNamesRefused() {
            assertEquals("contract-docs.v2_x", nameAccepted("contract-docs.v2_x"), "a valid name");
            assertThrows(IllegalArgumentException.class, () -> stores.store("", Doc.class), "empty name");
            assertThrows(IllegalArgumentException.class, () -> stores.store("a b", Doc.class), "name with a space");
            assertThrows(IllegalArgumentException.class, () -> stores.store("a#b", Doc.class), "name with '#'");
            assertThrows(IllegalArgumentException.class, () -> stores.store("contract-docs", String.class),
                    "a name already holding another type");
        }

        private String nameAccepted(String name) {
            ReadModelStore<Doc> named = stores.store(name, Doc.class);
            named.put("probe", Doc.of("probe", 1), 1);
            return named.get("probe").isPresent() ? name : "not stored";
        }
    }

    /** Input the port refuses. */
    @Nested
    @DisplayName("bad input")
    public class BadInput {

        // the contract is that the port refuses null: passed on purpose
        @SuppressWarnings("NullAway")
        @Test
        @DisplayName("a blank id, a negative version or a null value is refused and changes nothing")
        void refused() {
            store.put("a", Doc.of("a", 1), 1);
            assertThrows(IllegalArgumentException.class, () -> store.put(" ", Doc.of("x", 1), 1), "blank id");
            assertThrows(IllegalArgumentException.class, () -> store.put("a", Doc.of("x", 1), -1), "negative version");
            assertThrows(NullPointerException.class, () -> store.put("a", null, 2), "null value");
            assertThrows(NullPointerException.class, () -> store.get(null), "get(null)");
            assertEquals(new Versioned<>("a", Doc.of("a", 1), 1), get("a"), "after refused puts");
            assertEquals(1, store.count(), "count after refused puts");
        }
    }

    private Versioned<Doc> get(String id) {
        return store.get(id).orElseThrow(() -> new AssertionError("no read model under '" + id + "'"));
    }
}
