package io.nexus.dynamodb;

import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.checkpoint.ShardCheckpoints;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.Subscription;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.ExpiredIteratorException;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsRequest;
import software.amazon.awssdk.services.dynamodb.model.SequenceNumberRange;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static io.nexus.dynamodb.DynamoDbEventStoreTest.events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The Streams reader against DynamoDB Local's Streams. */
class DynamoDbChangeCaptureTest {

    private DynamoDbTables.Names tables;
    private DynamoDbEventStore store;
    private CheckpointStore checkpoints;

    @BeforeEach
    void setUp() {
        tables = DynamoDbLocal.freshTables("capture");
        store = DynamoDbEventStore.builder(DynamoDbLocal.client()).tableName(tables.events())
                .streamsClient(DynamoDbLocal.streamsClient()).subscriptionPollInterval(Duration.ofMillis(50)).build();
        checkpoints = new DynamoDbCheckpointStore(DynamoDbLocal.client(), tables.checkpoints());
    }

    private DynamoDbChangeCapture reader(String name, List<EventEnvelope> sink, int maxRecords) {
        return reader(name, sink, maxRecords, DynamoDbLocal.streamsClient());
    }

    private DynamoDbChangeCapture reader(String name, List<EventEnvelope> sink, int maxRecords,
                                         DynamoDbStreamsClient streams) {
        return DynamoDbChangeCapture.builder(DynamoDbLocal.client(), streams)
                .tableName(tables.events()).readerName(name).checkpoints(checkpoints)
                .maxRecordsPerRead(maxRecords).pollInterval(Duration.ofMillis(50))
                .listener(sink::addAll).build();
    }

    /** Appends {@code perStream} single-event appends to each of {@code streams} streams, interleaved. */
    private List<AppendResult> appendInterleaved(int streams, int perStream, String prefix) {
        List<AppendResult> results = new ArrayList<>();
        for (int i = 0; i < perStream; i++) {
            for (int s = 0; s < streams; s++) {
                results.add(store.append(prefix + s, "T", ExpectedVersion.any(), events(1)));
            }
        }
        return results;
    }

    @Test
    void deliversEveryInsertedEventInOrderPerStreamAndNothingElse() {
        List<AppendResult> appended = new ArrayList<>(appendInterleaved(3, 4, "o-"));
        appended.add(store.append("multi", "T", ExpectedVersion.noStream(), events(5)));
        List<EventEnvelope> received = new ArrayList<>();
        DynamoDbChangeCapture reader = reader("all", received, 1000);

        drain(reader, () -> received.size() >= 17);

        assertEquals(17, received.size(), "events only: no heads, guards or index items");
        assertPerStreamOrder(received, Map.of("o-0", 4L, "o-1", 4L, "o-2", 4L, "multi", 5L));
        assertEquals(appended.stream().flatMap(r -> r.events().stream()).map(EventEnvelope::eventId)
                        .collect(Collectors.toSet()),
                received.stream().map(EventEnvelope::eventId).collect(Collectors.toSet()), "every appended event");
        assertEquals(0, reader.pollOnce(), "nothing is delivered twice by one running reader");
    }

    @Test
    void aReaderRestartedMidShardResumesFromItsCheckpointWithoutLoss() {
        restartMidShard(checkpoints);
    }

    @Test
    void aRestartAlsoResumesWithTheEmbeddedCheckpointStoreInTheSharedShardEncoding() {
        InMemoryCheckpointStore embedded = new InMemoryCheckpointStore();
        restartMidShard(embedded);
        Map<String, io.nexus.core.checkpoint.ShardCheckpoint> shards = ShardCheckpoints.over(embedded).loadAll("durable");
        assertTrue(!shards.isEmpty() && shards.values().stream().allMatch(c -> c.sequenceNumber() != null),
                "the reader's positions read back through core's ShardCheckpoints: " + shards);
    }

