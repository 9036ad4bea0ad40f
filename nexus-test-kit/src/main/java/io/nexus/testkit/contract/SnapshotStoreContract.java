package io.nexus.testkit.contract;

import io.nexus.core.event.EventPayload;
import io.nexus.core.snapshot.InMemorySnapshotStore;
import io.nexus.core.snapshot.Snapshot;
import io.nexus.core.snapshot.SnapshotStore;
import io.nexus.core.snapshot.SnapshotTooLargeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.nexus.testkit.contract.ContractSupport.runConcurrently;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every {@link SnapshotStore} implementation must meet, as a JUnit 5 suite.
 *
 * <p>An implementation runs it by subclassing and supplying a fresh, empty store per test:
 * <pre>{@code
 * class DynamoDbSnapshotStoreContractTest extends SnapshotStoreContract {
 *     @Override
 *     protected SnapshotStore createStore() {
 *         return DynamoDbSnapshotStore.builder(client).table(freshTable()).build();
 *     }
 *
 *     @Override
 *     protected int maxSnapshotSizeBytes() {
 *         return 350 * 1024;
 *     }
 * }
 * }</pre>
 * Every case is inherited through the {@link Nested} groups below; none may be overridden to skip it.
 * {@link #createStore()} is called from this class's {@code @BeforeEach} method, which JUnit runs before
 * a subclass's own {@code @BeforeEach} methods: do per-test setup (a fresh table, say) inside
 * {@code createStore()}, and shared setup (starting an emulator) in a {@code @BeforeAll} method. A store
 * that is {@link AutoCloseable} is closed after each test. The suite creates its own threads for the
 * concurrency cases; a store must be thread-safe, as its port requires.
 *
 * <p>What it checks: {@link LatestSnapshot} (round trip of every field, latest per stream, newer
 * replaces older, older or equal never replaces newer, also under concurrent writers),
 * {@link Deletion} (delete removes, leaves other streams alone, is a no-op for unknown streams) and
 * {@link SizeLimit} (an oversized state fails with {@link SnapshotTooLargeException} and changes nothing).
 */
public abstract class SnapshotStoreContract {

    /** Threads used by the concurrent-writer case. */
    private static final int WRITERS = 8;

    private SnapshotStore store;

    /**
     * A new, empty store. Called once before every test; never returns {@code null}.
     *
     * @return the store under test
     */
    protected abstract SnapshotStore createStore();

    /**
     * The largest snapshot state, in bytes, that the store under test accepts. The size cases write
     * states of a few bytes and of more than this limit. Defaults to the embedded store's limit;
     * override it when the store's limit differs.
     *
     * @return the store's state size limit in bytes, at least 1
     */
    protected int maxSnapshotSizeBytes() {
        return InMemorySnapshotStore.DEFAULT_MAX_SNAPSHOT_SIZE;
    }

    /**
     * The store of the running test, as {@link #createStore()} returned it.
     *
     * @return the store under test
     */
    protected final SnapshotStore store() {
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

    /** Saving and reading the latest snapshot of a stream. */
    @Nested
    @DisplayName("latest snapshot")
    public class LatestSnapshot {

        @Test
        @DisplayName("a saved snapshot reads back with every field: stream, type, version, state schema version, time, state")
        void roundTrip() {
            String streamId = newStreamId();
            Snapshot saved = new Snapshot(streamId, "Order", 12, 4, Instant.now().truncatedTo(ChronoUnit.MILLIS),
                    EventPayload.ofJson("{\"status\":\"PAID\",\"lines\":3}"));
            store.save(saved);

            Snapshot read = store.latest(streamId).orElseThrow(() -> new AssertionError("no snapshot read back"));
            assertEquals(streamId, read.streamId(), "streamId");
            assertEquals("Order", read.aggregateType(), "aggregateType");
            assertEquals(12, read.version(), "version");
            assertEquals(4, read.stateSchemaVersion(), "stateSchemaVersion");
            assertEquals(saved.createdAt(), read.createdAt(), "createdAt");
            assertArrayEquals(saved.state().bytes(), read.state().bytes(), "state bytes");
        }

        @Test
        @DisplayName("state bytes round-trip exactly, including bytes that are not UTF-8 text")
        void binaryStateRoundTrips() {
            String streamId = newStreamId();
            byte[] bytes = new byte[512];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (i * 7);
            }
            store.save(snapshot(streamId, 3, 2, EventPayload.ofBytes(bytes)));
            Snapshot read = store.latest(streamId).orElseThrow(() -> new AssertionError("no snapshot read back"));
            assertArrayEquals(bytes, read.state().bytes(), "state bytes");
            assertEquals(2, read.stateSchemaVersion(), "stateSchemaVersion");
        }

        @Test
        @DisplayName("a newer snapshot replaces an older one")
        void newerReplacesOlder() {
            String streamId = newStreamId();
            store.save(snapshot(streamId, 3, "three"));
            store.save(snapshot(streamId, 7, "seven"));
            assertLatest(streamId, 7, "seven");
            store.save(snapshot(streamId, 8, "eight"));
            assertLatest(streamId, 8, "eight");
        }

        @Test
        @DisplayName("an older or equal-version snapshot never replaces a newer one")
        void olderNeverReplacesNewer() {
            String streamId = newStreamId();
            store.save(snapshot(streamId, 7, "seven"));
            store.save(snapshot(streamId, 3, "three"));
            assertLatest(streamId, 7, "seven");
            store.save(snapshot(streamId, 7, "seven again"));
            assertLatest(streamId, 7, "seven");
        }

        @Test
        @DisplayName("snapshots are kept per stream, and an unknown stream has none")
        void perStreamAndUnknown() {
            String a = newStreamId();
            String b = newStreamId();
            store.save(snapshot(a, 5, "a5"));
            store.save(snapshot(b, 2, "b2"));
            store.save(snapshot(b, 9, "b9"));
            assertLatest(a, 5, "a5");
            assertLatest(b, 9, "b9");
            assertEquals(Optional.empty(), store.latest(newStreamId()), "latest of an unknown stream");
        }

        @Test
        @DisplayName("concurrent writers in random order leave the highest version, and readers never see it go back")
        void concurrentWritersKeepHighest() {
            String streamId = newStreamId();
            int versions = 200;
            List<Integer> order = new ArrayList<>();
            for (int v = 1; v <= versions; v++) {
                order.add(v);
            }
            Collections.shuffle(order, new Random(42));
            AtomicInteger writing = new AtomicInteger(WRITERS);
            AtomicReference<String> wentBack = new AtomicReference<>();
            int threads = WRITERS + 1;
            List<Object> outcomes = runConcurrently(threads, worker -> {
                if (worker == WRITERS) {
                    long highest = 0;
                    int reads = 0;
                    while (writing.get() > 0 || reads == 0) {
                        reads++;
                        long seen = store.latest(streamId).map(Snapshot::version).orElse(0L);
                        if (seen < highest) {
                            wentBack.compareAndSet(null, "latest went back from version " + highest + " to " + seen);
                        }
                        highest = Math.max(highest, seen);
                    }
                    return reads;
                }
                try {
                    for (int i = worker; i < versions; i += WRITERS) {
                        int version = order.get(i);
                        store.save(snapshot(streamId, version, "v" + version));
                    }
                    return Boolean.TRUE;
                } finally {
                    writing.decrementAndGet();
                }
            });
            for (int w = 0; w < WRITERS; w++) {
                assertEquals(Boolean.TRUE, outcomes.get(w), "writer " + w + " finishes");
            }
            assertNull(wentBack.get(), "a reader saw the latest snapshot go back");
            assertLatest(streamId, versions, "v" + versions);
        }
    }

    /** Removing a stream's snapshots. */
    @Nested
    @DisplayName("deletion")
    public class Deletion {

        @Test
        @DisplayName("delete removes the stream's snapshot and leaves other streams alone")
        void deleteRemoves() {
            String a = newStreamId();
            String b = newStreamId();
            store.save(snapshot(a, 5, "a5"));
            store.save(snapshot(b, 6, "b6"));
            assertLatest(a, 5, "a5");
            store.delete(a);
            assertEquals(Optional.empty(), store.latest(a), "latest after delete");
            assertLatest(b, 6, "b6");
        }

        @Test
        @DisplayName("after delete a lower version can be saved again")
        void saveAfterDelete() {
            String streamId = newStreamId();
            store.save(snapshot(streamId, 9, "nine"));
            assertLatest(streamId, 9, "nine");
            store.delete(streamId);
            store.save(snapshot(streamId, 2, "two"));
            assertLatest(streamId, 2, "two");
        }

        @Test
        @DisplayName("deleting an unknown stream is a no-op")
        void deleteUnknown() {
            String known = newStreamId();
            store.save(snapshot(known, 1, "one"));
            store.delete(newStreamId());
            assertLatest(known, 1, "one");
        }
    }

    /** The store's state size limit. */
    @Nested
    @DisplayName("size limit")
    public class SizeLimit {

        @Test
        @DisplayName("a state over the limit fails with SnapshotTooLargeException and the held snapshot stays")
        void oversizedStateChangesNothing() {
            String streamId = newStreamId();
            store.save(snapshot(streamId, 4, "four"));
            SnapshotTooLargeException e = assertThrows(SnapshotTooLargeException.class,
                    () -> store.save(snapshot(streamId, 5, 1, oversizedState())));
            assertTrue(String.valueOf(e.getMessage()).contains(streamId), "the message names the stream: " + e.getMessage());
            assertFalse(e.isTransient(), "an oversized snapshot is a permanent failure");
            assertLatest(streamId, 4, "four");
        }

        @Test
        @DisplayName("a state over the limit for a new stream stores nothing; a state well under it is accepted")
        void oversizedStateOnNewStream() {
            String streamId = newStreamId();
            assertThrows(SnapshotTooLargeException.class,
                    () -> store.save(snapshot(streamId, 1, 1, oversizedState())));
            assertEquals(Optional.empty(), store.latest(streamId), "latest after a rejected save");
            byte[] quarter = randomBytes(Math.max(1, maxSnapshotSizeBytes() / 4));
            store.save(snapshot(streamId, 2, 1, EventPayload.ofBytes(quarter)));
            Snapshot read = store.latest(streamId).orElseThrow(() -> new AssertionError("a state under the limit was not kept"));
            assertArrayEquals(quarter, read.state().bytes(), "state bytes of the accepted snapshot");
        }

        private EventPayload oversizedState() {
            return EventPayload.of(randomBytes(maxSnapshotSizeBytes() + 1), null);
        }
    }

    private void assertLatest(String streamId, long version, String marker) {
        Snapshot latest = store.latest(streamId)
                .orElseThrow(() -> new AssertionError("no snapshot held for stream " + streamId));
        assertEquals(version, latest.version(), "latest version of " + streamId);
        assertEquals(stateOf(marker), latest.state().asString(), "latest state of " + streamId);
    }

    private static String newStreamId() {
        return "order-" + UUID.randomUUID();
    }

    private static String stateOf(String marker) {
        return "{\"marker\":\"" + marker + "\"}";
    }

    private static Snapshot snapshot(String streamId, long version, String marker) {
        return snapshot(streamId, version, 1, EventPayload.ofJson(stateOf(marker)));
    }

    private static Snapshot snapshot(String streamId, long version, int stateSchemaVersion, EventPayload state) {
        return new Snapshot(streamId, "Order", version, stateSchemaVersion, Instant.now().truncatedTo(ChronoUnit.MILLIS),
                state);
    }

    /** Deterministic random filler for the size cases, so a compressing store cannot shrink it below the limit. */
    private static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        new Random(7).nextBytes(bytes);
        return bytes;
    }
}
