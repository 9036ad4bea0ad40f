package io.nexus.benchmarks.axon;

import io.nexus.benchmarks.Deposit;
import io.nexus.benchmarks.Deposited;
import io.nexus.benchmarks.Workloads;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.SimpleEventHandlerInvoker;
import org.axonframework.eventhandling.TrackingEventProcessor;
import org.axonframework.eventhandling.TrackingEventProcessorConfiguration;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.eventsourcing.EventSourcingRepository;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The baseline of {@link io.nexus.benchmarks.postgres.PostgresBenchmark}: its four workloads on Axon Framework
 * 4.13's JDBC event store ({@link AxonJdbc}), on the same embedded PostgreSQL 14 with the same settings
 * ({@code fsync} and {@code synchronous_commit} on, {@code shared_buffers} 512 MB), a HikariCP pool of the same
 * size (24), the same JMH settings and the same payload ({@link Deposited}, about 100 bytes of JSON):
 * <ul>
 *   <li>{@link #command}: a {@link AxonDeposit} sent through the command gateway (load from the event store, the
 *       aggregate's handler, append on commit) over 200 aggregates x 100 commands per thread, no cache, no
 *       snapshots; commands/s.</li>
 *   <li>{@link #rehydrateFull} / {@link #rehydrateFromSnapshot}: load an aggregate of 10,000 events, without and
 *       with a snapshot every 100 events (the latest at 9,900, then 100 events of tail); time per load.</li>
 *   <li>{@link #appendBatch}: batches of 100 domain event messages created inside the measurement (random id) and
 *       published in one unit of work (serialized by the storage engine on commit); events/s.</li>
 *   <li>{@link #replayMillion}: 1,000,000 stored events replayed from the tail through a tracking event processor
 *       (one thread, batches of 1,000, its token stored in a {@link JdbcTokenStore} per batch) whose handler folds
 *       every event into per-account totals; events/s.</li>
 * </ul>
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 2, time = 10)
public class AxonJdbcBenchmark {

    static final int AGGREGATES = 200;
    static final int COMMANDS_EACH = 100;
    static final int HISTORY = 10_000;
    static final int SNAPSHOT_EVERY = 100;
    static final int BATCH = 100;
    static final int REPLAY_EVENTS = 1_000_000;

    /** One embedded server per fork, configured as {@code PostgresBenchmark}'s, and Axon on it. */
    @State(Scope.Benchmark)
    public static class Database {
        EmbeddedPostgres server;
        AxonJdbc axon;
        EventSourcingRepository<AxonAccount> repository;
        CommandGateway commands;
        final AtomicInteger threads = new AtomicInteger();

        @Setup(Level.Trial)
        public void start() {
            server = startServer();
            axon = new AxonJdbc(server.getJdbcUrl("postgres", "postgres"), "postgres", 24);
            repository = axon.repository(0);
            commands = axon.commandGateway(repository);
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            axon.close();
            server.close();
        }
    }

    /** The embedded server with {@code PostgresBenchmark}'s settings. */
    public static EmbeddedPostgres startServer() {
        try {
            return EmbeddedPostgres.builder()
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("shared_buffers", "512MB")
                    .setServerConfig("max_connections", "100")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Each thread's own 200 aggregates, in round-robin order; a new set after every 20,000 commands. */
    @State(Scope.Thread)
    public static class Commands {
        AxonDeposit[] commands;
        int next;
        int thread;
        int generation;

        @Setup(Level.Trial)
        public void prepare(Database db) {
            thread = db.threads.incrementAndGet();
            roll();
        }

        void roll() {
            generation++;
            Deposit[] base = Workloads.roundRobinDeposits(AGGREGATES, COMMANDS_EACH);
            commands = new AxonDeposit[base.length];
            for (int i = 0; i < base.length; i++) {
                commands[i] = new AxonDeposit("t" + thread + "g" + generation + "-" + base[i].accountId(),
                        base[i].amount(), base[i].reference());
            }
            next = 0;
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Object command(Database db, Commands state) {
        if (state.next == state.commands.length) {
            state.roll();
        }
        Object result = db.commands.sendAndWait(state.commands[state.next++]);
        return result == null ? state : result;
    }

    /** Two accounts of 10,000 events: one without snapshots, one snapshotted every 100 events. */
    @State(Scope.Benchmark)
    public static class Histories {
        EventSourcingRepository<AxonAccount> full;
        EventSourcingRepository<AxonAccount> snapshotted;
        final String plainId = "history-plain-" + UUID.randomUUID();
        final String snapshotId = "history-snap-" + UUID.randomUUID();

        @Setup(Level.Trial)
        public void build(Database db) {
            full = db.repository;
            AxonJdbc.buildHistory(full, plainId, HISTORY, HISTORY);
            AxonJdbc.buildHistory(db.axon.repository(SNAPSHOT_EVERY), snapshotId, HISTORY - SNAPSHOT_EVERY,
                    SNAPSHOT_EVERY);
            // The last 100 events without a snapshot (a repository without a trigger writes them): a load reads
            // the snapshot at 9,900 and a tail of 100. Every Axon repository reads the latest snapshot first; the
            // loads go through one without a snapshot trigger, because a trigger counts the events sourced on load
            // too and would snapshot the tail at the first load, leaving the later loads nothing to read.
            snapshotted = full;
            AxonJdbc.buildHistory(full, snapshotId, SNAPSHOT_EVERY, SNAPSHOT_EVERY);
            if (AxonJdbc.load(snapshotted, snapshotId).deposits() != HISTORY) {
                throw new IllegalStateException("the snapshotted history has the wrong length");
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public AxonAccount rehydrateFull(Histories h) {
        return AxonJdbc.load(h.full, h.plainId);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public AxonAccount rehydrateFromSnapshot(Histories h) {
        return AxonJdbc.load(h.snapshotted, h.snapshotId);
    }

    /** Each thread appends to its own streams, 10 batches of 100 per stream. */
    @State(Scope.Thread)
    public static class Appender {
        String stream;
        long version;
        int streams;
        int thread;

        @Setup(Level.Trial)
        public void prepare(Database db) {
            thread = db.threads.incrementAndGet();
            next();
        }

        void next() {
            stream = "append-" + thread + "-" + (streams++);
            version = 0;
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH)
    public long appendBatch(Database db, Appender a) {
        db.axon.appendBatch(a.stream, a.version, BATCH);
        a.version += BATCH;
        if (a.version == 10L * BATCH) {
            a.next();
        }
        return a.version;
    }

    /** A log of 1,000,000 events, written once per fork by four threads in batches of 100. */
    @State(Scope.Benchmark)
    public static class Log {
        JdbcTokenStore tokens;
        final AtomicInteger runs = new AtomicInteger();

        @Setup(Level.Trial)
        public void fill(Database db) throws Exception {
            tokens = db.axon.tokenStore();
            int writers = 4;
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    int writer = w;
                    done.add(pool.submit(() -> {
                        int batches = REPLAY_EVENTS / BATCH / writers;
                        for (int b = 0; b < batches; b++) {
                            String stream = Workloads.accountId(writer * 100_000 + b / 10);
                            db.axon.appendBatch(stream, (long) (b % 10) * BATCH, BATCH);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    /** The replay's projection: per-account totals, and a latch released at the millionth event. */
    public static final class Totals {
        final Map<String, Long> totals = new HashMap<>();
        final AtomicLong handled = new AtomicLong();
        final CountDownLatch reachedEnd = new CountDownLatch(1);
        final long expected;

        Totals(long expected) {
            this.expected = expected;
        }

        @EventHandler
        public void on(Deposited d) {
            totals.merge(d.accountId(), d.amount(), Long::sum);
            if (handled.incrementAndGet() >= expected) {
                reachedEnd.countDown();
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(REPLAY_EVENTS)
    @Warmup(iterations = 0)
    @Measurement(iterations = 2)
    public long replayMillion(Database db, Log log) throws Exception {
        Totals totals = new Totals(REPLAY_EVENTS);
        TrackingEventProcessor processor = replayProcessor("replay-" + log.runs.incrementAndGet(), db.axon, log.tokens,
                totals);
        processor.start();
        try {
            if (!totals.reachedEnd.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("replay did not reach the end in 10 minutes: " + totals.handled.get());
            }
        } finally {
            processor.shutDown();
        }
        return totals.handled.get();
    }

    /** A single-threaded tracking processor from the tail, batches of 1,000, a token stored per batch. */
    static TrackingEventProcessor replayProcessor(String name, AxonJdbc axon, JdbcTokenStore tokens, Object handler) {
        return TrackingEventProcessor.builder()
                .name(name)
                .eventHandlerInvoker(SimpleEventHandlerInvoker.builder().eventHandlers(handler).build())
                .messageSource(axon.eventStore())
                .tokenStore(tokens)
                .transactionManager(NoTransactionManager.INSTANCE)
                .trackingEventProcessorConfiguration(
                        TrackingEventProcessorConfiguration.forSingleThreadedProcessing().andBatchSize(1_000))
                .build();
    }
}
