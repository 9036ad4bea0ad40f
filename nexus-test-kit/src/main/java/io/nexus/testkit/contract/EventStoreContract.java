package io.nexus.testkit.contract;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.store.AppendListener;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.AppendTooLargeException;
import io.nexus.core.store.ConcurrencyConflictException;
import io.nexus.core.store.DuplicateEventIdException;
import io.nexus.core.store.EventStore;
import io.nexus.core.store.EventTooLargeException;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.ExpectedVersionAheadException;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.store.StreamQuery;
import io.nexus.core.store.StreamRead;
import io.nexus.core.store.StreamTypeMismatchException;
import io.nexus.core.store.Subscription;
import io.nexus.testkit.logging.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static io.nexus.testkit.contract.ContractSupport.awaitTrue;
import static io.nexus.testkit.contract.ContractSupport.runConcurrently;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The contract every {@link EventStore} implementation must meet, as a JUnit 5 suite.
 *
 * <p>An implementation runs it by subclassing and supplying a fresh, empty store per test:
 * <pre>{@code
 * class DynamoDbEventStoreContractTest extends EventStoreContract {
 *     @Override
 *     protected EventStore createStore() {
 *         return DynamoDbEventStore.builder(client).table(freshTable()).build();
 *     }
 *
 *     @Override
 *     protected int maxEventSizeBytes() {
 *         return 350 * 1024;
 *     }
 *
 *     @Override
 *     protected int maxEventsPerAppend() {
 *         return 99;
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
 * <p>What it checks, by group: {@link Appending} (versions, every field of the stored envelope),
 * {@link OptimisticConcurrency} (conflicts and their context, expectations ahead of the stream), {@link ConcurrentWriters} (races: one
 * winner, nothing lost or duplicated), {@link Atomicity} (all or nothing, batch limits, no torn
 * reads), {@link Idempotency} (re-sent batches, concurrent twins, duplicate ids, looking up an id), {@link Ordering} (per-stream order,
 * read-your-writes),
 * {@link StreamReads} (version ranges, limits, as-of reads), {@link GlobalLog} ({@code readAll},
 * {@code headPosition}, paging), {@link Subscriptions} (change capture), and {@link BadInput}
 * (rejected input leaves the store unchanged).
 *
 * <p>Stream ids are random per test, so a store may share its backing table between tests as long as
 * its global log starts empty for each one. Thread counts and event counts are small on purpose, so
 * the suite stays quick against a local emulator.
 */
public abstract class EventStoreContract {

    /** The aggregate type most cases write. */
    protected static final String AGGREGATE_TYPE = "Order";

    /** Threads used by the race cases: enough to collide, bounded so a remote store stays quick. */
    private static final int WRITERS = 8;

    /** Upper bound on the attempts of a retrying writer; reaching it fails the case. */
    private static final int MAX_ATTEMPTS = 10_000;

    private EventStore store;

    /**
     * A new, empty store. Called once before every test; never returns {@code null}.
     *
     * @return the store under test, with an empty global log
     */
    protected abstract EventStore createStore();

    /**
     * The largest event, in bytes as the store measures it, that the store under test accepts. The
     * size cases write events of a few bytes and of more than this limit. Defaults to the embedded
     * store's limit; override it when the store's limit differs.
     *
     * @return the store's per-event size limit in bytes, at least 1
     */
    protected int maxEventSizeBytes() {
        return InMemoryEventStore.DEFAULT_MAX_EVENT_SIZE;
    }

    /**
     * The most events the store under test writes in one atomic append, or {@link Integer#MAX_VALUE}
     * (the default) when it has no such limit. A limited store must reject a larger batch with
     * {@link AppendTooLargeException} before writing anything; an unlimited one must store a batch of
     * several hundred events whole.
     *
     * @return the store's per-append event limit, at least 1
     */
    protected int maxEventsPerAppend() {
        return Integer.MAX_VALUE;
    }

    /**
     * How long the subscription cases wait for a listener to be told of a committed append. Stores
     * that deliver on another thread or from a change feed may need more than the default 10 seconds.
     *
     * @return a positive duration
     */
    protected Duration deliveryTimeout() {
        return Duration.ofSeconds(10);
    }

    /**
     * The store of the running test, as {@link #createStore()} returned it.
     *
     * @return the store under test
     */
    protected final EventStore store() {
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

    // ------------------------------------------------------------------------------------------------
    // Groups

    /** Appending to new and existing streams: versions and the stored form of each event. */
    @Nested
    @DisplayName("appending")
    public class Appending {

        @Test
        @DisplayName("noStream on a new stream stores the events as versions 1..n")
        void noStreamOnNewStream() {
            assertNewStreamAppend(ExpectedVersion.noStream());
        }

        @Test
        @DisplayName("exactly(0) on a new stream stores the events as versions 1..n")
        void exactlyZeroOnNewStream() {
            assertNewStreamAppend(ExpectedVersion.exactly(0));
        }

        @Test
        @DisplayName("any on a new stream stores the events as versions 1..n")
        void anyOnNewStream() {
            assertNewStreamAppend(ExpectedVersion.any());
        }

        @Test
        @DisplayName("exactly(current) and any on an existing stream continue its versions")
        void continuesExistingStream() {
            String streamId = newStreamId();
            List<NewEvent> first = simpleEvents(2);
            List<NewEvent> second = simpleEvents(3);
            List<NewEvent> third = simpleEvents(1);
            store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.noStream(), first);
            AppendResult exact = store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(2), second);
            AppendResult any = store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.any(), third);

            assertEquals(5, exact.newVersion(), "newVersion after exactly(2) with 3 events");
            assertEquals(List.of(3L, 4L, 5L), versions(exact.events()));
            assertEquals(6, any.newVersion(), "newVersion after any() with 1 event");
            assertEquals(List.of(6L), versions(any.events()));
            assertEquals(concat(first, second, third), idsOfEnvelopes(read(streamId)));
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), versions(read(streamId)));
            assertEquals(6, store.currentVersion(streamId));
        }

        @Test
        @DisplayName("stored envelopes carry every field of the NewEvent, the stream and the aggregate type")
        void storesEveryField() {
            String streamId = newStreamId();
            NewEvent placed = fullEvent("OrderPlaced", 3, Map.of("tenant", "acme", "source", "contract-suite"));
            NewEvent paid = new NewEvent(UUID.randomUUID(), "OrderPaid", 1, EventPayload.ofJson("{\"amount\":42}"),
                    null, null, Map.of());
            AppendResult result = store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.noStream(), List.of(placed, paid));

            assertEquals(streamId, result.streamId(), "AppendResult.streamId");
            assertEquals(2, result.newVersion(), "AppendResult.newVersion");
            assertFalse(result.duplicate(), "a first append is not a duplicate");
            assertEquals(2, result.events().size(), "AppendResult.events size");
            assertStored(placed, result.events().get(0), streamId, 1);
            assertStored(paid, result.events().get(1), streamId, 2);

            List<EventEnvelope> read = read(streamId);
            assertEquals(2, read.size(), "events read back");
            assertStored(placed, read.get(0), streamId, 1);
            assertStored(paid, read.get(1), streamId, 2);
            assertSameEnvelopes(result.events(), read, "a read returns the envelopes the append returned");
        }

        @Test
        @DisplayName("payload bytes round-trip exactly, including bytes that are not UTF-8 text")
        void binaryPayloadRoundTrips() {
            String streamId = newStreamId();
            byte[] bytes = new byte[256];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) i;
            }
            NewEvent binary = new NewEvent(UUID.randomUUID(), "BinaryEvent", 1, EventPayload.ofBytes(bytes),
                    null, null, Map.of());
            store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.noStream(), List.of(binary));

            List<EventEnvelope> read = read(streamId);
            assertEquals(1, read.size(), "events read back");
            assertArrayEquals(bytes, read.get(0).payload().bytes(), "payload bytes");
        }

        @Test
        @DisplayName("timestamps are set and never decrease within a stream")
        void timestampsNeverDecrease() {
            String streamId = newStreamId();
            Instant before = Instant.now().minusSeconds(60);
            long version = 0;
            for (int i = 0; i < 5; i++) {
                version = store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(version), simpleEvents(2))
                        .newVersion();
            }
            List<EventEnvelope> read = read(streamId);
            assertEquals(10, read.size(), "events read back");
            Instant previous = before;
            for (EventEnvelope e : read) {
                assertNotNull(e.timestamp(), "timestamp of version " + e.version());
                assertFalse(e.timestamp().isBefore(previous),
                        "timestamp of version " + e.version() + " (" + e.timestamp() + ") is before " + previous);
                previous = e.timestamp();
            }
        }

        @Test
        @DisplayName("global positions, when the store keeps them, increase with every committed event")
        void globalPositionsIncrease() {
            List<EventEnvelope> appended = new ArrayList<>();
            String[] streams = {newStreamId(), newStreamId(), newStreamId()};
            for (int round = 0; round < 3; round++) {
                for (String streamId : streams) {
                    appended.addAll(store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(round * 2L),
                            simpleEvents(2)).events());
                }
            }
            List<EventEnvelope> stored = new ArrayList<>();
            for (String streamId : streams) {
                stored.addAll(read(streamId));
            }
            assertEquals(18, stored.size(), "events read back from three streams");
            if (appended.get(0).hasGlobalPosition()) {
                for (int i = 1; i < appended.size(); i++) {
                    assertTrue(appended.get(i).globalPosition() > appended.get(i - 1).globalPosition(),
                            "positions must increase in commit order, but " + appended.get(i - 1).globalPosition()
                                    + " was followed by " + appended.get(i).globalPosition());
                }
            }
            for (EventEnvelope e : appended) {
                assertEquals(appended.get(0).hasGlobalPosition(), e.hasGlobalPosition(),
                        "either every event carries a global position or none does");
            }
        }

        private void assertNewStreamAppend(ExpectedVersion expected) {
            String streamId = newStreamId();
            List<NewEvent> events = simpleEvents(3);
            AppendResult result = store.append(streamId, AGGREGATE_TYPE, expected, events);

            assertEquals(streamId, result.streamId(), "AppendResult.streamId");
            assertEquals(3, result.newVersion(), "AppendResult.newVersion");
            assertFalse(result.duplicate(), "a first append is not a duplicate");
            assertEquals(List.of(1L, 2L, 3L), versions(result.events()));
            List<EventEnvelope> read = read(streamId);
            assertEquals(idsOf(events), idsOfEnvelopes(read), "event ids read back");
            assertEquals(List.of(1L, 2L, 3L), versions(read));
            for (int i = 0; i < events.size(); i++) {
                assertStored(events.get(i), read.get(i), streamId, i + 1);
            }
            assertEquals(3, store.currentVersion(streamId), "currentVersion");
        }
    }

    /** Expected-version checks and the conflicts they raise. */
    @Nested
    @DisplayName("optimistic concurrency")
    public class OptimisticConcurrency {

        @Test
        @DisplayName("an exact version the stream has moved past fails with a transient conflict naming stream, expectation and actual version")
        void wrongExactVersion() {
            String streamId = newStreamId();
            seed(streamId, 3);
            StoreState before = state(streamId);

            for (long wrong : new long[]{1, 2}) {
                ConcurrencyConflictException e = assertThrows(ConcurrencyConflictException.class,
                        () -> store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(wrong), simpleEvents(1)),
                        "exactly(" + wrong + ") on a stream at version 3");
                assertEquals(streamId, e.streamId(), "conflict streamId");
                assertEquals(ExpectedVersion.exactly(wrong).toString(), e.expectedVersion(), "conflict expectedVersion");
                assertEquals(3, e.actualVersion(), "conflict actualVersion");
                assertTrue(e.isTransient(), "a conflict is transient");
            }
            assertEquals(before, state(streamId), "a failed append leaves the store unchanged");
        }

        @Test
        @DisplayName("noStream on an existing stream fails with a conflict and changes nothing")
        void noStreamOnExistingStream() {
            String streamId = newStreamId();
            seed(streamId, 2);
            StoreState before = state(streamId);

            ConcurrencyConflictException e = assertThrows(ConcurrencyConflictException.class,
                    () -> store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.noStream(), simpleEvents(2)));
            assertEquals(streamId, e.streamId(), "conflict streamId");
            assertEquals(ExpectedVersion.noStream().toString(), e.expectedVersion(), "conflict expectedVersion");
            assertEquals(2, e.actualVersion(), "conflict actualVersion");
            assertEquals(before, state(streamId), "a failed append leaves the store unchanged");
        }

        @Test
        @DisplayName("an exact version on a stream that does not exist is ahead of it: a permanent error with actual version 0, nothing created")
        void exactVersionOnMissingStream() {
            String streamId = newStreamId();
            String other = newStreamId();
            seed(other, 1);

            for (long ahead : new long[]{1, 5}) {
                ExpectedVersionAheadException e = assertThrows(ExpectedVersionAheadException.class,
                        () -> store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(ahead), simpleEvents(1)),
                        "exactly(" + ahead + ") on a stream that does not exist");
                assertEquals(streamId, e.streamId(), "streamId of the refusal");
                assertEquals(Long.toString(ahead), e.expectedVersion(), "expectedVersion of the refusal");
                assertEquals(0, e.actualVersion(), "actualVersion of the refusal");
                assertFalse(e.isTransient(), "an expectation ahead of the stream is permanent: retrying cannot help");
            }
            assertEquals(0, store.currentVersion(streamId), "currentVersion of the stream the failed append named");
            assertEquals(List.of(), read(streamId), "events of the stream the failed append named");
            assertEquals(1, read(other).size(), "the other stream keeps its event");
        }

        @Test
        @DisplayName("an exact version ahead of an existing stream is a permanent error, not a conflict, and changes nothing")
        void expectedVersionAheadOfStream() {
            String streamId = newStreamId();
            seed(streamId, 2);
            StoreState before = state(streamId);

            for (long ahead : new long[]{3, 1_000_000}) {
                ExpectedVersionAheadException e = assertThrows(ExpectedVersionAheadException.class,
                        () -> store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(ahead), simpleEvents(1)),
                        "exactly(" + ahead + ") on a stream at version 2");
                assertEquals(streamId, e.streamId(), "streamId of the refusal");
                assertEquals(Long.toString(ahead), e.expectedVersion(), "expectedVersion of the refusal");
                assertEquals(2, e.actualVersion(), "actualVersion of the refusal");
                assertFalse(e.isTransient(), "an expectation ahead of the stream is permanent: retrying cannot help");
            }
            assertEquals(before, state(streamId), "a refused append leaves the store unchanged");
            AppendResult next = store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(2), simpleEvents(1));
            assertEquals(3, next.newVersion(), "the stream still accepts an append at its real version");
        }

        @Test
        @DisplayName("after a conflict the stream accepts an append at its real version")
        void appendAfterConflict() {
            String streamId = newStreamId();
            seed(streamId, 2);
            assertThrows(ConcurrencyConflictException.class,
                    () -> store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(1), simpleEvents(1)));
            List<NewEvent> next = simpleEvents(1);
            AppendResult result = store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(2), next);
            assertEquals(3, result.newVersion(), "newVersion after the retry");
            assertEquals(List.of(1L, 2L, 3L), versions(read(streamId)));
            assertEquals(next.get(0).eventId(), read(streamId).get(2).eventId(), "the retried event is version 3");
        }
    }

    /** Races between writers: one winner per expected version, nothing lost or duplicated. */
    @Nested
    @DisplayName("concurrent writers")
    public class ConcurrentWriters {

        @Test
        @DisplayName("N threads appending at the same expected version: exactly one wins, the others conflict")
        void exactlyOneWinnerPerExpectedVersion() {
            String streamId = newStreamId();
            List<UUID> winners = new ArrayList<>();
            List<UUID> losers = new ArrayList<>();
            int rounds = 4;
            for (int round = 0; round < rounds; round++) {
                long expected = round * 2L;
                List<List<NewEvent>> batches = new ArrayList<>();
                for (int i = 0; i < WRITERS; i++) {
                    batches.add(simpleEvents(2));
                }
                List<Object> outcomes = runConcurrently(WRITERS, i -> store.append(streamId, AGGREGATE_TYPE,
                        ExpectedVersion.exactly(expected), batches.get(i)));

                int wins = 0;
                for (int i = 0; i < WRITERS; i++) {
                    Object outcome = outcomes.get(i);
                    if (outcome instanceof AppendResult result) {
                        wins++;
                        assertEquals(expected + 2, result.newVersion(), "winner's newVersion in round " + round);
                        winners.addAll(idsOf(batches.get(i)));
                    } else {
                        ConcurrencyConflictException conflict = assertInstanceOf(ConcurrencyConflictException.class,
                                outcome, "a losing writer must get a conflict in round " + round);
                        assertEquals(streamId, conflict.streamId(), "conflict streamId");
                        assertEquals(expected + 2, conflict.actualVersion(), "conflict actualVersion in round " + round);
                        losers.addAll(idsOf(batches.get(i)));
                    }
                }
                assertEquals(1, wins, "writers that won at expected version " + expected);
            }
            List<EventEnvelope> read = read(streamId);
            assertEquals(winners, idsOfEnvelopes(read), "the stream holds the winners' events, in round order");
            assertEquals(LongStream.rangeClosed(1, rounds * 2L).boxed().toList(), versions(read));
            Set<UUID> inLog = new HashSet<>(idsOfEnvelopes(readWholeLog(50)));
            for (UUID loser : losers) {
                assertFalse(inLog.contains(loser), "a losing writer's event " + loser + " leaked into the global log");
            }
            assertEquals(winners.size(), inLog.size(), "events in the global log");
        }

        @Test
        @DisplayName("N threads appending with retries to one stream: every event exactly once, versions contiguous")
        void retryingWritersLoseNothing() {
            String streamId = newStreamId();
            int perWriter = 5;
            List<List<NewEvent>> planned = new ArrayList<>();
            for (int i = 0; i < WRITERS; i++) {
                planned.add(simpleEvents(perWriter));
            }
            List<Object> outcomes = runConcurrently(WRITERS, i -> {
                for (NewEvent event : planned.get(i)) {
                    appendWithRetry(streamId, event);
                }
                return Boolean.TRUE;
            });
            for (Object outcome : outcomes) {
                assertEquals(Boolean.TRUE, outcome, "every retrying writer finishes");
            }
            assertAllPresentOnceInWriterOrder(read(streamId), planned);
            assertEquals(WRITERS * (long) perWriter, store.currentVersion(streamId), "currentVersion");
        }

        @Test
        @DisplayName("N threads appending with any() to one stream: every event exactly once, versions contiguous")
        void anyWritersLoseNothing() {
            String streamId = newStreamId();
            int perWriter = 5;
            List<List<NewEvent>> planned = new ArrayList<>();
            for (int i = 0; i < WRITERS; i++) {
                planned.add(simpleEvents(perWriter));
            }
            List<Object> outcomes = runConcurrently(WRITERS, i -> {
                for (NewEvent event : planned.get(i)) {
                    store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.any(), List.of(event));
                }
                return Boolean.TRUE;
            });
            for (Object outcome : outcomes) {
                assertEquals(Boolean.TRUE, outcome, "every writer finishes");
            }
            assertAllPresentOnceInWriterOrder(read(streamId), planned);
        }

        @Test
        @DisplayName("concurrent writers to different streams: each stream keeps its writer's order")
        void concurrentStreamsKeepTheirOrder() {
            int perWriter = 10;
            List<String> streams = new ArrayList<>();
            List<List<NewEvent>> planned = new ArrayList<>();
            for (int i = 0; i < WRITERS; i++) {
                streams.add(newStreamId());
                planned.add(simpleEvents(perWriter));
            }
            List<Object> outcomes = runConcurrently(WRITERS, i -> {
                long version = 0;
                for (NewEvent event : planned.get(i)) {
                    version = store.append(streams.get(i), AGGREGATE_TYPE, ExpectedVersion.exactly(version),
                            List.of(event)).newVersion();
                }
                return version;
            });
            for (int i = 0; i < WRITERS; i++) {
                assertEquals((long) perWriter, outcomes.get(i), "final version of writer " + i);
                List<EventEnvelope> read = read(streams.get(i));
                assertEquals(idsOf(planned.get(i)), idsOfEnvelopes(read), "events of stream " + i + " in writer order");
                assertEquals(LongStream.rangeClosed(1, perWriter).boxed().toList(), versions(read));
            }
            List<EventEnvelope> log = readWholeLog(17);
            assertEquals(WRITERS * perWriter, log.size(), "events in the global log");
            assertLogConsistentWithStreams(log);
        }

        private void assertAllPresentOnceInWriterOrder(List<EventEnvelope> read, List<List<NewEvent>> planned) {
            int total = planned.stream().mapToInt(List::size).sum();
            assertEquals(LongStream.rangeClosed(1, total).boxed().toList(), versions(read), "versions are 1..n");
            List<UUID> ids = idsOfEnvelopes(read);
            assertEquals(total, new HashSet<>(ids).size(), "distinct event ids in the stream");
            Set<UUID> expected = planned.stream().flatMap(List::stream).map(NewEvent::eventId).collect(Collectors.toSet());
            assertEquals(expected, new HashSet<>(ids), "the stream holds exactly the events written");
            for (int w = 0; w < planned.size(); w++) {
                List<UUID> mine = idsOf(planned.get(w));
                List<UUID> inStream = ids.stream().filter(mine::contains).toList();
                assertEquals(mine, inStream, "writer " + w + "'s events keep their order in the stream");
            }
            List<EventEnvelope> log = readWholeLog(13);
            assertEquals(total, log.size(), "events in the global log");
            assertEquals(expected, new HashSet<>(idsOfEnvelopes(log)), "the global log holds exactly the events written");
        }
    }

    /** A multi-event append is stored entirely or not at all. */
    @Nested
    @DisplayName("atomicity")
    public class Atomicity {

        @Test
        @DisplayName("a batch with one oversized event stores none of its events")
        void oversizedEventRejectsWholeBatch() {
            String streamId = newStreamId();
            seed(streamId, 2);
            StoreState before = state(streamId);
            List<NewEvent> batch = List.of(simpleEvent(), oversizedEvent(), simpleEvent());

            assertThrows(EventTooLargeException.class,
                    () -> store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(2), batch));
            assertEquals(before, state(streamId), "a failed append leaves the store unchanged");

            List<NewEvent> next = simpleEvents(2);
            AppendResult result = store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(2), next);
            assertEquals(List.of(3L, 4L), versions(result.events()), "versions after the failed batch have no gap");
        }

        @Test
        @DisplayName("a batch at the store's event limit is stored whole; one over it fails with AppendTooLargeException")
        void batchSizeLimit() {
            String streamId = newStreamId();
            seed(streamId, 1);
            boolean limited = maxEventsPerAppend() != Integer.MAX_VALUE;
            int fitting = limited ? maxEventsPerAppend() : 500;
            List<NewEvent> whole = simpleEvents(fitting);
            AppendResult result = store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(1), whole);
            assertEquals(1L + fitting, result.newVersion(), "newVersion after a batch of " + fitting);
            assertEquals(idsOf(whole), idsOfEnvelopes(read(streamId)).subList(1, 1 + fitting),
                    "a batch of " + fitting + " events is stored whole and in order");
            if (limited) {
                StoreState before = state(streamId);
                AppendTooLargeException e = assertThrows(AppendTooLargeException.class,
                        () -> store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(1L + fitting),
                                simpleEvents(fitting + 1)), "a batch of " + (fitting + 1) + " events");
                assertEquals(streamId, e.streamId(), "AppendTooLargeException.streamId");
                assertFalse(e.isTransient(), "an oversized append is a permanent failure");
                assertEquals(before, state(streamId), "a rejected append leaves the store unchanged");
            }
        }

        @Test
        @DisplayName("a batch holding one id twice stores none of its events, even on a new stream")
        void duplicateInBatchRejectsWholeBatch() {
            String streamId = newStreamId();
            String other = newStreamId();
            seed(other, 1);
            NewEvent first = simpleEvent();
            List<NewEvent> batch = List.of(first, simpleEvent(), copyWithSameId(first));

            assertThrows(DuplicateEventIdException.class,
                    () -> store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.noStream(), batch));
            assertEquals(0, store.currentVersion(streamId), "currentVersion of the rejected stream");
            assertEquals(List.of(), read(streamId), "events of the rejected stream");
            assertEquals(1, readWholeLog(10).size(), "events in the global log");
        }

        @Test
        @DisplayName("a concurrent reader sees a multi-event append entirely or not at all")
        void readersNeverSeeHalfABatch() {
            String streamId = newStreamId();
            int batchSize = 4;
            int batches = 15;
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicReference<String> torn = new AtomicReference<>();
            List<Object> outcomes = runConcurrently(2, worker -> {
                if (worker == 0) {
                    try {
                        long version = 0;
                        for (int b = 0; b < batches; b++) {
                            version = store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(version),
                                    simpleEvents(batchSize)).newVersion();
                        }
                        return version;
                    } finally {
                        writing.set(false);
                    }
                }
                int reads = 0;
                while (writing.get() || reads == 0) {
                    reads++;
                    int seen = read(streamId).size();
                    long current = store.currentVersion(streamId);
                    if (seen % batchSize != 0 || current % batchSize != 0) {
                        torn.compareAndSet(null, "read " + seen + " events and currentVersion " + current
                                + " while batches of " + batchSize + " were appended");
                    }
                }
                return reads;
            });
            assertEquals((long) batchSize * batches, outcomes.get(0), "the writer's final version");
            assertEquals(null, torn.get(), "a reader saw part of a batch");
            assertEquals(batchSize * batches, read(streamId).size(), "events read after the writer finished");
        }
    }

    /** Re-sent batches are no-ops; reused ids are errors. */
    @Nested
    @DisplayName("idempotency")
    public class Idempotency {

        @Test
        @DisplayName("re-appending the identical batch at the same expected version is a duplicate success")
        void identicalBatchIsDuplicate() {
            String streamId = newStreamId();
            seed(streamId, 1);
            List<NewEvent> batch = simpleEvents(3);
            AppendResult original = store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(1), batch);
            StoreState before = state(streamId);

            AppendResult again = resend(streamId, ExpectedVersion.exactly(1), batch);
            assertTrue(again.duplicate(), "AppendResult.duplicate of a re-sent batch");
            assertEquals(original.newVersion(), again.newVersion(), "newVersion of the re-sent batch");
            assertEquals(versions(original.events()), versions(again.events()), "versions of the re-sent batch");
            assertEquals(idsOfEnvelopes(original.events()), idsOfEnvelopes(again.events()), "ids of the re-sent batch");
            assertEquals(before, state(streamId), "a duplicate append writes nothing");
        }

        @Test
        @DisplayName("re-appending a batch with any() is a duplicate success")
        void identicalBatchWithAnyIsDuplicate() {
            String streamId = newStreamId();
            List<NewEvent> batch = simpleEvents(2);
            AppendResult original = store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.any(), batch);
            StoreState before = state(streamId);

            AppendResult again = resend(streamId, ExpectedVersion.any(), batch);
            assertTrue(again.duplicate(), "AppendResult.duplicate of a re-sent batch");
            assertEquals(original.newVersion(), again.newVersion(), "newVersion of the re-sent batch");
            assertEquals(before, state(streamId), "a duplicate append writes nothing");
        }

        @Test
        @DisplayName("re-appending an earlier batch after later appends is still a duplicate success")
        void earlierBatchIsDuplicateAfterLaterAppends() {
            String streamId = newStreamId();
            List<NewEvent> first = simpleEvents(2);
            AppendResult original = store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.noStream(), first);
            store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(2), simpleEvents(2));
            StoreState before = state(streamId);

            AppendResult again = resend(streamId, ExpectedVersion.noStream(), first);
            assertTrue(again.duplicate(), "AppendResult.duplicate of a re-sent batch");
            assertEquals(2, again.newVersion(), "newVersion of the re-sent first batch");
            assertSameEnvelopes(original.events(), again.events(), "the stored originals are returned");
            assertEquals(before, state(streamId), "a duplicate append writes nothing");
        }

        @Test
        @DisplayName("an id already stored at another position fails with DuplicateEventIdException")
        void storedIdAtAnotherPosition() {
            String streamId = newStreamId();
            List<NewEvent> seeded = seed(streamId, 3);
            StoreState before = state(streamId);
            NewEvent reused = copyWithSameId(seeded.get(1));

            DuplicateEventIdException alone = assertThrows(DuplicateEventIdException.class,
                    () -> store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(3), List.of(reused)));
            assertEquals(streamId, alone.streamId(), "duplicate streamId");
            assertEquals(reused.eventId(), alone.eventId(), "duplicate eventId");

            DuplicateEventIdException inside = assertThrows(DuplicateEventIdException.class,
                    () -> store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(3),
                            List.of(simpleEvent(), reused)));
            assertEquals(reused.eventId(), inside.eventId(), "duplicate eventId when it is not first in the batch");

            assertThrows(DuplicateEventIdException.class,
                    () -> store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.any(), List.of(reused, simpleEvent())));
            assertEquals(before, state(streamId), "a rejected append leaves the store unchanged");
        }

        @Test
        @DisplayName("N threads appending the same batch at the same expected version: one writes, the others get the stored originals as duplicates")
        void concurrentTwinsOneWritesOthersDuplicate() {
            String streamId = newStreamId();
            int rounds = 3;
            List<UUID> expectedIds = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                long expected = round * 2L;
                List<NewEvent> batch = simpleEvents(2);
                expectedIds.addAll(idsOf(batch));
                List<Object> outcomes = runConcurrently(WRITERS, i -> store.append(streamId, AGGREGATE_TYPE,
                        ExpectedVersion.exactly(expected), batch));

                List<AppendResult> written = new ArrayList<>();
                List<AppendResult> duplicates = new ArrayList<>();
                for (Object outcome : outcomes) {
                    AppendResult result = assertInstanceOf(AppendResult.class, outcome,
                            "every twin of one batch must succeed, as the writer or as a duplicate, in round " + round);
                    (result.duplicate() ? duplicates : written).add(result);
                }
                assertEquals(1, written.size(), "twins that wrote the batch at expected version " + expected);
                for (AppendResult duplicate : duplicates) {
                    assertEquals(expected + 2, duplicate.newVersion(), "a duplicate's newVersion in round " + round);
                    assertSameEnvelopes(written.get(0).events(), duplicate.events(),
                            "a duplicate returns the stored originals in round " + round);
                }
            }
            assertEquals(expectedIds, idsOfEnvelopes(read(streamId)), "the stream holds each batch once");
            assertEquals(expectedIds.size(), readWholeLog(50).size(), "events in the global log");
        }

        @Test
        @DisplayName("versionOf finds a stored event id at its version, at once, and only in its own stream")
        void versionOfFindsStoredIds() {
            String streamId = newStreamId();
            String other = newStreamId();
            List<NewEvent> first = seed(streamId, 2);
            List<NewEvent> second = simpleEvents(3);
            store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(2), second);
            store.append(other, AGGREGATE_TYPE, ExpectedVersion.noStream(), List.of(simpleEvent()));

            assertEquals(OptionalLong.of(1), store.versionOf(streamId, first.get(0).eventId()), "version of the first event");
            assertEquals(OptionalLong.of(2), store.versionOf(streamId, first.get(1).eventId()), "version of the second event");
            for (int i = 0; i < second.size(); i++) {
                assertEquals(OptionalLong.of(3 + i), store.versionOf(streamId, second.get(i).eventId()),
                        "version of event " + i + " of the second append, read right after it returned");
            }
            assertEquals(OptionalLong.empty(), store.versionOf(streamId, UUID.randomUUID()), "an id never stored");
            assertEquals(OptionalLong.empty(), store.versionOf(other, first.get(0).eventId()),
                    "an id stored in another stream is not found in this one");
            assertEquals(OptionalLong.empty(), store.versionOf(newStreamId(), first.get(0).eventId()),
                    "an id looked up in a stream that does not exist");
            assertThrows(DuplicateEventIdException.class, () -> store.append(streamId, AGGREGATE_TYPE,
                    ExpectedVersion.exactly(5), List.of(copyWithSameId(second.get(1)))));
            assertEquals(OptionalLong.of(4), store.versionOf(streamId, second.get(1).eventId()),
                    "a refused re-use leaves the id at its version");
        }

        @Test
        @DisplayName("readAndFind answers what read and then versionOf answer, for ids in the read, before it, elsewhere and nowhere")
        void readAndFindAnswersLikeReadThenVersionOf() {
            String streamId = newStreamId();
            String other = newStreamId();
            List<NewEvent> events = seed(streamId, 4);
            NewEvent elsewhere = simpleEvent();
            store.append(other, AGGREGATE_TYPE, ExpectedVersion.noStream(), List.of(elsewhere));
            List<StreamQuery> queries = List.of(StreamQuery.stream(streamId), StreamQuery.stream(streamId).fromVersion(3),
                    StreamQuery.stream(streamId).fromVersion(5), StreamQuery.stream(streamId).toVersion(2),
                    StreamQuery.stream(streamId).fromVersion(2).limit(1),
                    StreamQuery.stream(streamId).asOf(Instant.parse("2000-01-01T00:00:00Z")), StreamQuery.stream(other),
                    StreamQuery.stream(newStreamId()));
            List<UUID> ids = List.of(events.get(0).eventId(), events.get(3).eventId(), elsewhere.eventId(), UUID.randomUUID());
            for (StreamQuery query : queries) {
                for (UUID id : ids) {
                    StreamRead both = store.readAndFind(query, id);
                    assertSameEnvelopes(store.read(query), both.events(), "events of readAndFind(" + query + ")");
                    assertEquals(store.versionOf(query.streamId(), id), both.foundVersion(),
                            "version of " + id + " found by readAndFind(" + query + ")");
                }
            }
            assertEquals(OptionalLong.of(4), store.readAndFind(StreamQuery.stream(streamId).fromVersion(5), events.get(3).eventId())
                    .foundVersion(), "an id before an empty read is found");
            assertEquals(OptionalLong.empty(), store.readAndFind(StreamQuery.stream(other), events.get(0).eventId())
                    .foundVersion(), "an id of another stream is not found");
        }

        @Test
        @DisplayName("a batch with the same id twice fails with DuplicateEventIdException and changes nothing")
        void sameIdTwiceInBatch() {
            String streamId = newStreamId();
            seed(streamId, 1);
            StoreState before = state(streamId);
            NewEvent event = simpleEvent();

            DuplicateEventIdException e = assertThrows(DuplicateEventIdException.class,
                    () -> store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(1),
                            List.of(event, simpleEvent(), copyWithSameId(event))));
            assertEquals(streamId, e.streamId(), "duplicate streamId");
            assertEquals(event.eventId(), e.eventId(), "duplicate eventId");
            assertEquals(before, state(streamId), "a rejected append leaves the store unchanged");
        }
    }

    /** Per-stream order and read-your-writes. */
    @Nested
    @DisplayName("ordering and visibility")
    public class Ordering {

        @Test
        @DisplayName("a read right after an append sees it, on the same thread and on another")
        void readYourWrites() {
            String streamId = newStreamId();
            long version = 0;
            for (int i = 0; i < 10; i++) {
                NewEvent event = simpleEvent();
                AppendResult result = store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(version),
                        List.of(event));
                version = result.newVersion();
                long expectedVersion = version;
                assertEquals(expectedVersion, store.currentVersion(streamId), "currentVersion right after the append");
                List<EventEnvelope> read = read(streamId);
                assertEquals(expectedVersion, read.size(), "events read right after the append");
                assertEquals(event.eventId(), read.get(read.size() - 1).eventId(), "the last event read");
                Object seenElsewhere = runConcurrently(1, ignored -> read(streamId).size()).get(0);
                assertEquals((int) expectedVersion, seenElsewhere, "events read by another thread after the append");
            }
        }

        @Test
        @DisplayName("a stream reads back in append order across many appends")
        void perStreamOrder() {
            String streamId = newStreamId();
            List<UUID> written = new ArrayList<>();
            long version = 0;
            for (int i = 0; i < 8; i++) {
                List<NewEvent> batch = simpleEvents(1 + i % 3);
                written.addAll(idsOf(batch));
                version = store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(version), batch).newVersion();
            }
            List<EventEnvelope> read = read(streamId);
            assertEquals(written, idsOfEnvelopes(read), "event ids in append order");
            assertEquals(LongStream.rangeClosed(1, written.size()).boxed().toList(), versions(read));
        }

        @Test
        @DisplayName("interleaved appends to several streams keep each stream separate and ordered")
        void streamsStaySeparate() {
            Map<String, List<UUID>> written = new LinkedHashMap<>();
            for (int i = 0; i < 4; i++) {
                written.put(newStreamId(), new ArrayList<>());
            }
            for (int round = 0; round < 5; round++) {
                for (Map.Entry<String, List<UUID>> entry : written.entrySet()) {
                    NewEvent event = simpleEvent();
                    entry.getValue().add(event.eventId());
                    store.append(entry.getKey(), AGGREGATE_TYPE, ExpectedVersion.exactly(round), List.of(event));
                }
            }
            for (Map.Entry<String, List<UUID>> entry : written.entrySet()) {
                List<EventEnvelope> read = read(entry.getKey());
                assertEquals(entry.getValue(), idsOfEnvelopes(read), "events of " + entry.getKey());
                for (EventEnvelope e : read) {
                    assertEquals(entry.getKey(), e.streamId(), "streamId of an event read from " + entry.getKey());
                }
            }
        }
    }

    /** Reading one stream: version ranges, limits, as-of reads, unknown streams. */
    @Nested
    @DisplayName("stream reads")
    public class StreamReads {

        @Test
        @DisplayName("fromVersion, toVersion and both together select inclusive version ranges")
        void versionRanges() {
            String streamId = newStreamId();
            seed(streamId, 6);
            assertEquals(List.of(3L, 4L, 5L, 6L), versions(store.read(StreamQuery.stream(streamId).fromVersion(3))));
            assertEquals(List.of(1L, 2L), versions(store.read(StreamQuery.stream(streamId).toVersion(2))));
            assertEquals(List.of(2L, 3L, 4L),
                    versions(store.read(StreamQuery.stream(streamId).fromVersion(2).toVersion(4))));
            assertEquals(List.of(6L), versions(store.read(StreamQuery.stream(streamId).fromVersion(6))));
            assertEquals(List.of(), versions(store.read(StreamQuery.stream(streamId).fromVersion(7))));
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L),
                    versions(store.read(StreamQuery.stream(streamId).toVersion(100))));
        }

        @Test
        @DisplayName("limit caps the number of events, counted from the first selected version")
        void limit() {
            String streamId = newStreamId();
            seed(streamId, 5);
            assertEquals(List.of(1L, 2L), versions(store.read(StreamQuery.stream(streamId).limit(2))));
            assertEquals(List.of(2L, 3L, 4L), versions(store.read(StreamQuery.stream(streamId).fromVersion(2).limit(3))));
            assertEquals(List.of(4L, 5L), versions(store.read(StreamQuery.stream(streamId).fromVersion(4).limit(10))));
            assertEquals(List.of(), versions(store.read(StreamQuery.stream(streamId).limit(0))));
            assertEquals(5, read(streamId).size(), "events without a limit");
        }

        @Test
        @DisplayName("asOf returns exactly the events stored at or before the instant")
        void asOf() {
            String streamId = newStreamId();
            AppendResult first = store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.noStream(), simpleEvents(2));
            Instant boundary = first.events().get(1).timestamp();
            AppendResult last = first;
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            // Timestamps come from the store's clock; append until one lands strictly after the boundary.
            while (!last.events().get(0).timestamp().isAfter(boundary)) {
                if (System.nanoTime() > deadline) {
                    fail("the store stamped every event with " + boundary + " for 5 seconds");
                }
                ContractSupport.pauseBriefly();
                last = store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(last.newVersion()), simpleEvents(1));
            }
            store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(last.newVersion()), simpleEvents(1));

            List<EventEnvelope> all = read(streamId);
            List<EventEnvelope> expected = all.stream().filter(e -> !e.timestamp().isAfter(boundary)).toList();
            assertTrue(expected.size() >= 2 && expected.size() < all.size(),
                    "the boundary must split the stream, but " + expected.size() + " of " + all.size()
                            + " events are at or before " + boundary);
            assertEquals(expected, store.read(StreamQuery.stream(streamId).asOf(boundary)), "events as of the boundary");
            assertEquals(expected.subList(1, expected.size()),
                    store.read(StreamQuery.stream(streamId).fromVersion(2).asOf(boundary)), "fromVersion(2) as of the boundary");
            Instant beforeFirst = first.events().get(0).timestamp().minusMillis(1);
            assertEquals(List.of(), store.read(StreamQuery.stream(streamId).asOf(beforeFirst)),
                    "events as of before the first event");
            assertEquals(all, store.read(StreamQuery.stream(streamId).asOf(Instant.now().plusSeconds(3600))),
                    "events as of the future");
        }

        @Test
        @DisplayName("an unknown stream reads as empty with version 0, next to a stream that has events")
        void unknownStream() {
            String known = newStreamId();
            seed(known, 2);
            String unknown = newStreamId();
            assertEquals(List.of(), read(unknown), "events of an unknown stream");
            assertEquals(List.of(), store.read(StreamQuery.stream(unknown).fromVersion(1).limit(10)),
                    "events of an unknown stream with a query");
            assertEquals(0, store.currentVersion(unknown), "currentVersion of an unknown stream");
            assertEquals(2, store.currentVersion(known), "currentVersion of the known stream");
            assertEquals(2, read(known).size(), "events of the known stream");
        }

        @Test
        @DisplayName("currentVersion follows successful appends and ignores failed ones")
        void currentVersion() {
            String streamId = newStreamId();
            assertEquals(0, store.currentVersion(streamId), "currentVersion before the first append");
            store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.noStream(), simpleEvents(3));
            assertEquals(3, store.currentVersion(streamId), "currentVersion after 3 events");
            assertThrows(ConcurrencyConflictException.class,
                    () -> store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(1), simpleEvents(2)));
            assertEquals(3, store.currentVersion(streamId), "currentVersion after a failed append");
            store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.any(), simpleEvents(2));
            assertEquals(5, store.currentVersion(streamId), "currentVersion after 2 more events");
        }
    }

    /** The global log: readAll, headPosition, paging. */
    @Nested
    @DisplayName("global log")
    public class GlobalLog {

        @Test
        @DisplayName("readAll returns every event once, in commit order, as the appends returned them")
        void readAllReturnsEverythingOnce() {
            assertEquals(0, store.headPosition(), "headPosition of an empty store");
            assertEquals(List.of(), store.readAll(1, 100), "readAll of an empty store");
            List<EventEnvelope> appended = appendAcrossStreams(3, 4);

            List<EventEnvelope> log = store.readAll(1, 1000);
            assertSameEnvelopes(appended, log, "readAll returns the committed envelopes in commit order");
            assertLogConsistentWithStreams(log);
        }

        @Test
        @DisplayName("headPosition is the position of the last committed event")
        void headPosition() {
            List<EventEnvelope> appended = appendAcrossStreams(2, 3);
            List<EventEnvelope> log = readWholeLog(100);
            assertSameEnvelopes(appended, log, "the whole log");
            long last = log.get(log.size() - 1).globalPosition();
            assertTrue(last >= log.size(), "the last position (" + last + ") is at least the number of events");
            assertEquals(last, store.headPosition(), "headPosition after the appends");

            String streamId = newStreamId();
            List<NewEvent> more = simpleEvents(2);
            store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.noStream(), more);
            List<EventEnvelope> longer = readWholeLog(100);
            EventEnvelope newest = longer.get(longer.size() - 1);
            assertEquals(more.get(1).eventId(), newest.eventId(), "the last event of the log");
            assertTrue(newest.globalPosition() > last, "the head moves forward with an append");
            assertEquals(newest.globalPosition(), store.headPosition(), "headPosition after one more append");
            assertThrows(ConcurrencyConflictException.class,
                    () -> store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.noStream(), simpleEvents(1)));
            assertEquals(newest.globalPosition(), store.headPosition(), "headPosition after a failed append");
        }

        @Test
        @DisplayName("paging through the whole log with small pages loses and repeats nothing")
        void pagingLosesNothing() {
            List<EventEnvelope> appended = appendAcrossStreams(4, 5);
            List<EventEnvelope> whole = store.readAll(1, 1000);
            assertSameEnvelopes(appended, whole, "the whole log in one read");
            for (int pageSize : new int[]{1, 3, 7}) {
                assertEquals(whole, readWholeLog(pageSize), "the whole log read in pages of " + pageSize);
            }
        }

        @Test
        @DisplayName("readAll starts at the given position and honours maxCount")
        void readAllFromPosition() {
            List<EventEnvelope> appended = appendAcrossStreams(2, 5);
            List<EventEnvelope> log = store.readAll(1, 1000);
            assertSameEnvelopes(appended, log, "the whole log");
            long middle = log.get(4).globalPosition();
            assertEquals(log.subList(4, log.size()), store.readAll(middle, 1000), "readAll from the fifth event's position");
            assertEquals(log.subList(4, 7), store.readAll(middle, 3), "readAll from the fifth event with maxCount 3");
            assertEquals(log.subList(5, log.size()), store.readAll(middle + 1, 1000),
                    "readAll from just after the fifth event's position");
            assertEquals(List.of(), store.readAll(middle, 0), "readAll with maxCount 0");
            assertEquals(List.of(), store.readAll(store.headPosition() + 1, 10), "readAll past the head");
        }

        private List<EventEnvelope> appendAcrossStreams(int streamCount, int rounds) {
            List<String> streams = new ArrayList<>();
            for (int i = 0; i < streamCount; i++) {
                streams.add(newStreamId());
            }
            List<EventEnvelope> appended = new ArrayList<>();
            Map<String, Long> versions = new HashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (String streamId : streams) {
                    long version = versions.getOrDefault(streamId, 0L);
                    AppendResult result = store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(version),
                            simpleEvents(1 + (round + streamId.length()) % 2));
                    versions.put(streamId, result.newVersion());
                    appended.addAll(result.events());
                }
            }
            return appended;
        }
    }

    /** Change capture: listeners told of committed appends. */
    @Nested
    @DisplayName("subscriptions")
    @SuppressWarnings("try") // the subscriptions are opened by try-with-resources only to be closed after the body
    public class Subscriptions {

        @Test
        @DisplayName("a listener sees committed appends in per-stream order, as the appends returned them")
        void listenerSeesCommittedAppends() {
            Recorder recorder = new Recorder();
            List<EventEnvelope> appended = new ArrayList<>();
            try (Subscription ignored = store.subscribe(recorder)) {
                String a = newStreamId();
                String b = newStreamId();
                for (int round = 0; round < 3; round++) {
                    appended.addAll(store.append(a, AGGREGATE_TYPE, ExpectedVersion.exactly(round * 2L),
                            simpleEvents(2)).events());
                    appended.addAll(store.append(b, AGGREGATE_TYPE, ExpectedVersion.exactly(round),
                            simpleEvents(1)).events());
                }
                recorder.awaitEvents(idsOfEnvelopes(appended), deliveryTimeout());
                for (String streamId : List.of(a, b)) {
                    List<EventEnvelope> expected = appended.stream().filter(e -> e.streamId().equals(streamId)).toList();
                    List<EventEnvelope> seen = recorder.events().stream()
                            .filter(e -> e.streamId().equals(streamId)).toList();
                    assertSameEnvelopes(expected, seen, "envelopes of " + streamId + " seen by the listener");
                }
                assertEquals(appended.size(), recorder.events().size(), "envelopes seen by the listener");
            }
        }

        @Test
        @DisplayName("a listener is not told of failed appends")
        void failedAppendsAreNotDelivered() {
            Recorder recorder = new Recorder();
            try (Subscription ignored = store.subscribe(recorder)) {
                String streamId = newStreamId();
                NewEvent first = simpleEvent();
                store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.noStream(), List.of(first));
                assertThrows(ConcurrencyConflictException.class,
                        () -> store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.noStream(), simpleEvents(1)));
                assertThrows(DuplicateEventIdException.class,
                        () -> store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(1),
                                List.of(copyWithSameId(first))));
                assertThrows(EventTooLargeException.class,
                        () -> store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(1),
                                List.of(simpleEvent(), oversizedEvent())));
                assertEquals(1, store.currentVersion(streamId), "currentVersion after the failed appends");
                NewEvent last = simpleEvent();
                store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(1), List.of(last));

                recorder.awaitEvents(List.of(first.eventId(), last.eventId()), deliveryTimeout());
                assertEquals(List.of(first.eventId(), last.eventId()), idsOfEnvelopes(recorder.events()),
                        "only committed events reach the listener");
            }
        }

        @Test
        @DisplayName("closing a subscription stops its delivery while others keep receiving")
        void closingStopsDelivery() {
            Recorder closed = new Recorder();
            Recorder open = new Recorder();
            String streamId = newStreamId();
            try (Subscription stays = store.subscribe(open)) {
                Subscription toClose = store.subscribe(closed);
                NewEvent before = simpleEvent();
                store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.noStream(), List.of(before));
                closed.awaitEvents(List.of(before.eventId()), deliveryTimeout());
                toClose.close();

                NewEvent after = simpleEvent();
                store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(1), List.of(after));
                open.awaitEvents(List.of(before.eventId(), after.eventId()), deliveryTimeout());
                assertEquals(List.of(before.eventId()), idsOfEnvelopes(closed.events()),
                        "a closed subscription receives nothing after close");
            }
        }

        @Test
        @DisplayName("closing a subscription twice is harmless, even when the same listener is subscribed twice")
        void closingTwiceIsHarmless() {
            Recorder recorder = new Recorder();
            String streamId = newStreamId();
            Subscription first = store.subscribe(recorder);
            try (Subscription second = store.subscribe(recorder)) {
                first.close();
                first.close();
                NewEvent event = simpleEvent();
                store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.noStream(), List.of(event));
                recorder.awaitEvents(List.of(event.eventId()), deliveryTimeout());
                assertEquals(List.of(event.eventId()), idsOfEnvelopes(recorder.events()),
                        "the remaining subscription delivers the event once");
            }
        }

        @Test
        @DisplayName("a listener that throws neither fails the append nor stops other listeners")
        void throwingListenerIsIsolated() {
            Recorder recorder = new Recorder();
            AppendListener failing = events -> {
                throw new IllegalStateException("listener failure raised on purpose by the contract suite");
            };
            // A store may log the listener's failure (with its stack trace); what it logs is its own business,
            // so the suite keeps it out of the build output without asserting it.
            try (LogCapture logs = LogCapture.start();
                 Subscription bad = store.subscribe(failing); Subscription good = store.subscribe(recorder)) {
                String streamId = newStreamId();
                List<NewEvent> events = simpleEvents(2);
                AppendResult result = store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.noStream(), events);
                assertEquals(2, result.newVersion(), "newVersion despite a failing listener");
                recorder.awaitEvents(idsOf(events), deliveryTimeout());
                assertEquals(idsOf(events), idsOfEnvelopes(read(streamId)), "events stored despite a failing listener");
            }
        }
    }

    /** Bad input is rejected with a typed error, and nothing stored changes. */
    @Nested
    @DisplayName("bad input")
    public class BadInput {

        @Test
        @DisplayName("a null or blank stream id is rejected with IllegalArgumentException")
        void blankStreamId() {
            String existing = newStreamId();
            seed(existing, 1);
            for (String blank : Arrays.asList(null, "", "   ")) {
                assertThrows(IllegalArgumentException.class,
                        () -> store.append(blank, AGGREGATE_TYPE, ExpectedVersion.any(), simpleEvents(1)),
                        "stream id '" + blank + "'");
            }
            assertEquals(1, readWholeLog(10).size(), "events in the global log after rejected appends");
        }

        @Test
        @DisplayName("a null or blank aggregate type is rejected with IllegalArgumentException")
        void blankAggregateType() {
            String streamId = newStreamId();
            seed(streamId, 1);
            StoreState before = state(streamId);
            for (String blank : Arrays.asList(null, "", " ")) {
                assertThrows(IllegalArgumentException.class,
                        () -> store.append(streamId, blank, ExpectedVersion.any(), simpleEvents(1)),
                        "aggregate type '" + blank + "'");
            }
            assertEquals(before, state(streamId), "rejected appends leave the store unchanged");
        }

        // the contract is that the store refuses a null batch: passed on purpose
        @SuppressWarnings("NullAway")
        @Test
        @DisplayName("an empty, null or null-holding batch is rejected with IllegalArgumentException")
        void emptyBatch() {
            String streamId = newStreamId();
            seed(streamId, 1);
            StoreState before = state(streamId);
            assertThrows(IllegalArgumentException.class,
                    () -> store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(1), List.of()), "empty batch");
            assertThrows(IllegalArgumentException.class,
                    () -> store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(1), null), "null batch");
            assertThrows(IllegalArgumentException.class,
                    () -> store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(1),
                            Arrays.asList(simpleEvent(), null)), "batch holding null");
            assertEquals(before, state(streamId), "rejected appends leave the store unchanged");
        }

        @Test
        @DisplayName("an event over the size limit fails with EventTooLargeException and changes nothing")
        void eventTooLarge() {
            String streamId = newStreamId();
            seed(streamId, 1);
            StoreState before = state(streamId);
            NewEvent big = oversizedEvent();

            EventTooLargeException e = assertThrows(EventTooLargeException.class,
                    () -> store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(1), List.of(big)));
            assertEquals(streamId, e.streamId(), "EventTooLargeException.streamId");
            assertEquals(big.eventType(), e.eventType(), "EventTooLargeException.eventType");
            assertEquals(maxEventSizeBytes(), e.limit(), "EventTooLargeException.limit");
            assertTrue(e.size() > e.limit(), "size " + e.size() + " must exceed limit " + e.limit());
            assertFalse(e.isTransient(), "an oversized event is a permanent failure");
            assertEquals(before, state(streamId), "a rejected append leaves the store unchanged");

            NewEvent small = sizedEvent(Math.max(1, maxEventSizeBytes() / 4));
            store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(1), List.of(small));
            assertEquals(2, store.currentVersion(streamId), "an event well under the limit is accepted");
        }

        @Test
        @DisplayName("appending to a stream of another aggregate type fails with StreamTypeMismatchException")
        void streamTypeMismatch() {
            String streamId = newStreamId();
            List<NewEvent> seeded = seed(streamId, 2);
            StoreState before = state(streamId);

            StreamTypeMismatchException e = assertThrows(StreamTypeMismatchException.class,
                    () -> store.append(streamId, "Invoice", ExpectedVersion.exactly(2), simpleEvents(1)));
            assertTrue(String.valueOf(e.getMessage()).contains(streamId), "the message names the stream: " + e.getMessage());
            assertThrows(StreamTypeMismatchException.class,
                    () -> store.append(streamId, "Invoice", ExpectedVersion.any(), simpleEvents(1)), "with any()");
            assertThrows(StreamTypeMismatchException.class,
                    () -> store.append(streamId, "Invoice", ExpectedVersion.noStream(), seeded),
                    "re-sending the stored batch under another aggregate type");
            assertEquals(before, state(streamId), "rejected appends leave the store unchanged");
            for (EventEnvelope stored : read(streamId)) {
                assertEquals(AGGREGATE_TYPE, stored.aggregateType(), "aggregate type of version " + stored.version());
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Helpers

    /** What a test can observe of one stream and the global log, to prove a failure changed nothing. */
    private record StoreState(long version, List<EventEnvelope> events, long head, List<EventEnvelope> log) {
    }

    private StoreState state(String streamId) {
        return new StoreState(store.currentVersion(streamId), read(streamId), store.headPosition(), readWholeLog(100));
    }

    private static String newStreamId() {
        return "order-" + UUID.randomUUID();
    }

    private List<EventEnvelope> read(String streamId) {
        return store.read(StreamQuery.stream(streamId));
    }

    /** Appends {@code count} events to a new stream and checks they were stored. */
    private List<NewEvent> seed(String streamId, int count) {
        List<NewEvent> events = simpleEvents(count);
        store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.noStream(), events);
        assertEquals(idsOf(events), idsOfEnvelopes(read(streamId)), "events of the seeded stream " + streamId);
        return events;
    }

    /** Re-sends a batch that was stored before; any exception is a contract failure. */
    private AppendResult resend(String streamId, ExpectedVersion expected, List<NewEvent> batch) {
        return assertDoesNotThrow(() -> store.append(streamId, AGGREGATE_TYPE, expected, batch),
                "re-sending a stored batch at " + expected + " must succeed as a no-op");
    }

    private void appendWithRetry(String streamId, NewEvent event) {
        try {
            RetryPolicy.attempts(MAX_ATTEMPTS).execute(() -> store.append(streamId, AGGREGATE_TYPE,
                    ExpectedVersion.exactly(store.currentVersion(streamId)), List.of(event)),
                    e -> e instanceof ConcurrencyConflictException);
        } catch (ConcurrencyConflictException e) {
            throw new AssertionError("event " + event.eventId() + " still conflicted after " + MAX_ATTEMPTS + " attempts", e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("appending event " + event.eventId() + " failed", e);
        }
    }

    private List<EventEnvelope> readWholeLog(int pageSize) {
        List<EventEnvelope> all = new ArrayList<>();
        long from = 1;
        while (true) {
            List<EventEnvelope> page = store.readAll(from, pageSize);
            if (page.isEmpty()) {
                return all;
            }
            assertTrue(page.size() <= pageSize, "readAll returned " + page.size() + " events for maxCount " + pageSize);
            for (EventEnvelope e : page) {
                assertTrue(e.hasGlobalPosition(), "readAll returned " + e.idempotencyKey() + " without a global position");
                assertTrue(e.globalPosition() >= from, "readAll from " + from + " returned position " + e.globalPosition());
                if (!all.isEmpty()) {
                    long previous = all.get(all.size() - 1).globalPosition();
                    assertTrue(e.globalPosition() > previous,
                            "global positions must increase, but " + previous + " was followed by " + e.globalPosition());
                }
                all.add(e);
            }
            from = page.get(page.size() - 1).globalPosition() + 1;
        }
    }

    /**
     * The log holds exactly the appended envelopes, in this order. Global positions are compared too
     * when the append reported them; a store may leave them unset on append and assign them in its log.
     */
    private static void assertSameEnvelopes(List<EventEnvelope> appended, List<EventEnvelope> log, String what) {
        boolean positioned = appended.stream().allMatch(EventEnvelope::hasGlobalPosition);
        if (positioned) {
            assertEquals(appended, log, what);
        } else {
            assertEquals(withoutPositions(appended), withoutPositions(log), what + " (positions not compared)");
        }
    }

    private static List<EventEnvelope> withoutPositions(List<EventEnvelope> events) {
        return events.stream().map(e -> new EventEnvelope(e.eventId(), e.streamId(), e.aggregateType(), e.version(),
                EventEnvelope.NO_POSITION, e.eventType(), e.schemaVersion(), e.timestamp(), e.correlationId(),
                e.causationId(), e.metadata(), e.payload())).toList();
    }

    private void assertLogConsistentWithStreams(List<EventEnvelope> log) {
        Map<String, Long> lastVersion = new HashMap<>();
        Set<UUID> seen = new HashSet<>();
        for (EventEnvelope e : log) {
            assertTrue(seen.add(e.eventId()), "event " + e.eventId() + " appears twice in the global log");
            long previous = lastVersion.getOrDefault(e.streamId(), 0L);
            assertEquals(previous + 1, e.version(),
                    "the global log must hold stream " + e.streamId() + " in version order without gaps");
            lastVersion.put(e.streamId(), e.version());
        }
        for (Map.Entry<String, Long> stream : lastVersion.entrySet()) {
            assertEquals(stream.getValue(), store.currentVersion(stream.getKey()),
                    "the global log holds every event of " + stream.getKey());
        }
    }

    private static void assertStored(NewEvent sent, EventEnvelope stored, String streamId, long version) {
        assertAll("envelope of version " + version,
                () -> assertEquals(sent.eventId(), stored.eventId(), "eventId"),
                () -> assertEquals(streamId, stored.streamId(), "streamId"),
                () -> assertEquals(AGGREGATE_TYPE, stored.aggregateType(), "aggregateType"),
                () -> assertEquals(version, stored.version(), "version"),
                () -> assertEquals(sent.eventType(), stored.eventType(), "eventType"),
                () -> assertEquals(sent.schemaVersion(), stored.schemaVersion(), "schemaVersion"),
                () -> assertNotNull(stored.timestamp(), "timestamp"),
                () -> assertEquals(sent.correlationId(), stored.correlationId(), "correlationId"),
                () -> assertEquals(sent.causationId(), stored.causationId(), "causationId"),
                () -> assertEquals(sent.metadata(), stored.metadata(), "metadata"),
                () -> assertArrayEquals(sent.payload().bytes(), stored.payload().bytes(), "payload bytes"));
    }

    private static NewEvent simpleEvent() {
        UUID id = UUID.randomUUID();
        return new NewEvent(id, "ItemAdded", 1, EventPayload.ofJson("{\"item\":\"" + id + "\",\"quantity\":1}"),
                null, null, Map.of());
    }

    private static List<NewEvent> simpleEvents(int count) {
        List<NewEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(simpleEvent());
        }
        return events;
    }

    private static NewEvent fullEvent(String type, int schemaVersion, Map<String, String> metadata) {
        UUID id = UUID.randomUUID();
        return new NewEvent(id, type, schemaVersion, EventPayload.ofJson("{\"orderId\":\"" + id + "\",\"lines\":[1,2]}"),
                "correlation-" + UUID.randomUUID(), "causation-" + UUID.randomUUID(), metadata);
    }

    private static NewEvent copyWithSameId(NewEvent event) {
        return new NewEvent(event.eventId(), "ItemRemoved", 1, EventPayload.ofJson("{\"reused\":true}"), null, null,
                Map.of());
    }

    /** An event whose payload alone is larger than the store's limit. */
    private NewEvent oversizedEvent() {
        return sizedEvent(maxEventSizeBytes() + 1);
    }

    /** An event whose JSON payload is {@code payloadBytes} long. */
    private static NewEvent sizedEvent(int payloadBytes) {
        String prefix = "{\"blob\":\"";
        String suffix = "\"}";
        int fill = Math.max(0, payloadBytes - prefix.length() - suffix.length());
        return NewEvent.of("BlobAttached", 1, EventPayload.ofJson(prefix + "x".repeat(fill) + suffix));
    }

    private static List<UUID> idsOf(List<NewEvent> events) {
        return events.stream().map(NewEvent::eventId).toList();
    }

    @SafeVarargs
    private static List<UUID> concat(List<NewEvent>... batches) {
        List<UUID> ids = new ArrayList<>();
        for (List<NewEvent> batch : batches) {
            ids.addAll(idsOf(batch));
        }
        return ids;
    }

    private static List<UUID> idsOfEnvelopes(List<EventEnvelope> events) {
        return events.stream().map(EventEnvelope::eventId).toList();
    }

    private static List<Long> versions(List<EventEnvelope> events) {
        return events.stream().map(EventEnvelope::version).toList();
    }

    /** A listener that records what it is told and lets a test wait, boundedly, for given events. */
    private static final class Recorder implements AppendListener {
        private final List<EventEnvelope> events = new ArrayList<>();

        @Override
        public synchronized void onAppend(List<EventEnvelope> batch) {
            events.addAll(batch);
            notifyAll();
        }

        synchronized List<EventEnvelope> events() {
            return List.copyOf(events);
        }

        void awaitEvents(List<UUID> ids, Duration timeout) {
            awaitTrue(this, timeout, () -> idsOfEnvelopes(events).containsAll(ids),
                    () -> "the listener to be told of " + ids.size() + " events; it was told of "
                            + idsOfEnvelopes(events));
        }
    }
}