    private void restartMidShard(CheckpointStore store) {
        checkpoints = store;
        List<AppendResult> appended = appendInterleaved(4, 5, "r-");
        List<EventEnvelope> first = new ArrayList<>();
        DynamoDbChangeCapture before = reader("durable", first, 7);
        // read part of the shard, then "crash"
        for (int i = 0; i < 50 && first.size() < 7; i++) {
            before.pollOnce();
        }
        assertTrue(first.size() >= 7 && first.size() < 20, "stopped mid-shard after " + first.size());
        before.close();

        appendInterleaved(4, 2, "r-");
        List<EventEnvelope> second = new ArrayList<>();
        DynamoDbChangeCapture after = reader("durable", second, 7);
        drain(after, () -> first.size() + second.size() >= 28);

        List<EventEnvelope> all = new ArrayList<>(first);
        all.addAll(second);
        assertEquals(28, all.size(), "nothing lost, nothing replayed past the checkpoint");
        assertEquals(28, all.stream().map(EventEnvelope::eventId).distinct().count(),
                "the restarted reader continues right after the checkpoint: no event twice");
        assertPerStreamOrder(all, Map.of("r-0", 7L, "r-1", 7L, "r-2", 7L, "r-3", 7L));
        assertEquals(appended.get(0).events().get(0).eventId(), first.get(0).eventId());
    }

    @Test
    void aListenerThatFailsGetsTheSameBatchAgain() {
        store.append("f", "T", ExpectedVersion.noStream(), events(3));
        List<EventEnvelope> received = new ArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        DynamoDbChangeCapture reader = DynamoDbChangeCapture.builder(DynamoDbLocal.client(), DynamoDbLocal.streamsClient())
                .tableName(tables.events()).readerName("flaky").checkpoints(checkpoints)
                .listener(batch -> {
                    if (calls.incrementAndGet() == 1) {
                        throw new IllegalStateException("projection down");
                    }
                    received.addAll(batch);
                }).build();

        assertThrows(ChangeCaptureListenerException.class, () -> drain(reader, () -> !received.isEmpty()));
        drain(reader, () -> received.size() >= 3);

        assertEquals(List.of(1L, 2L, 3L), received.stream().map(EventEnvelope::version).toList());
    }

    @Test
    void aListenerThatFailsOnTheFirstReadAfterStartingAtLatestGetsItAgain() {
        store.append("old", "T", ExpectedVersion.noStream(), events(2));
        List<EventEnvelope> received = new ArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        DynamoDbChangeCapture reader = DynamoDbChangeCapture.builder(DynamoDbLocal.client(), DynamoDbLocal.streamsClient())
                .tableName(tables.events()).readerName("latest-flaky").checkpoints(new InMemoryCheckpointStore())
                .startAtLatest(true)
                .listener(batch -> {
                    if (calls.incrementAndGet() == 1) {
                        throw new IllegalStateException("projection down");
                    }
                    received.addAll(batch);
                }).build();
        reader.pollOnce(); // takes the iterators at the latest position
        store.append("new", "T", ExpectedVersion.noStream(), events(2));

        assertThrows(ChangeCaptureListenerException.class, () -> drain(reader, () -> !received.isEmpty()));
        drain(reader, () -> received.size() >= 2);

        assertEquals(List.of("new", "new"), received.stream().map(EventEnvelope::streamId).toList());
        assertEquals(List.of(1L, 2L), received.stream().map(EventEnvelope::version).toList());
    }

    @Test
    void anExpiredIteratorIsRenewedWithoutLossOrDuplicates() {
        ExpireOnce expirer = new ExpireOnce(2);
        try (DynamoDbStreamsClient streams = DynamoDbLocal.newStreamsClient(b -> b.addExecutionInterceptor(expirer)
                .retryStrategy(AwsRetryStrategy.doNotRetry()))) {
            appendInterleaved(2, 3, "e-");
            List<EventEnvelope> received = new ArrayList<>();
            DynamoDbChangeCapture reader = reader("expiry", received, 2, streams);
            drain(reader, () -> received.size() >= 6);

            assertTrue(expirer.fired.get(), "an iterator expired during the read");
            assertEquals(6, received.size());
            assertPerStreamOrder(received, Map.of("e-0", 3L, "e-1", 3L));
        }
    }

