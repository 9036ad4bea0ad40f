package io.nexus.dynamodb;

import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.tracking.LogTracker;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The write path scales with the number of aggregates: a load harness on DynamoDB Local that counts every
 * item write per partition key with an SDK interceptor while 16 threads append 10,000 events to 1,000
 * aggregates and the log indexer runs beside them, then reads the whole global log through a
 * {@link LogTracker}. It prints events/s for 1 and 8 writer threads, also with a simulated network round
 * trip per request ({@link ServiceLatency}; docs/dynamodb.md reports them); the assertions are on counts only.
 */
class DynamoDbWriteScalingTest {

    private static final int AGGREGATES = 1_000;
    private static final int EVENTS_PER_AGGREGATE = 10;
    private static final int EVENTS = AGGREGATES * EVENTS_PER_AGGREGATE;
    /** A round trip to DynamoDB in the same region: the service documents single-digit milliseconds. */
    private static final long SIMULATED_ROUND_TRIP_MILLIS = 8;

    /** Counts item writes per partition key and transactions cancelled, as the service would see them. */
    static final class WriteCounter implements ExecutionInterceptor {
        final Map<String, LongAdder> writesPerKey = new ConcurrentHashMap<>();
        final LongAdder transactions = new LongAdder();
        final LongAdder cancelled = new LongAdder();
        final LongAdder failures = new LongAdder();
        final LongAdder leaseUpdates = new LongAdder();

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            SdkRequest request = context.request();
            if (request instanceof TransactWriteItemsRequest t) {
                transactions.increment();
                for (TransactWriteItem item : t.transactItems()) {
                    if (item.put() != null) {
                        count(item.put().item());
                    } else if (item.update() != null) {
                        count(item.update().key());
                    } else if (item.delete() != null) {
                        count(item.delete().key());
                    }
                }
            } else if (request instanceof PutItemRequest p) {
                count(p.item());
            } else if (request instanceof UpdateItemRequest u) {
                count(u.key());
                leaseUpdates.increment();
            }
        }

