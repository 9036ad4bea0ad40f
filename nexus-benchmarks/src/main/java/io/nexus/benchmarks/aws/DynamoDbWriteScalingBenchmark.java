package io.nexus.benchmarks.aws;

import io.nexus.benchmarks.Workloads;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.dynamodb.DynamoDbEventStore;
import io.nexus.dynamodb.DynamoDbLogIndexer;
import io.nexus.dynamodb.DynamoDbTables;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of the DynamoDB write path against the number of writer threads, at the target workload's shape:
 * one shot appends 10,000 single-event appends to 1,000 aggregates (10 each, every aggregate its n-th event
 * before any its (n+1)-th), each aggregate owned by one of {@link #writers} threads, with the
 * {@link DynamoDbLogIndexer} building the global log beside them on its own client, as a deployment runs it.
 *
 * <p>DynamoDB Local answers in-process and serializes its writes on one SQLite database, so its wall clock
 * cannot show the service's scaling. {@link #roundTripMillis} puts back what the emulator lacks, the network
 * round trip of every request ({@link SimulatedRoundTrip}, writers' and indexer's clients alike), so the
 * score shows what the client-side design allows: writers of different aggregates wait for their answers
 * side by side, with no shared item and no contention. With 0 it measures the emulator alone.
 *
 * <p>The score is the time of one shot; at the end of each shot it prints events/s, requests and capacity
 * units per event ({@link WriteCapacity}: reported by the endpoint and computed from the items by DynamoDB's
 * rules), cancelled transactions, the most requests in flight at once and the emulator's own time per request.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 0)
@Measurement(iterations = 2)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class DynamoDbWriteScalingBenchmark {

    /** Writer threads; each owns every {@code writers}-th aggregate. */
    @Param({"1", "8", "16"})
    public int writers;

    /**
     * The simulated network round trip per request, in ms. 5 ms: DynamoDB documents single-digit-millisecond
     * responses for item operations in-region; its "typical" request latency is a few milliseconds.
     */
    @Param({"5"})
    public int roundTripMillis;

    /** Aggregates per shot. */
    @Param({"1000"})
    public int aggregates;

    /** Single-event appends per aggregate per shot. */
    @Param({"10"})
    public int eventsPerAggregate;

    /** Warm-up before the first shot: 1,000 aggregates x 5 single-event appends from 8 threads. */
    private static final int WARM_UP_WRITERS = 8;
    private static final int WARM_UP_AGGREGATES = 1000;
    private static final int WARM_UP_ROUNDS = 5;

    private final WriteCapacity writerCapacity = new WriteCapacity();
    private final WriteCapacity indexerCapacity = new WriteCapacity();
    private SimulatedRoundTrip writerTrip;
    private SimulatedRoundTrip indexerTrip;
    private DynamoDbClient writerClient;
    private DynamoDbClient indexerClient;
    private DynamoDbStreamsClient streams;
    private DynamoDbEventStore store;
    private DynamoDbLogIndexer indexer;
    private ExecutorService pool;
    private List<String> ids;
    private long appended;
    private long shotStart;

    @Setup(Level.Trial)
    public void start() throws Exception {
        writerTrip = new SimulatedRoundTrip(Duration.ofMillis(roundTripMillis));
        indexerTrip = new SimulatedRoundTrip(Duration.ofMillis(roundTripMillis));
        writerClient = AwsEmulators.dynamoDbClient(writerCapacity, writerTrip);
        indexerClient = AwsEmulators.dynamoDbClient(indexerCapacity, indexerTrip);
        streams = AwsEmulators.streamsClient(indexerTrip);
        DynamoDbTables.Names tables = DynamoDbTables.Names.withPrefix("ws-" + UUID.randomUUID().toString().substring(0, 8) + "-");
        tables = new DynamoDbTables.Names(tables.events(), tables.snapshots(), tables.checkpoints());
        DynamoDbTables.createIfMissing(writerClient, tables);
        store = DynamoDbEventStore.builder(writerClient).tableName(tables.events()).build();
        indexer = DynamoDbLogIndexer.builder(indexerClient, streams).tableName(tables.events()).build();
        indexer.start();
        // The emulator's request handling, the SDK and the store are compiled by the JIT only after a few
        // thousand requests: until then a request takes several times its warm CPU time, and a one-writer run
        // measured cold would show a flattering speed-up. Every configuration warms up alike, with the same
        // WARM_UP_WRITERS threads, so that a shot with one writer runs on code as warm as one with sixteen.
        pool = Executors.newFixedThreadPool(WARM_UP_WRITERS);
        write(aggregates("warm", WARM_UP_AGGREGATES), WARM_UP_ROUNDS, WARM_UP_WRITERS);
        appended += (long) WARM_UP_AGGREGATES * WARM_UP_ROUNDS;
        awaitIndexed();
        pool.shutdown();
        pool = Executors.newFixedThreadPool(writers);
    }

    @Setup(Level.Iteration)
    public void freshAggregates() {
        ids = aggregates("shot", aggregates);
        writerCapacity.reset();
        indexerCapacity.reset();
        writerTrip.reset();
        indexerTrip.reset();
        shotStart = System.nanoTime();
    }

    @Benchmark
    public void appendTenThousand() throws Exception {
        write(ids, eventsPerAggregate);
    }

    @TearDown(Level.Iteration)
    public void report() throws InterruptedException {
        double seconds = (System.nanoTime() - shotStart) / 1e9;
        long events = (long) aggregates * eventsPerAggregate;
        long writerRequests = writerTrip.requests();
        double writerEmulator = writerTrip.emulatorMillisPerRequest();
        int inFlight = writerTrip.maxInFlight();
        appended += events;
        long waitStart = System.nanoTime();
        awaitIndexed();
        double lag = (System.nanoTime() - waitStart) / 1e9;
        System.out.printf("%n%d writers, %d ms simulated round trip: %d events in %.1f s = %.0f events/s; "
                        + "writers' requests per event %.2f (emulator %.1f ms each, queueing included), at most %d in flight; "
                        + "transactions %d, cancelled %d%n",
                writers, roundTripMillis, events, seconds, events / seconds, writerRequests / (double) events,
                writerEmulator, inFlight, writerCapacity.transactions(), writerCapacity.cancelled());
        System.out.printf("  per event: appends %.2f WCU computed (%.2f reported by the endpoint), %.2f RCU computed "
                        + "(%.2f reported); log index %.3f WCU computed (%.3f reported) in %d transactions, "
                        + "%d indexer requests; index caught up %.1f s after the last append%n",
                writerCapacity.computedWriteUnits() / (double) events, writerCapacity.reportedWriteUnits() / events,
                writerCapacity.computedReadUnits() / events, writerCapacity.reportedReadUnits() / events,
                indexerCapacity.computedWriteUnits() / (double) events, indexerCapacity.reportedWriteUnits() / events,
                indexerCapacity.transactions(), indexerTrip.requests(), lag);
    }

    @TearDown(Level.Trial)
    public void stop() {
        pool.shutdownNow();
        indexer.close();
        writerClient.close();
        indexerClient.close();
        streams.close();
    }

    /** Waits until the indexer has given positions to every event appended so far. */
    private void awaitIndexed() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (store.headPosition() < appended) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the log indexer indexed " + store.headPosition() + " of " + appended
                        + " events within 5 minutes");
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    private static List<String> aggregates(String prefix, int count) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(prefix + "-" + run + "-" + i);
        }
        return out;
    }

    /** Every writer appends one event at a time to its own aggregates, round after round. */
    private void write(List<String> streams, int rounds) throws Exception {
        write(streams, rounds, writers);
    }

    private void write(List<String> streams, int rounds, int threads) throws Exception {
        List<Future<?>> done = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            int me = t;
            done.add(pool.submit(() -> {
                for (int round = 0; round < rounds; round++) {
                    for (int i = me; i < streams.size(); i += threads) {
                        String id = streams.get(i);
                        store.append(id, Workloads.AGGREGATE_TYPE, ExpectedVersion.exactly(round),
                                List.of(NewEvent.of("Deposited", 1, EventPayload.ofBytes(Workloads.depositJson(id, 1)))));
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
    }
}
