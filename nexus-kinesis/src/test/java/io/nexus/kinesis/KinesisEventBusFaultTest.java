package io.nexus.kinesis;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nexus.core.bus.BusPath;
import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.checkpoint.ShardCheckpoint;
import io.nexus.core.checkpoint.ShardCheckpoints;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.store.Subscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.Shard;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.nexus.kinesis.KinesisTesting.assertNoSkips;
import static io.nexus.kinesis.KinesisTesting.await;
import static io.nexus.kinesis.KinesisTesting.event;
import static io.nexus.kinesis.KinesisTesting.firstOccurrences;
import static io.nexus.kinesis.KinesisTesting.range;
import static io.nexus.kinesis.KinesisTesting.storedVersions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Partial failures, throttling, a consumer killed before its checkpoint, and a shard split, on kinesis-mock. */
class KinesisEventBusFaultTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final KinesisMock mock = KinesisMock.get();
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        Collections.reverse(cleanup);
        for (AutoCloseable c : cleanup) {
            c.close();
        }
    }

    private String stream(int shards) {
        String name = mock.createStream("fault", shards);
        cleanup.add(() -> mock.deleteStream(name));
        return name;
    }

    private KinesisClient client(FaultInjector injector) {
        KinesisClient client = injector == null ? mock.client() : mock.client(injector);
        cleanup.add(client);
        return client;
    }

    private KinesisEventBus.Builder bus(KinesisClient client, String stream) {
        return KinesisEventBus.builder(client).primaryStream(stream)
                .pollInterval(Duration.ofMillis(50)).maxPollInterval(Duration.ofMillis(500)).shardSyncInterval(Duration.ofMillis(300))
                .publishRetry(RetryPolicy.custom().maxAttempts(20).initialDelay(Duration.ofMillis(5))
                        .maxDelay(Duration.ofMillis(100)).build());
    }

    private <T extends AutoCloseable> T track(T closeable) {
        cleanup.add(closeable);
        return closeable;
    }

    @Test
    void partialPutRecordsFailuresAreRetriedAndNeverReorderAnAggregate() {
        String stream = stream(2);
        FaultInjector faults = FaultInjector.partialFailures(42, 0.3);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        KinesisEventBus bus = track(bus(client(faults), stream).meterRegistry(meters).build());
        int keys = 8;
        int versions = 12;
        List<EventEnvelope> all = new ArrayList<>();
        for (int v = 1; v <= versions; v++) {
            for (int k = 0; k < keys; k++) {
                all.add(event("order-" + k, v, "OrderPlaced"));
            }
        }
        // One call with many aggregates (as the router publishes), then one call per event.
        bus.publish(all.subList(0, keys * 6));
        for (EventEnvelope e : all.subList(keys * 6, all.size())) {
            bus.publish(List.of(e));
        }
        assertTrue(faults.droppedRecords.get() > 5, "faults were injected: " + faults.droppedRecords.get());

        Map<String, List<Long>> stored = storedVersions(mock.admin(), stream);
        for (int k = 0; k < keys; k++) {
            assertEquals(range(1, versions), stored.get("order-" + k),
                    "stream 'order-" + k + "' is stored exactly once per version, in order, despite the failed records");
        }
        assertTrue(meters.get("nexus.kinesis.publish.retries").counters().stream().mapToDouble(c -> c.count()).sum()
                >= faults.droppedRecords.get(), "every failed record was counted as a retry");

        Map<String, List<Long>> seen = new ConcurrentHashMap<>();
        track(bus.subscribe("fault-reader", BusPath.PRIMARY, e ->
                seen.computeIfAbsent(e.streamId(), s -> Collections.synchronizedList(new ArrayList<>())).add(e.version())));
        await("every event consumed", TIMEOUT, () -> seen.values().stream().mapToInt(l -> Set.copyOf(l).size()).sum()
                == keys * versions);
        for (int k = 0; k < keys; k++) {
            assertEquals(range(1, versions), firstOccurrences(List.copyOf(seen.get("order-" + k))));
        }
    }

    @Test
    void aFailingKeyBacksOffAloneWhileTheRecordsOfOtherKeysGoOutWithoutWaiting() {
        String stream = stream(2);
        FaultInjector faults = FaultInjector.failKey("order-hot", 3);
        List<String> timeline = Collections.synchronizedList(new ArrayList<>());
        faults.onPut = keys -> timeline.add("put " + keys);
        DrivenTiming timing = new DrivenTiming(timeline);
        KinesisEventBus bus = track(bus(client(faults), stream)
                .publishRetry(RetryPolicy.custom().maxAttempts(10).initialDelay(Duration.ofSeconds(1)).multiplier(2)
                        .maxDelay(Duration.ofMinutes(1)).jitter(0).build())
                .timing(timing).build());
        List<String> keys = List.of("order-hot", "order-a", "order-b", "order-c");
        List<EventEnvelope> events = new ArrayList<>();
        for (int v = 1; v <= 4; v++) {
            for (String key : keys) {
                events.add(event(key, v, "OrderPlaced"));
            }
        }

        bus.publish(events);

        Map<String, List<Long>> stored = storedVersions(mock.admin(), stream);
        for (String key : keys) {
            assertEquals(range(1, 4), stored.get(key), "'" + key + "' stored once per version, in order");
        }
        int firstSleep = timeline.indexOf(timeline.stream().filter(t -> t.startsWith("sleep")).findFirst().orElseThrow());
        String sentBeforeAnyWait = String.join(" ", timeline.subList(0, firstSleep));
        for (String healthy : List.of("order-a", "order-b", "order-c")) {
            assertEquals(4, sentBeforeAnyWait.split(healthy + "[],]", -1).length - 1,
                    "every record of '" + healthy + "' went out before the publisher waited once: " + timeline);
        }
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4)), timing.sleeps,
                "the only waits are the hot key's own backoff, by its own attempts: " + timeline);
        assertEquals(3, faults.droppedRecords.get());
    }

    /** Publisher time that moves only when the publisher sleeps, and records each sleep. */
    private static final class DrivenTiming implements KinesisEventBus.Timing {
        private final List<String> timeline;
        final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());
        private long now;

        DrivenTiming(List<String> timeline) {
            this.timeline = timeline;
        }

        @Override
        public synchronized long nanoTime() {
            return now;
        }

        @Override
        public synchronized void sleep(long nanos) {
            sleeps.add(Duration.ofNanos(nanos));
            timeline.add("sleep " + Duration.ofNanos(nanos));
            now += nanos;
        }
    }

    @Test
    void recordsThatDoNotMatchTheRecordFormatAreSkippedAndCountedNeverDeliveredWithAnEmptyPayload() {
        String stream = stream(1);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        KinesisEventBus bus = track(bus(client(null), stream).meterRegistry(meters).build());
        String id = "0b6f3f2e-8a51-4d1c-9d0e-5b7a2c1e9f0";
        String valid = "{\"nx\":1,\"eventId\":\"" + id + "1\",\"streamId\":\"order-h\",\"version\":1,"
                + "\"globalPosition\":-1,\"eventType\":\"OrderPlaced\",\"schemaVersion\":1,"
                + "\"timestamp\":\"2026-11-30T09:15:02Z\",\"metadata\":{\"tenant\":\"acme\"},"
                + "\"payload\":\"eyJ0b3RhbCI6NX0=\"}";
        List<String> invalid = List.of(
                valid.replace("\"payload\":\"eyJ0b3RhbCI6NX0=\"", "\"payload\":{\"total\":5}"),
                valid.replace("\"nx\":1", "\"nx\":2"),
                valid.replace("\"version\":1", "\"version\":\"1\""),
                valid.replace("2026-11-30T09:15:02Z", "30/11/2026 09:15"),
                valid.replace("eyJ0b3RhbCI6NX0=", "eyJ0b3RhbCI6NX0_"),
                "{\"hello\":\"world\"}",
                "not json at all");
        for (String record : invalid) {
            putRaw(stream, "order-h", record);
        }
        putRaw(stream, "order-h", valid.replace(id + "1", id + "2").replace("\"version\":1", "\"version\":2"));
        bus.publish(List.of(event("order-h", 3, "OrderPlaced")));

        List<EventEnvelope> seen = Collections.synchronizedList(new ArrayList<>());
        track(bus.subscribe("format-reader", BusPath.PRIMARY, seen::add));
        await("the valid records delivered", TIMEOUT, () -> seen.size() >= 2);

        assertEquals(List.of(2L, 3L), seen.stream().map(EventEnvelope::version).toList(),
                "only the records that match the format were delivered, in order");
        assertEquals("{\"total\":5}", new String(seen.get(0).payload().bytes(), java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(Map.of("tenant", "acme"), seen.get(0).metadata());
        assertTrue(seen.stream().noneMatch(e -> e.payload().size() == 0), "no event arrived with an empty payload");
        assertEquals(invalid.size(), (int) meters.get("nexus.kinesis.consume.undecodable").tag("group", "format-reader")
                .counter().count(), "every skipped record was counted");
    }

    private void putRaw(String stream, String key, String data) {
        mock.admin().putRecord(r -> r.streamName(stream).partitionKey(key)
                .data(software.amazon.awssdk.core.SdkBytes.fromUtf8String(data)));
    }

    @Test
    void throttledPutRecordsRequestsAreRetried() {
        String stream = stream(1);
        FaultInjector faults = FaultInjector.throttleFirst(3);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        KinesisEventBus bus = track(bus(client(faults), stream).meterRegistry(meters).build());

        bus.publish(List.of(event("order-t", 1, "OrderPlaced"), event("order-t", 2, "OrderPlaced")));

        assertTrue(faults.throttled.get() == 3, "three requests were throttled: " + faults.throttled.get());
        assertEquals(List.of(1L, 2L), storedVersions(mock.admin(), stream).get("order-t"));
        assertTrue(meters.get("nexus.kinesis.publish.retries").tag("reason", "ProvisionedThroughputExceededException")
                .counter().count() >= 3);
    }

    @Test
    void throttledGetRecordsCallsAreRetriedAndNothingIsLost() {
        String stream = stream(1);
        KinesisEventBus publisher = track(bus(client(null), stream).build());
        FaultInjector faults = FaultInjector.throttleFirstReads(3);
        KinesisEventBus consumer = track(bus(client(faults), stream)
                .readBackoff(RetryPolicy.custom().initialDelay(Duration.ofMillis(5)).maxDelay(Duration.ofMillis(50)).build())
                .build());
        publisher.publish(List.of(event("order-r", 1, "OrderPlaced"), event("order-r", 2, "OrderPlaced")));

        List<Long> seen = Collections.synchronizedList(new ArrayList<>());
        track(consumer.subscribe("throttled-reader", BusPath.PRIMARY, e -> seen.add(e.version())));
        await("both events delivered after the throttled reads", TIMEOUT, () -> seen.size() >= 2);

        assertEquals(3, faults.throttled.get(), "three GetRecords calls were throttled");
        assertEquals(List.of(1L, 2L), firstOccurrences(List.copyOf(seen)));
    }

    @Test
    void recordsThatKeepFailingEndInATransientErrorNamingTheCount() {
        String stream = stream(1);
        KinesisEventBus bus = track(bus(client(FaultInjector.alwaysFailing()), stream)
                .publishRetry(RetryPolicy.custom().maxAttempts(3).initialDelay(Duration.ofMillis(1))
                        .maxDelay(Duration.ofMillis(5)).build()).build());

        KinesisBusException e = assertThrows(KinesisBusException.class, () -> bus.publish(List.of(
                event("order-a", 1, "OrderPlaced"), event("order-b", 1, "OrderPlaced"), event("order-c", 1, "OrderPlaced"))));

        assertTrue(e.isTransient());
        assertEquals(stream, e.kinesisStream());
        assertTrue(e.getMessage().contains("3 of 3 records") && e.getMessage().contains("after 3 attempts"), e.getMessage());
    }

    @Test
    void aRecordOverTheSizeLimitIsRejectedBeforeAnythingIsSent() {
        String stream = stream(1);
        KinesisEventBus bus = track(bus(client(null), stream).build());
        EventEnvelope small = event("order-big", 1, "OrderPlaced");
        String huge = "x".repeat(KinesisEventBus.DEFAULT_MAX_RECORD_BYTES);
        EventEnvelope big = new EventEnvelope(UUID.randomUUID(), "order-big", "Order", 2, EventEnvelope.NO_POSITION,
                "OrderPlaced", 1, small.timestamp(), null, null, Map.of(),
                io.nexus.core.event.EventPayload.ofJson("\"" + huge + "\""));

        KinesisRecordTooLargeException e = assertThrows(KinesisRecordTooLargeException.class,
                () -> bus.publish(List.of(small, big)));

        assertEquals(big.eventId(), e.eventId());
        assertTrue(e.size() > e.limit() && e.limit() == KinesisEventBus.DEFAULT_MAX_RECORD_BYTES);
        assertTrue(e.getMessage().contains("'order-big'") && e.getMessage().contains("nothing of this publish was sent"),
                e.getMessage());
        assertEquals(Map.of(), storedVersions(mock.admin(), stream), "nothing of the rejected call reached the stream");
    }

    @Test
    void aConsumerKilledBetweenProcessingAndCheckpointGetsTheEventAgainAfterRestart() throws Exception {
        String stream = stream(1);
        KillableCheckpoints checkpoints = new KillableCheckpoints(new InMemoryCheckpointStore());
        KinesisEventBus first = track(bus(client(null), stream).checkpoints(checkpoints).build());
        List<EventEnvelope> events = new ArrayList<>();
        for (int v = 1; v <= 10; v++) {
            events.add(event("order-kill", v, "OrderPlaced"));
        }
        first.publish(events);

        List<Long> firstRun = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch processedFifth = new CountDownLatch(1);
        Subscription running = first.subscribe("killable", BusPath.PRIMARY, e -> {
            firstRun.add(e.version());
            if (e.version() == 5) {
                checkpoints.killOnNextSave = true;
                processedFifth.countDown();
            }
        });
        assertTrue(processedFifth.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "version 5 was processed");
        await("the reader is stuck saving the checkpoint of version 5", TIMEOUT, () -> checkpoints.stuck.getCount() == 0);
        running.close();  // the process dies here: version 5 processed, its checkpoint never stored
        first.close();
        assertEquals(range(1, 5), firstRun);
        String consumer = first.checkpointConsumer("killable", BusPath.PRIMARY);
        String shard = mock.shards(stream).get(0).shardId();
        String savedAfterFour = checkpoints.load(consumer, shard).orElseThrow().position();

        checkpoints.killOnNextSave = false;
        KinesisEventBus restarted = track(bus(client(null), stream).checkpoints(checkpoints).build());
        List<Long> secondRun = Collections.synchronizedList(new ArrayList<>());
        track(restarted.subscribe("killable", BusPath.PRIMARY, e -> secondRun.add(e.version())));
        await("the restarted consumer got versions 5..10", TIMEOUT, () -> Set.copyOf(secondRun).containsAll(range(5, 10)));

        assertEquals(range(5, 10), firstOccurrences(List.copyOf(secondRun)),
                "version 5, processed but not checkpointed, was redelivered first; nothing before it was");
        Set<Long> union = new HashSet<>(firstRun);
        union.addAll(secondRun);
        assertEquals(Set.copyOf(range(1, 10)), union, "nothing lost");
        assertTrue(!savedAfterFour.equals(checkpoints.load(consumer, shard).orElseThrow().position()),
                "the restarted consumer moved the checkpoint on");
    }

    @Test
    void aShardSplitDuringConsumptionLosesNothingAndKeepsEachAggregatesOrder() throws Exception {
        String stream = stream(1);
        InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
        KinesisEventBus bus = track(bus(client(null), stream).checkpoints(checkpoints).build());
        int keys = 10;
        Map<String, List<Long>> seen = new ConcurrentHashMap<>();
        CountDownLatch parentGate = new CountDownLatch(1);
        track(bus.subscribe("splitter", BusPath.PRIMARY, gated(seen, parentGate, 3)));
        publishVersions(bus, keys, 1, 6);
        await("the reader holds an event of the parent shard", TIMEOUT, () -> distinct(seen) == keys * 3);

        Shard parent = mock.shards(stream).get(0);
        BigInteger middle = new BigInteger(parent.hashKeyRange().endingHashKey()).shiftRight(1);
        mock.admin().splitShard(r -> r.streamName(stream).shardToSplit(parent.shardId()).newStartingHashKey(middle.toString()));
        await("the split took effect", TIMEOUT, () -> mock.shards(stream).size() == 3);
        publishVersions(bus, keys, 7, 12);
        giveChildrenAChanceToOvertake(parentGate);

        await("every version consumed after the split", TIMEOUT, () -> distinct(seen) == keys * 12);
        for (int k = 0; k < keys; k++) {
            List<Long> versions = List.copyOf(seen.get("order-" + k));
            assertEquals(range(1, 12), firstOccurrences(versions), "order of 'order-" + k + "' across parent and child");
            assertNoSkips("order-" + k, versions);
        }
        String consumer = bus.checkpointConsumer("splitter", BusPath.PRIMARY);
        await("the parent shard is checkpointed as read to its end", TIMEOUT, () -> ShardCheckpoints.over(checkpoints)
                .load(consumer, parent.shardId()).map(ShardCheckpoint::finished).orElse(false));
        assertEquals(3, checkpoints.loadAll(consumer).size(), "one checkpoint per shard, parent and both children");

        // A group that starts after the split reads the closed parent before its children.
        Map<String, List<Long>> late = new ConcurrentHashMap<>();
        track(bus.subscribe("late", BusPath.PRIMARY, e ->
                late.computeIfAbsent(e.streamId(), s -> Collections.synchronizedList(new ArrayList<>())).add(e.version())));
        await("the late group consumed everything", TIMEOUT, () -> distinct(late) == keys * 12);
        for (int k = 0; k < keys; k++) {
            assertEquals(range(1, 12), late.get("order-" + k), "the late group's order of 'order-" + k + "'");
        }
        assertTrue(!checkpoints.loadAll(bus.checkpointConsumer("late", BusPath.PRIMARY)).isEmpty(),
                "each group keeps its own checkpoints");
    }

    @Test
    void aShardMergeDuringConsumptionLosesNothingAndKeepsEachAggregatesOrder() throws Exception {
        String stream = stream(2);
        InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
        KinesisEventBus bus = track(bus(client(null), stream).checkpoints(checkpoints).build());
        int keys = 10;
        Map<String, List<Long>> seen = new ConcurrentHashMap<>();
        CountDownLatch parentGate = new CountDownLatch(1);
        track(bus.subscribe("merger", BusPath.PRIMARY, gated(seen, parentGate, 3)));
        publishVersions(bus, keys, 1, 6);
        await("the readers hold events of both parent shards", TIMEOUT, () -> distinct(seen) == keys * 3);

        List<Shard> parents = mock.shards(stream);
        mock.admin().mergeShards(r -> r.streamName(stream).shardToMerge(parents.get(0).shardId())
                .adjacentShardToMerge(parents.get(1).shardId()));
        await("the merge took effect", TIMEOUT, () -> mock.shards(stream).size() == 3);
        publishVersions(bus, keys, 7, 12);
        giveChildrenAChanceToOvertake(parentGate);

        await("every version consumed after the merge", TIMEOUT, () -> distinct(seen) == keys * 12);
        for (int k = 0; k < keys; k++) {
            List<Long> versions = List.copyOf(seen.get("order-" + k));
            assertEquals(range(1, 12), firstOccurrences(versions), "order of 'order-" + k + "' across both parents and the child");
            assertNoSkips("order-" + k, versions);
        }
        String consumer = bus.checkpointConsumer("merger", BusPath.PRIMARY);
        for (Shard parent : parents) {
            await("parent '" + parent.shardId() + "' is checkpointed as read to its end", TIMEOUT, () -> ShardCheckpoints
                    .over(checkpoints).load(consumer, parent.shardId()).map(ShardCheckpoint::finished).orElse(false));
        }
    }

    /**
     * A consumer that records versions and holds the first event above {@code openUpTo} until the gate
     * opens, so the parent shard still has unread records when the resharding happens.
     */
    private static io.nexus.core.bus.BusConsumer gated(Map<String, List<Long>> seen, CountDownLatch gate, long openUpTo) {
        return e -> {
            if (e.version() > openUpTo && e.version() <= 6) {
                gate.await();
            }
            seen.computeIfAbsent(e.streamId(), s -> Collections.synchronizedList(new ArrayList<>())).add(e.version());
        };
    }

    /**
     * Keeps the parent's reader held for several shard-sync intervals: a consumer that started the child
     * shards before the parent was read to its end would deliver their later versions first.
     */
    private static void giveChildrenAChanceToOvertake(CountDownLatch parentGate) throws InterruptedException {
        Thread.sleep(1_500);
        parentGate.countDown();
    }

    private static void publishVersions(KinesisEventBus bus, int keys, int from, int to) {
        for (int v = from; v <= to; v++) {
            List<EventEnvelope> batch = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                batch.add(event("order-" + k, v, "OrderPlaced"));
            }
            bus.publish(batch);
        }
    }

    private static int distinct(Map<String, List<Long>> seen) {
        int n = 0;
        for (List<Long> versions : seen.values()) {
            synchronized (versions) {
                n += Set.copyOf(versions).size();
            }
        }
        return n;
    }

    /**
     * A checkpoint store whose next save, once armed, never completes: the reader thread hangs there as
     * a process would that dies between handling an event and storing its checkpoint.
     */
    private static final class KillableCheckpoints implements CheckpointStore {
        private final CheckpointStore delegate;
        private final CountDownLatch never = new CountDownLatch(1);
        final CountDownLatch stuck = new CountDownLatch(1);
        volatile boolean killOnNextSave;

        KillableCheckpoints(CheckpointStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<Checkpoint> load(String consumer, String partition) {
            return delegate.load(consumer, partition);
        }

        @Override
        public Map<String, Checkpoint> loadAll(String consumer) {
            return delegate.loadAll(consumer);
        }

        @Override
        public void save(String consumer, String partition, String position) {
            if (killOnNextSave) {
                stuck.countDown();
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("process killed before the checkpoint was stored");
            }
            delegate.save(consumer, partition, position);
        }

        @Override
        public void reset(String consumer) {
            delegate.reset(consumer);
        }
    }
}