        @Override
        public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
            failures.increment();
            if (context.exception() instanceof software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException) {
                cancelled.increment();
            }
        }

        private void count(Map<String, AttributeValue> key) {
            writesPerKey.computeIfAbsent(key.get("pk").s(), k -> new LongAdder()).increment();
        }

        long totalWrites() {
            return writesPerKey.values().stream().mapToLong(LongAdder::sum).sum();
        }
    }

    /**
     * Models the network round trip that the service has and the in-process emulator lacks: every request
     * (each retry too) waits {@code delay} before it is sent. It also tracks how many requests are in flight at
     * once (sent and not yet answered), which shows whether writers of different aggregates overlap. It models
     * neither the service's own time per request nor its partitions: DynamoDB Local still serves the requests
     * one after another behind the delay.
     */
    static final class ServiceLatency implements ExecutionInterceptor {
        private static final software.amazon.awssdk.core.interceptor.ExecutionAttribute<AtomicLong> SENT =
                new software.amazon.awssdk.core.interceptor.ExecutionAttribute<>("nexus.simulatedLatency.sent");
        final Duration delay;
        final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger maxInFlight = new java.util.concurrent.atomic.AtomicInteger();
        final LongAdder requests = new LongAdder();
        final LongAdder emulatorNanos = new LongAdder();

        ServiceLatency(Duration delay) {
            this.delay = delay;
        }

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            requests.increment();
            try {
                Thread.sleep(delay.toMillis()); // the simulated round trip itself, not a wait for another thread
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            attributes.putAttribute(SENT, new AtomicLong(System.nanoTime()));
        }

        @Override
        public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
            answered(attributes);
        }

        @Override
        public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
            answered(attributes);
        }

        private void answered(ExecutionAttributes attributes) {
            AtomicLong holder = attributes.getAttribute(SENT);
            long sent = holder == null ? 0 : holder.getAndSet(0);
            if (sent != 0) {
                emulatorNanos.add(System.nanoTime() - sent);
                inFlight.decrementAndGet();
            }
        }

        void reset() {
            maxInFlight.set(inFlight.get());
            requests.reset();
            emulatorNanos.reset();
        }
    }

    /**
     * With a simulated round trip per request, eight writers of disjoint aggregates keep eight requests in
     * flight and append more per second than one, while every aggregate's key takes the same number of writes
     * and no other key is written. The events/s are printed for docs/dynamodb.md; the assertions are on counts.
     */
    @Test
    void withASimulatedRoundTripEightWritersOverlapAndEachAggregateKeyTakesItsOwnWritesOnly() throws Exception {
        WriteCounter counter = new WriteCounter();
        ServiceLatency latency = new ServiceLatency(Duration.ofMillis(SIMULATED_ROUND_TRIP_MILLIS));
        DynamoDbTables.Names tables = DynamoDbLocal.freshTables("latency");
        try (DynamoDbClient client = DynamoDbLocal.newClient(b -> b.addExecutionInterceptor(counter).addExecutionInterceptor(latency))) {
            DynamoDbEventStore store = DynamoDbEventStore.builder(client).tableName(tables.events()).build();
            int aggregates = 40;
            int rounds = 2;
            int events = aggregates * rounds;
            write(store, aggregates("warm", 16), 8, 1); // JIT and the emulator warm up
            counter.writesPerKey.clear();
            latency.reset();
            List<String> single = aggregates("one", aggregates);
            long one = write(store, single, 1, rounds);
            int overlapOne = latency.maxInFlight.get();
            double emulatorOne = latency.emulatorNanos.sum() / 1e6 / latency.requests.sum();
            latency.reset();
            List<String> eight = aggregates("eight", aggregates);
            long many = write(store, eight, 8, rounds);
            int overlapEight = latency.maxInFlight.get();
            double emulatorEight = latency.emulatorNanos.sum() / 1e6 / latency.requests.sum();
            System.out.printf("write scaling with %d ms simulated round trip: 1 writer %.0f events/s (emulator %.1f ms per request),"
                            + " 8 writers %.0f events/s (emulator %.1f ms per request, queueing included): x%.1f%n",
                    SIMULATED_ROUND_TRIP_MILLIS, events / (one / 1e9), emulatorOne, events / (many / 1e9), emulatorEight,
                    (double) one / many);

            assertEquals(1, overlapOne, "requests in flight at once with one writer");
            assertEquals(8, overlapEight, "requests in flight at once with eight writers of disjoint aggregates");
            assertEquals(0, counter.cancelled.sum(), "transactions cancelled (contention between aggregates)");
            Set<String> own = new HashSet<>(single);
            own.addAll(eight);
            long guards = 0;
            for (Map.Entry<String, LongAdder> e : counter.writesPerKey.entrySet()) {
                String key = e.getKey();
                if (key.startsWith("\u001Fid\u001F")) {
                    guards++;
                    assertEquals(1, e.getValue().sum(), "an event id's guard is written once");
                } else {
                    assertTrue(own.contains(key), "key '" + key.replace('\u001F', '/') + "' is no aggregate's, yet took "
                            + e.getValue().sum() + " writes");
                    assertEquals(2L * rounds, e.getValue().sum(), "writes to '" + key + "': its head and its events, no more");
                }
            }
            assertEquals(2L * events, guards, "one guard per event");
            assertEquals(2 * aggregates + guards, counter.writesPerKey.size(), "every aggregate written");
        }
    }

    @Test
    void sixteenWritersOnAThousandAggregatesShareNoHotItemAndNeverContend() throws Exception {
        WriteCounter counter = new WriteCounter();
        DynamoDbTables.Names tables = DynamoDbLocal.freshTables("scale");
        try (DynamoDbClient client = DynamoDbLocal.newClient(b -> b.addExecutionInterceptor(counter));
             DynamoDbStreamsClient streams = DynamoDbLocal.newStreamsClient(b -> { })) {
            DynamoDbEventStore store = DynamoDbEventStore.builder(client).tableName(tables.events())
                    .streamsClient(streams).build();
            DynamoDbLogIndexer indexer = DynamoDbLogIndexer.builder(client, streams).tableName(tables.events()).build();
            indexer.start();
            List<String> aggregates = aggregates("load", AGGREGATES);
            long failuresWhileWriting;
            try {
                long elapsed = write(store, aggregates, 16, EVENTS_PER_AGGREGATE);
                failuresWhileWriting = counter.failures.sum();
                System.out.printf("write scaling: %d events, 16 writer threads: %.0f events/s%n", EVENTS,
                        EVENTS / (elapsed / 1e9));
            } finally {
                indexer.close(); // may abort a request in flight
            }

            System.out.printf("write scaling: %d transactions, %d cancelled, %d failed requests while writing%n",
                    counter.transactions.sum(), counter.cancelled.sum(), failuresWhileWriting);
            assertEquals(EVENTS + indexerTransactions(counter, aggregates), counter.transactions.sum(),
                    "one transaction per append (none retried), besides the indexer's");
            assertEquals(0, counter.cancelled.sum(), "transactions cancelled (contention between aggregates)");
            assertEquals(0, failuresWhileWriting, "failed requests while writing");
            Set<String> own = new HashSet<>(aggregates);
            long total = counter.totalWrites();
            long ownMax = 0;
            Map<String, Long> others = new HashMap<>();
            for (Map.Entry<String, LongAdder> e : counter.writesPerKey.entrySet()) {
                if (own.contains(e.getKey())) {
                    ownMax = Math.max(ownMax, e.getValue().sum());
                } else {
                    others.put(e.getKey(), e.getValue().sum());
                }
            }
            assertEquals(2L * EVENTS_PER_AGGREGATE, ownMax, "an aggregate's own key: its head and its events");
            System.out.printf("write scaling: %d item writes, busiest key outside the aggregates: %d%n", total,
                    others.values().stream().mapToLong(Long::longValue).max().orElse(0));
            // The busiest other key is the index tail: one write per indexer transaction, at most about one per
            // batch interval while events trickle in, so its share falls as the load grows.
            long allowed = total / 50;
            for (Map.Entry<String, Long> e : others.entrySet()) {
                assertTrue(e.getValue() <= allowed, "key '" + e.getKey().replace('\u001F', '/') + "' took "
                        + e.getValue() + " of " + total + " writes; no key but an aggregate's own may take over 2%");
            }

            assertLogReadThroughTracker(store, indexer, aggregates);
        }
    }

    @Test
    void eightWritersAppendMoreThanOne() throws Exception {
        WriteCounter counter = new WriteCounter();
        DynamoDbTables.Names tables = DynamoDbLocal.freshTables("scale8");
        try (DynamoDbClient client = DynamoDbLocal.newClient(b -> b.addExecutionInterceptor(counter))) {
            DynamoDbEventStore store = DynamoDbEventStore.builder(client).tableName(tables.events()).build();
            int aggregates = 40;
            int rounds = 2;
            int events = aggregates * rounds;
            write(store, aggregates("warm", aggregates), 8, rounds); // JIT and the emulator warm up
            long one = write(store, aggregates("one", aggregates), 1, rounds);
            long eight = write(store, aggregates("eight", aggregates), 8, rounds);
            System.out.printf("write scaling: 1 writer thread %.0f events/s, 8 writer threads %.0f events/s (x%.1f)%n",
                    events / (one / 1e9), events / (eight / 1e9), (double) one / eight);
            assertEquals(3L * events, counter.transactions.sum(), "one transaction per append, none retried");
            assertEquals(0, counter.cancelled.sum(), "transactions cancelled (contention between aggregates)");
        }
    }

    /** The indexer's transactions: one per index chunk write, each also writing the index tail. */
    private static long indexerTransactions(WriteCounter counter, List<String> aggregates) {
        LongAdder tail = counter.writesPerKey.get(io.nexus.dynamodb.internal.LogIndex.TAIL_PK);
        return tail == null ? 0 : tail.sum() - leaseWrites(counter);
    }

    private static long leaseWrites(WriteCounter counter) {
        return counter.leaseUpdates.sum();
    }

    private static List<String> aggregates(String prefix, int count) {
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(prefix + "-" + i + "-" + UUID.randomUUID());
        }
        return out;
    }

    /** Appends one event at a time, each aggregate owned by one thread; returns the elapsed nanoseconds. */
    private static long write(DynamoDbEventStore store, List<String> aggregates, int threads, int rounds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int me = t;
                done.add(pool.submit(() -> {
                    for (int round = 0; round < rounds; round++) {
                        for (int i = me; i < aggregates.size(); i += threads) {
                            store.append(aggregates.get(i), "Load", ExpectedVersion.exactly(round),
                                    List.of(NewEvent.of("Loaded", 1, EventPayload.ofBytes(
                                            ("{\"n\":" + round + "}").getBytes(StandardCharsets.UTF_8)))));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            return System.nanoTime() - start;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertLogReadThroughTracker(DynamoDbEventStore store, DynamoDbLogIndexer indexer,
                                                    List<String> aggregates) throws InterruptedException {
        indexer.catchUp();
        List<EventEnvelope> seen = Collections.synchronizedList(new ArrayList<>());
        AtomicLong last = new AtomicLong();
        try (LogTracker tracker = LogTracker.builder("scale-reader", store, store, new InMemoryCheckpointStore())
                .batchSize(500).pollInterval(Duration.ofMillis(50)).build()) {
            tracker.start(batch -> {
                seen.addAll(batch);
                long end = batch.get(batch.size() - 1).globalPosition();
                last.set(end);
                return end;
            });
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (last.get() < EVENTS && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
        assertEquals(EVENTS, seen.size(), "events read through the tracker");
        assertEquals(EVENTS, store.headPosition(), "positions are gapless: the head is the number of events");
        Map<String, Long> versions = new HashMap<>();
        long previous = 0;
        for (EventEnvelope e : seen) {
            assertEquals(previous + 1, e.globalPosition(), "positions follow each other");
            previous = e.globalPosition();
            long before = versions.getOrDefault(e.streamId(), 0L);
            assertEquals(before + 1, e.version(), "stream '" + e.streamId() + "' in version order");
            versions.put(e.streamId(), e.version());
        }
        for (String aggregate : aggregates) {
            assertEquals(EVENTS_PER_AGGREGATE, versions.get(aggregate), "every event of " + aggregate);
        }
    }
}