    @Test
    @SuppressWarnings("try") // the subscription is opened by try-with-resources only to be closed after the body
    void subscribeDeliversAppendsCommittedAfterItReturns() {
        store.append("before", "T", ExpectedVersion.noStream(), events(2));
        List<EventEnvelope> received = new CopyOnWriteArrayList<>();
        try (Subscription ignored = store.subscribe(received::addAll)) {
            store.append("after", "T", ExpectedVersion.noStream(), events(3));
            store.append("after", "T", ExpectedVersion.exactly(3), events(1));
            awaitTrue(() -> received.size() >= 4, Duration.ofSeconds(30));
        }
        assertEquals(List.of("after"), received.stream().map(EventEnvelope::streamId).distinct().toList());
        assertEquals(List.of(1L, 2L, 3L, 4L), received.stream().map(EventEnvelope::version).toList());
    }

    @Test
    void shardsAreOrderedParentsBeforeChildren() {
        Shard child1 = shard("c1", "p");
        Shard child2 = shard("c2", "p");
        Shard parent = shard("p", "gone");
        Shard grandchild = shard("g", "c1");
        Shard lone = shard("lone", null);

        List<String> order = DynamoDbChangeCapture.orderParentsFirst(List.of(grandchild, child1, lone, child2, parent))
                .stream().map(Shard::shardId).toList();

        assertEquals(5, order.size());
        assertTrue(order.indexOf("p") < order.indexOf("c1"));
        assertTrue(order.indexOf("p") < order.indexOf("c2"));
        assertTrue(order.indexOf("c1") < order.indexOf("g"));
    }

    @Test
    void theBuilderListsEveryMissingOption() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DynamoDbChangeCapture.builder(DynamoDbLocal.client(), DynamoDbLocal.streamsClient()).build());
        assertTrue(e.getMessage().contains("tableName, readerName, checkpoints, listener"), e.getMessage());
    }

    private static Shard shard(String id, String parent) {
        return Shard.builder().shardId(id).parentShardId(parent)
                .sequenceNumberRange(SequenceNumberRange.builder().startingSequenceNumber("1").build()).build();
    }

    private static void drain(DynamoDbChangeCapture reader, BooleanSupplier done) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("change capture did not deliver in time: " + reader);
            }
            if (reader.pollOnce() == 0) {
                pause();
            }
        }
    }

    private static void awaitTrue(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("condition not met within " + timeout);
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Each stream's events exactly once, versions 1..n in order. */
    private static void assertPerStreamOrder(List<EventEnvelope> received, Map<String, Long> expectedCounts) {
        Map<String, List<Long>> byStream = new LinkedHashMap<>();
        Map<UUID, Integer> seen = new HashMap<>();
        for (EventEnvelope e : received) {
            byStream.computeIfAbsent(e.streamId(), k -> new ArrayList<>()).add(e.version());
            seen.merge(e.eventId(), 1, Integer::sum);
        }
        assertEquals(expectedCounts.keySet(), byStream.keySet());
        expectedCounts.forEach((stream, count) -> {
            List<Long> expected = new ArrayList<>();
            for (long v = 1; v <= count; v++) {
                expected.add(v);
            }
            assertEquals(expected, byStream.get(stream), "versions of " + stream);
        });
        assertTrue(seen.values().stream().allMatch(n -> n == 1), "each event once");
    }

    /** Expires the shard iterator once, on the {@code nth} GetRecords call, as DynamoDB does after 15 minutes. */
    static final class ExpireOnce implements ExecutionInterceptor {
        final java.util.concurrent.atomic.AtomicBoolean fired = new java.util.concurrent.atomic.AtomicBoolean();
        private final AtomicInteger calls = new AtomicInteger();
        private final int nth;

        ExpireOnce(int nth) {
            this.nth = nth;
        }

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes executionAttributes) {
            if (context.request() instanceof GetRecordsRequest && calls.incrementAndGet() == nth
                    && fired.compareAndSet(false, true)) {
                throw ExpiredIteratorException.builder().message("Iterator expired (injected)").statusCode(400).build();
            }
        }
    }
}
