package io.nexus.benchmarks.postgres;

import io.nexus.benchmarks.Deposit;
import io.nexus.benchmarks.Deposited;
import io.nexus.benchmarks.Workloads;
import io.nexus.core.Nexus;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventIds;
import io.nexus.core.event.NewEvent;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.store.EventStore;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.postgresql.PostgresEngines;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@link PostgresBenchmark}'s workloads once each, timed three ways: wall-clock time, the CPU time of the
 * client threads, and the CPU time of the PostgreSQL server's processes (from {@code /proc}, Linux only).
 * On a machine shared with other work, wall-clock throughput mostly measures how long the threads waited
 * for a core; the two CPU times say what a workload costs, where (client or server), and so what it would
 * reach with the cores to itself. A cross-check of the JMH figures, not a replacement.
 *
 * <p>Run: {@code java -Xms2g -Xmx2g -cp nexus-benchmarks/target/benchmarks.jar
 * io.nexus.benchmarks.postgres.PostgresCostCheck [events-to-replay]}.
 */
public final class PostgresCostCheck {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final long TICK_NANOS = 10_000_000L; // USER_HZ is 100 on Linux
    private static final java.util.concurrent.atomic.LongAdder WORKERS_CPU = new java.util.concurrent.atomic.LongAdder();

    private PostgresCostCheck() {
    }

    public static void main(String[] args) throws Exception {
        int replayEvents = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        try (EmbeddedPostgres server = EmbeddedPostgres.builder()
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("shared_buffers", "512MB")
                .setServerConfig("max_connections", "100")
                .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                .setServerConfig("pg_stat_statements.track", "all")
                // the time of each WAL write and flush in pg_stat_wal: how long a commit's fsync takes under the load
                .setServerConfig("track_wal_io_timing", "on")
                .start();
             PostgresEngines engines = PostgresEngines.builder(server.getJdbcUrl("postgres", "postgres"), "postgres", null)
                     .poolSize(24)
                     // -Dnotify=false: no NOTIFY after appends, to see what the notifications cost
                     .eventStore(store -> store.notifications(!"false".equals(System.getProperty("notify"))))
                     .build();
             Nexus nexus = PostgresBenchmark.nexus(engines, 0)) {
            long postmaster = postmasterPid(server.getPort());
            statements = engines.dataSource();
            execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            EventStore store = engines.eventStore();
            EventCodec codec = nexus.codec();

            // Warm up every path once (JIT, server-side statement preparation on the pool's connections).
            int warm = Integer.getInteger("warm", 300);
            appendBatches(store, codec, "warm", warm, true);
            for (int i = 0; i < warm; i++) {
                nexus.commands().send(new Deposit("warm-" + (i % 30), 1, Workloads.REFERENCE));
            }

            measure("append batches of 100, encoding inside, 1 thread", "events", 20_000, postmaster,
                    () -> appendBatches(store, codec, "a1", 200, true));
            measure("append batches of 100, events prebuilt, 1 thread", "events", 20_000, postmaster,
                    () -> appendBatches(store, codec, "a2", 200, false));
            measure("append batches of 100, encoding inside, 8 threads", "events", 80_000, postmaster,
                    () -> parallel(8, t -> appendBatches(store, codec, "a3-" + t, 100, true)));
            Deposit[] commands = Workloads.roundRobinDeposits(100, 20);
            measure("commands, 1 thread", "commands", commands.length, postmaster, () -> {
                for (Deposit c : commands) {
                    nexus.commands().send(new Deposit("c1-" + c.accountId(), c.amount(), c.reference()));
                }
            });
            measure("commands, 8 threads", "commands", 8L * commands.length, postmaster, () -> parallel(8, t -> {
                for (Deposit c : commands) {
                    nexus.commands().send(new Deposit("c8-" + t + "-" + c.accountId(), c.amount(), c.reference()));
                }
            }));

            int batches = replayEvents / 100;
            parallel(4, t -> appendBatches(store, codec, "log-" + t, batches / 4, true));
            long head = store.headPosition();
            long from = Math.max(1, head - replayEvents + 1);
            measure("readAll pages of 1,000 (no decoding)", "events", head - from + 1, postmaster, () -> {
                long next = from;
                while (next <= head) {
                    List<EventEnvelope> page = store.readAll(next, 1_000);
                    next = page.get(page.size() - 1).globalPosition() + 1;
                }
            });
            measure("readAll pages of 1,000 + decode", "events", head - from + 1, postmaster, () -> {
                long next = from;
                long sum = 0;
                while (next <= head) {
                    List<EventEnvelope> page = store.readAll(next, 1_000);
                    for (EventEnvelope e : page) {
                        sum += ((Deposited) codec.decode(e)).amount();
                    }
                    next = page.get(page.size() - 1).globalPosition() + 1;
                }
                if (sum == 42) {
                    System.out.println("(keeps the work)");
                }
            });
            measure("tracker pages of 1,000 + decode, checkpoint per page", "events", head - from + 1, postmaster,
                    () -> replayThroughTracker(nexus, codec, "cost-replay", from, head, 1_000));
            // The same rows once more, with another consumer: what the first replay of freshly written rows
            // (hint bits set on the server, a JIT still compiling the path) costs beyond a warm one.
            measure("tracker pages of 1,000 + decode, checkpoint per page, second replay", "events", head - from + 1, postmaster,
                    () -> replayThroughTracker(nexus, codec, "cost-again", from, head, 1_000));
            long smallFrom = Math.max(1, head - 19_999);
            measure("tracker pages of 10 + decode, checkpoint per page", "events", head - smallFrom + 1, postmaster,
                    () -> replayThroughTracker(nexus, codec, "cost-replay-10", smallFrom, head, 10));
        }
    }

