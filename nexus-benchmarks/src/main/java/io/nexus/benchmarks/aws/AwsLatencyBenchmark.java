package io.nexus.benchmarks.aws;

import io.nexus.benchmarks.Account;
import io.nexus.benchmarks.Deposit;
import io.nexus.benchmarks.Workloads;
import io.nexus.core.Nexus;
import io.nexus.core.aggregate.AggregateDefinition;
import io.nexus.core.bus.BusPath;
import io.nexus.core.bus.ConsumerGroup;
import io.nexus.core.command.CommandResult;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.dynamodb.DynamoDbChangeCapture;
import io.nexus.dynamodb.DynamoDbCheckpointStore;
import io.nexus.dynamodb.DynamoDbEngines;
import io.nexus.dynamodb.DynamoDbEventStore;
import io.nexus.dynamodb.DynamoDbLogIndexer;
import io.nexus.dynamodb.DynamoDbTables;
import io.nexus.kinesis.KinesisEventBus;
import io.nexus.kinesis.LeasedConsumerGroups;
import io.nexus.core.deadletter.InMemoryDeadLetterQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Latency of the AWS engines against their emulators (DynamoDB Local in-process, kinesis-mock from npm),
 * with every poller at its default interval, one operation at a time, JMH sample mode (p50 / p99):
 * <ul>
 *   <li>{@link #appendToChangeCapture}: {@link DynamoDbEventStore#append} of one event → the
 *       {@link DynamoDbChangeCapture} listener receives it (checkpoints in {@link DynamoDbCheckpointStore}).</li>
 *   <li>{@link #publishToKinesisConsumer}: {@link KinesisEventBus#publish} of one event → the consumer group's
 *       consumer receives it (a 2-shard stream; checkpoints in {@link DynamoDbCheckpointStore}).</li>
 *   <li>{@link #publishToLeasedConsumer}: the same through a leased consumer group (Kinesis Client Library, leases
 *       in DynamoDB Local), at its default poll interval.</li>
 *   <li>{@link #commandRoundTrip}: one command through {@code Nexus.commands()} on {@link DynamoDbEngines}
 *       (load, decide, append) over 1,000 accounts in round-robin order, the log indexer running beside it.</li>
 * </ul>
 * Each state counts the requests its clients send ({@link RequestCounter}) and prints them per operation and
 * per second at the end of the trial: what each operation costs, including the pollers' idle requests.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class AwsLatencyBenchmark {

    static final int AGGREGATES = 1_000;
    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** Lets a listener on another thread wake the benchmark thread when the awaited event arrives. */
    static final class Signal {
        private volatile String awaited;
        private volatile boolean arrived;
        private volatile Thread waiter;
        private volatile long arrivedAt;
        private long[] delays = new long[1024];
        private int count;

        void expect(String key) {
            waiter = Thread.currentThread();
            arrived = false;
            awaited = key;
        }

        void seen(String key) {
            if (key.equals(awaited)) {
                arrivedAt = System.nanoTime();
                arrived = true;
                LockSupport.unpark(waiter);
            }
        }

        /**
         * Waits for the awaited event; records how long after {@code returnedAt} (when the append or publish
         * returned) it arrived, which leaves the emulator's time for the write itself out.
         */
        void await(String what, long returnedAt) {
            long deadline = System.nanoTime() + TIMEOUT_NANOS;
            while (!arrived) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException(what + " did not arrive within 30 s");
                }
                LockSupport.parkNanos(left);
            }
            if (count == delays.length) {
                delays = java.util.Arrays.copyOf(delays, count * 2);
            }
            delays[count++] = Math.max(0, arrivedAt - returnedAt);
        }

        /** p50 / p90 / p99 / max of the recorded delays, in ms. */
        String delays() {
            long[] sorted = java.util.Arrays.copyOf(delays, count);
            java.util.Arrays.sort(sorted);
            if (count == 0) {
                return "none";
            }
            return String.format("p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms (%d samples)", rank(sorted, 0.50),
                    rank(sorted, 0.90), rank(sorted, 0.99), sorted[count - 1] / 1e6, count);
        }

        private static double rank(long[] sorted, double q) {
            return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
        }
    }

    static String key(String stream, long version) {
        return stream + "@" + version;
    }

    /** Prints what the trial cost in requests, per operation and per second. */
    static void report(String name, long operations, long startNanos, Map<String, RequestCounter> counters) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        StringBuilder out = new StringBuilder("\n" + name + ": " + operations + " operations in "
                + String.format("%.1f", seconds) + " s\n");
        counters.forEach((client, counter) -> out.append("  ").append(client).append(" requests per operation (mean answer time): ")
                .append(counter.per(operations)).append("; per second: ").append(counter.per(seconds, false)).append('\n'));
        System.out.print(out);
    }

    /** Append → change-capture listener. */
    @State(Scope.Benchmark)
    public static class ChangeCapture {
        final RequestCounter appender = new RequestCounter();
        final RequestCounter reader = new RequestCounter();
        final Signal signal = new Signal();
        DynamoDbClient appendClient;
        DynamoDbClient readClient;
        DynamoDbStreamsClient streams;
        DynamoDbEventStore store;
        DynamoDbChangeCapture capture;
        long[] versions = new long[AGGREGATES];
        String[] ids = new String[AGGREGATES];
        int next;
        long operations;
        long start;

        @Setup(Level.Trial)
        public void start() {
            appendClient = AwsEmulators.dynamoDbClient(appender);
            readClient = AwsEmulators.dynamoDbClient(reader);
            streams = AwsEmulators.streamsClient(reader);
            DynamoDbTables.Names tables = DynamoDbTables.Names.withPrefix("cc-" + UUID.randomUUID().toString().substring(0, 8) + "-");
            tables = new DynamoDbTables.Names(tables.events(), tables.snapshots(), tables.checkpoints());
            DynamoDbTables.createIfMissing(appendClient, tables);
            store = DynamoDbEventStore.builder(appendClient).tableName(tables.events()).build();
            capture = DynamoDbChangeCapture.builder(readClient, streams).tableName(tables.events()).readerName("bench")
                    .checkpoints(new DynamoDbCheckpointStore(readClient, tables.checkpoints()))
                    .startAtLatest(true)
                    .listener(events -> events.forEach(e -> signal.seen(key(e.streamId(), e.version()))))
                    .build();
            for (int i = 0; i < AGGREGATES; i++) {
                ids[i] = "cc-" + i + "-" + UUID.randomUUID();
            }
            capture.start();
            appender.reset();
            reader.reset();
            start = System.nanoTime();
        }

        @TearDown(Level.Trial)
        public void stop() {
            report("append -> change capture", operations, start, Map.of("appender", appender, "change capture", reader));
            System.out.println("  append returned -> listener: " + signal.delays());
            capture.close();
            appendClient.close();
            readClient.close();
            streams.close();
        }
    }

    @Benchmark
    public long appendToChangeCapture(ChangeCapture s) {
        int i = s.next;
        s.next = (i + 1) % AGGREGATES;
        long version = s.versions[i];
        s.signal.expect(key(s.ids[i], version + 1));
        s.store.append(s.ids[i], "Account", ExpectedVersion.exactly(version), List.of(NewEvent.of("Deposited", 1,
                EventPayload.ofBytes(Workloads.depositJson(s.ids[i], 1)))));
        long returned = System.nanoTime();
        s.versions[i] = version + 1;
        s.signal.await("the change-capture delivery of " + s.ids[i] + " version " + (version + 1), returned);
        s.operations++;
        return version;
    }

    /** Publish → Kinesis consumer. */
    @State(Scope.Benchmark)
    public static class Bus {
        final RequestCounter kinesis = new RequestCounter();
        final RequestCounter checkpointWrites = new RequestCounter();
        final Signal signal = new Signal();
        KinesisClient client;
        DynamoDbClient ddb;
        KinesisEventBus bus;
        ConsumerGroup group;
        long[] versions = new long[AGGREGATES];
        String[] ids = new String[AGGREGATES];
        int next;
        long operations;
        long start;

        @Setup(Level.Trial)
        public void start() {
            client = AwsEmulators.kinesisClient(kinesis);
            ddb = AwsEmulators.dynamoDbClient(checkpointWrites);
            String stream = "bench-" + UUID.randomUUID().toString().substring(0, 8);
            client.createStream(r -> r.streamName(stream).shardCount(2));
            client.waiter().waitUntilStreamExists(r -> r.streamName(stream));
            String checkpoints = "kc-" + UUID.randomUUID().toString().substring(0, 8) + "-checkpoints";
            ddb.createTable(DynamoDbTables.checkpointsTable(checkpoints));
            ddb.waiter().waitUntilTableExists(r -> r.tableName(checkpoints));
            bus = KinesisEventBus.builder(client).primaryStream(stream)
                    .checkpoints(new DynamoDbCheckpointStore(ddb, checkpoints)).build();
            group = bus.subscribe("bench", BusPath.PRIMARY, e -> signal.seen(key(e.streamId(), e.version())));
            for (int i = 0; i < AGGREGATES; i++) {
                ids[i] = "bus-" + i + "-" + UUID.randomUUID();
            }
            kinesis.reset();
            checkpointWrites.reset();
            start = System.nanoTime();
        }

        @TearDown(Level.Trial)
        public void stop() {
            report("publish -> Kinesis consumer", operations, start,
                    Map.of("Kinesis (publisher and consumer)", kinesis, "checkpoints (DynamoDB)", checkpointWrites));
            System.out.println("  publish returned -> consumer: " + signal.delays());
            group.close();
            bus.close();
            client.close();
            ddb.close();
        }
    }

    @Benchmark
    public long publishToKinesisConsumer(Bus s) {
        int i = s.next;
        s.next = (i + 1) % AGGREGATES;
        long version = ++s.versions[i];
        s.signal.expect(key(s.ids[i], version));
        s.bus.publish(List.of(new EventEnvelope(UUID.randomUUID(), s.ids[i], "Account", version, EventEnvelope.NO_POSITION,
                "Deposited", 1, Instant.now(), null, null, Map.of(),
                EventPayload.ofJson(new String(Workloads.depositJson(s.ids[i], 1), StandardCharsets.UTF_8)))));
        s.signal.await("the Kinesis delivery of " + s.ids[i] + " version " + version, System.nanoTime());
        s.operations++;
        return version;
    }

    /**
     * Publish → consumer of a leased (KCL) consumer group. The poll interval is the default; the failover time and
     * the shard sync interval are short only so that the KCL takes its leases within seconds at the start.
     */
    @State(Scope.Benchmark)
    public static class LeasedBus {
        final RequestCounter kinesis = new RequestCounter();
        final RequestCounter leases = new RequestCounter();
        final Signal signal = new Signal();
        KinesisClient client;
        KinesisAsyncClient asyncClient;
        DynamoDbAsyncClient leaseClient;
        KinesisEventBus bus;
        ConsumerGroup group;
        long[] versions = new long[AGGREGATES];
        String[] ids = new String[AGGREGATES];
        int next;
        long operations;
        long start;

        @Setup(Level.Trial)
        public void start() throws InterruptedException {
            client = AwsEmulators.kinesisClient(kinesis);
            asyncClient = AwsEmulators.kinesisAsyncClient(kinesis);
            leaseClient = AwsEmulators.dynamoDbAsyncClient(leases);
            String stream = "leased-" + UUID.randomUUID().toString().substring(0, 8);
            client.createStream(r -> r.streamName(stream).shardCount(2));
            client.waiter().waitUntilStreamExists(r -> r.streamName(stream));
            LeasedConsumerGroups groups = LeasedConsumerGroups.builder(asyncClient, leaseClient)
                    .failoverTime(Duration.ofSeconds(2)).shardSyncInterval(Duration.ofSeconds(1)).build();
            AwsEmulators.createLeaseTable(leaseClient, groups.leaseTableName("bench", stream));
            bus = KinesisEventBus.builder(client).primaryStream(stream).deadLetters(new InMemoryDeadLetterQueue())
                    .leasedConsumerGroups(groups).build();
            group = bus.subscribe("bench", BusPath.PRIMARY, e -> signal.seen(key(e.streamId(), e.version())));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (bus.leasedShards("bench", BusPath.PRIMARY).size() < 2) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the KCL took " + bus.leasedShards("bench", BusPath.PRIMARY)
                            + " of the 2 shards of '" + stream + "' within 3 minutes");
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
            for (int i = 0; i < AGGREGATES; i++) {
                ids[i] = "leased-" + i + "-" + UUID.randomUUID();
            }
            kinesis.reset();
            leases.reset();
            start = System.nanoTime();
        }

        @TearDown(Level.Trial)
        public void stop() {
            report("publish -> leased (KCL) consumer", operations, start,
                    Map.of("Kinesis (publisher and KCL)", kinesis, "lease tables (DynamoDB)", leases));
            System.out.println("  publish returned -> consumer: " + signal.delays());
            group.close();
            bus.close();
            client.close();
            asyncClient.close();
            leaseClient.close();
        }
    }

    @Benchmark
    public long publishToLeasedConsumer(LeasedBus s) {
        int i = s.next;
        s.next = (i + 1) % AGGREGATES;
        long version = ++s.versions[i];
        s.signal.expect(key(s.ids[i], version));
        s.bus.publish(List.of(new EventEnvelope(UUID.randomUUID(), s.ids[i], "Account", version, EventEnvelope.NO_POSITION,
                "Deposited", 1, Instant.now(), null, null, Map.of(),
                EventPayload.ofJson(new String(Workloads.depositJson(s.ids[i], 1), StandardCharsets.UTF_8)))));
        s.signal.await("the leased-group delivery of " + s.ids[i] + " version " + version, System.nanoTime());
        s.operations++;
        return version;
    }

    /** Command round trip on DynamoDB. */
    @State(Scope.Benchmark)
    public static class Commands {
        final RequestCounter requests = new RequestCounter();
        final RequestCounter indexer = new RequestCounter();
        DynamoDbClient client;
        DynamoDbClient indexerClient;
        DynamoDbStreamsClient streams;
        DynamoDbEngines engines;
        Nexus nexus;
        final AtomicInteger sent = new AtomicInteger();
        String prefix;
        long start;

        @Setup(Level.Trial)
        public void start() {
            client = AwsEmulators.dynamoDbClient(requests);
            indexerClient = AwsEmulators.dynamoDbClient(indexer);
            streams = AwsEmulators.streamsClient(indexer);
            DynamoDbTables.Names tables = DynamoDbTables.Names.withPrefix("cmd-" + UUID.randomUUID().toString().substring(0, 8) + "-");
            tables = new DynamoDbTables.Names(tables.events(), tables.snapshots(), tables.checkpoints());
            DynamoDbTables.createIfMissing(client, tables);
            engines = DynamoDbEngines.builder(client).tables(tables).build();
            // The log indexer a deployment runs beside the writers, on its own client so its requests are told apart.
            nexus = Nexus.builder()
                    .engines(engines)
                    .component(DynamoDbLogIndexer.builder(indexerClient, streams).tableName(tables.events()).build())
                    .eventTypes(Workloads.eventTypes())
                    .aggregate(AggregateDefinition.of(Account.class, Account::new), routes -> routes
                            .createOrUpdate(Deposit.class, Deposit::accountId,
                                    (account, command, context) -> account.deposit(command.amount(), command.reference())))
                    .build();
            nexus.start();
            prefix = "cmd-" + UUID.randomUUID().toString().substring(0, 8) + "-";
            requests.reset();
            indexer.reset();
            start = System.nanoTime();
        }

        @TearDown(Level.Trial)
        public void stop() {
            report("command round trip", sent.get(), start, Map.of("commands", requests, "log indexer", indexer));
            nexus.close();
            client.close();
            indexerClient.close();
            streams.close();
        }
    }

    @Benchmark
    public CommandResult commandRoundTrip(Commands s) {
        int n = s.sent.getAndIncrement();
        return s.nexus.commands().send(new Deposit(s.prefix + (n % AGGREGATES), 1, Workloads.REFERENCE));
    }
}