    /** Replays {@code from..head} through a log tracker of Nexus with pages of {@code batchSize}, a checkpoint per page. */
    private static void replayThroughTracker(Nexus nexus, EventCodec codec, String consumer, long from, long head, int batchSize)
            throws Exception {
        long[] sum = {0};
        java.util.concurrent.CountDownLatch reachedHead = new java.util.concurrent.CountDownLatch(1);
        // a one-off replay in this process: no lease statements in the count
        try (io.nexus.core.tracking.LogTracker tracker = nexus.logTracker(consumer).withoutLease().batchSize(batchSize)
                .initialPosition(from - 1).pollInterval(java.time.Duration.ofSeconds(1)).build()) {
            tracker.start(batch -> {
                for (EventEnvelope e : batch) {
                    sum[0] += ((Deposited) codec.decode(e)).amount();
                }
                long last = batch.get(batch.size() - 1).globalPosition();
                if (last >= head) {
                    reachedHead.countDown();
                }
                return last;
            });
            if (!reachedHead.await(10, java.util.concurrent.TimeUnit.MINUTES)) {
                throw new IllegalStateException("the tracker did not reach the head in 10 minutes");
            }
            if (Boolean.getBoolean("threads")) {
                System.out.printf("      pages read ahead: %s of %,d%n", pagesReadAhead(nexus.eventStore()), (head - from + batchSize) / batchSize);
            }
            // The tracker's own thread ends with close(), before the next sample of live threads: count its time here.
            long trackerCpu = trackerThreadsCpu(consumer);
            WORKERS_CPU.add(trackerCpu);
            if (Boolean.getBoolean("threads")) {
                System.out.printf("      thread nexus-tracker-%-28s %,9.1f us/op%n", consumer, trackerCpu / 1e3 / (head - from + 1));
            }
        }
        if (sum[0] == 42) {
            System.out.println("(keeps the work)");
        }
    }

    /** How many pages the store's read-ahead served so far (package-private counter, read for the report only). */
    private static Object pagesReadAhead(EventStore store) {
        try {
            java.lang.reflect.Method served = store.getClass().getDeclaredMethod("pagesReadAhead");
            served.setAccessible(true);
            return served.invoke(store);
        } catch (ReflectiveOperationException e) {
            return "?";
        }
    }

    /** CPU time so far of the threads a tracker of {@code consumer} runs on (its own scheduler's). */
    private static long trackerThreadsCpu(String consumer) {
        long sum = 0;
        for (java.lang.management.ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("nexus-tracker-" + consumer)) {
                sum += Math.max(0, THREADS.getThreadCpuTime(info.getThreadId()));
            }
        }
        return sum;
    }

    private static void appendBatches(EventStore store, EventCodec codec, String prefix, int batches, boolean encodeInside) {
        List<List<NewEvent>> prebuilt = new ArrayList<>();
        if (!encodeInside) {
            for (int b = 0; b < batches; b++) {
                prebuilt.add(batch(codec, prefix + "-" + b / 10));
            }
        }
        for (int b = 0; b < batches; b++) {
            String stream = prefix + "-" + b / 10;
            List<NewEvent> batch = encodeInside ? batch(codec, stream) : prebuilt.get(b);
            store.append(stream, Workloads.AGGREGATE_TYPE, ExpectedVersion.exactly((long) (b % 10) * 100), batch);
        }
    }

    private static List<NewEvent> batch(EventCodec codec, String stream) {
        List<NewEvent> batch = new ArrayList<>(100);
        for (int i = 0; i < 100; i++) {
            batch.add(codec.encode(new Deposited(stream, i + 1, Workloads.REFERENCE), EventIds.next(), null, null, Map.of()));
        }
        return batch;
    }

    interface Task {
        void run(int thread) throws Exception;
    }

    private static void parallel(int threads, Task task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    long cpu = THREADS.getCurrentThreadCpuTime();
                    task.run(thread);
                    WORKERS_CPU.add(THREADS.getCurrentThreadCpuTime() - cpu);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
            // Gone before the next sample of live threads, so that their time is counted once, by WORKERS_CPU.
            if (!pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES)) {
                throw new IllegalStateException("the workload's threads did not end");
            }
        }
    }

    interface Work {
        void run() throws Exception;
    }

    private static javax.sql.DataSource statements;

    private static void execute(String sql) throws java.sql.SQLException {
        try (java.sql.Connection c = statements.getConnection(); java.sql.Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** The statements that took the most server time since the last reset, per operation of the workload. */
    private static void printStatements(long ops) throws java.sql.SQLException {
        try (java.sql.Connection c = statements.getConnection(); java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT calls, total_exec_time, total_plan_time, rows, "
                     + "regexp_replace(left(query, 110), '\\s+', ' ', 'g') FROM pg_stat_statements "
                     + "ORDER BY total_exec_time DESC LIMIT 8")) {
            while (rs.next()) {
                System.out.printf("      %6.2f calls/op %8.1f us/op exec %6.1f us/op plan %7.1f rows/call  %s%n",
                        rs.getLong(1) / (double) ops, rs.getDouble(2) * 1e3 / ops, rs.getDouble(3) * 1e3 / ops,
                        rs.getLong(4) / (double) Math.max(1, rs.getLong(1)), rs.getString(5));
            }
        }
    }

    private static void measure(String name, String unit, long ops, long postmaster, Work work) throws Exception {
        if (!name.contains(System.getProperty("only", ""))) {
            return;
        }
        execute("SELECT pg_stat_statements_reset()");
        double load = Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        Map<Long, Long> before = threadCpu();
        long clientCpu = clientCpuNanos();
        long mainUser = THREADS.getCurrentThreadUserTime();
        long mainCpu = THREADS.getCurrentThreadCpuTime();
        long serverCpu = serverCpuNanos(postmaster);
        Map<String, Long> rolesBefore = serverTicksByRole(postmaster);
        long[] walBefore = wal();
        jdk.jfr.Recording recording = null;
        if (System.getProperty("jfr") != null) {
            // -Djfr=file.jfr records execution samples of the measured part only (every 2 ms).
            recording = new jdk.jfr.Recording();
            recording.enable("jdk.ExecutionSample").withPeriod(java.time.Duration.ofMillis(2));
            recording.start();
        }
        long wall = System.nanoTime();
        work.run();
        double wallNs = System.nanoTime() - wall;
        if (recording != null) {
            recording.stop();
            recording.dump(Path.of(System.getProperty("jfr")));
            recording.close();
        }
        double clientNs = clientCpuNanos() - clientCpu;
        double serverNs = serverCpuNanos(postmaster) - serverCpu;
        Map<String, Long> rolesAfter = serverTicksByRole(postmaster);
        long[] walAfter = wal();
        System.out.printf("%-52s %,10.0f %s/s by wall time; CPU per %s: client %,7.1f us, server %,7.1f us"
                        + " (%,.0f %s/s on one free core); load %.1f%n",
                name, ops / (wallNs / 1e9), unit, unit.substring(0, unit.length() - 1), clientNs / ops / 1e3,
                serverNs / ops / 1e3, ops / ((clientNs + serverNs) / 1e9), unit, load);
        printStatements(ops);
        StringBuilder roles = new StringBuilder();
        rolesAfter.forEach((role, ticks) -> {
            long spent = ticks - rolesBefore.getOrDefault(role, 0L);
            if (spent > 0) {
                roles.append(String.format(" %s %,.1f us;", role, spent * (double) TICK_NANOS / ops / 1e3));
            }
        });
        System.out.printf("      server CPU by process:%s%n", roles);
        long flushes = walAfter[3] - walBefore[3];
        System.out.printf("      WAL per %s: %,.1f records, %,.0f bytes, %,.3f full-page images, %,.3f flushes;"
                        + " %,.0f us per flush, flushing %,.0f%% of the wall time%n", unit.substring(0, unit.length() - 1),
                (walAfter[0] - walBefore[0]) / (double) ops, (walAfter[2] - walBefore[2]) / (double) ops,
                (walAfter[1] - walBefore[1]) / (double) ops, flushes / (double) ops,
                (walAfter[4] - walBefore[4]) / 1e3 / Math.max(1, flushes), (walAfter[4] - walBefore[4]) * 100.0 / wallNs);
        System.out.printf("      calling thread: %,.1f us/op CPU of which %,.1f us/op in user mode%n",
                (THREADS.getCurrentThreadCpuTime() - mainCpu) / 1e3 / ops, (THREADS.getCurrentThreadUserTime() - mainUser) / 1e3 / ops);
        if (Boolean.getBoolean("threads")) {
            Map<Long, Long> after = threadCpu();
            after.entrySet().stream()
                    .sorted((a, b) -> Long.compare(b.getValue() - before.getOrDefault(b.getKey(), 0L),
                            a.getValue() - before.getOrDefault(a.getKey(), 0L)))
                    .limit(5)
                    .forEach(e -> System.out.printf("      thread %-40s %,9.1f us/op%n",
                            THREADS.getThreadInfo(e.getKey()) == null ? "?" : THREADS.getThreadInfo(e.getKey()).getThreadName(),
                            (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / 1e3 / ops));
        }
    }

    private static Map<Long, Long> threadCpu() {
        Map<Long, Long> cpu = new java.util.HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            cpu.put(id, THREADS.getThreadCpuTime(id));
        }
        return cpu;
    }

    /** CPU time of every live thread of this JVM and of the workload threads that have ended. */
    static long clientCpuNanos() {
        long sum = WORKERS_CPU.sum();
        for (long id : THREADS.getAllThreadIds()) {
            long t = THREADS.getThreadCpuTime(id);
            if (t > 0) {
                sum += t;
            }
        }
        return sum;
    }

    /** CPU time of the postmaster, its live children and its children that have exited. */
    static long serverCpuNanos(long postmaster) throws IOException {
        long ticks = ticks(postmaster, true);
        for (ProcessHandle child : ProcessHandle.of(postmaster).orElseThrow().children().toList()) {
            ticks += ticks(child.pid(), false);
        }
        return ticks * TICK_NANOS;
    }

    private static long ticks(long pid, boolean withExitedChildren) throws IOException {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException e) {
            return 0; // exited meanwhile: counted in the postmaster's exited-children time
        }
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields after the command: [0] state ... [11] utime, [12] stime, [13] cutime, [14] cstime
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        if (withExitedChildren) {
            ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
        }
        return ticks;
    }

    /**
     * WAL records, full-page images, bytes, flushes ({@code fdatasync} calls) and nanoseconds spent flushing since
     * the server started ({@code pg_stat_wal}, PostgreSQL 14).
     */
    private static long[] wal() throws java.sql.SQLException {
        try (java.sql.Connection c = statements.getConnection(); java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT wal_records, wal_fpi, wal_bytes, wal_sync,"
                     + " (wal_sync_time * 1000)::bigint FROM pg_stat_wal")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5) * 1_000};
        }
    }

    /**
     * CPU ticks of the server's processes by role (client backends, WAL writer, checkpointer, ...), from their
     * command lines; processes that exited (autovacuum workers among them) count under "exited".
     */
    private static Map<String, Long> serverTicksByRole(long postmaster) throws IOException {
        Map<String, Long> byRole = new java.util.TreeMap<>();
        String stat = Files.readString(Path.of("/proc/" + postmaster + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        byRole.put("postmaster", Long.parseLong(f[11]) + Long.parseLong(f[12]));
        byRole.put("exited", Long.parseLong(f[13]) + Long.parseLong(f[14]));
        for (ProcessHandle child : ProcessHandle.of(postmaster).orElseThrow().children().toList()) {
            String role;
            try {
                // The server rewrites its processes' titles in place, which only /proc/<pid>/cmdline shows.
                role = Files.readString(Path.of("/proc/" + child.pid() + "/cmdline")).replace('\0', ' ').trim()
                        .replaceFirst("^postgres: ", "");
            } catch (IOException e) {
                continue; // exited meanwhile
            }
            if (role.contains("127.0.0.1") || role.contains("[local]")) {
                role = "backends";
            } else if (role.startsWith("autovacuum worker")) {
                role = "autovacuum worker";
            }
            byRole.merge(role, ticks(child.pid(), false), Long::sum);
        }
        return byRole;
    }

    static long postmasterPid(int port) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("postgres") && c.contains("-p " + port)
                        && !c.contains("pg_ctl")).orElse(false))
                .mapToLong(ProcessHandle::pid)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no postmaster process found for port " + port
                        + "; the server CPU time is read from /proc on Linux"));
    }
}
