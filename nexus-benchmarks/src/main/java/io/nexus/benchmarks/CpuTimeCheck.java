package io.nexus.benchmarks;

import io.nexus.core.Nexus;
import io.nexus.core.aggregate.AggregateRepository;
import io.nexus.core.store.InMemoryEventStore;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The JMH workloads once more, timed by the CPU time of the running thread next to wall-clock time.
 * JMH scores are wall-clock: on a machine shared with other work they include the time the benchmark
 * thread waited for a core. Thread CPU time does not (caches shared with other work still slow it), so
 * it bounds what the code costs when it has a core to itself. A cross-check, not a replacement for JMH.
 *
 * <p>Run: {@code java -Xms4g -Xmx4g -cp nexus-benchmarks/target/benchmarks.jar io.nexus.benchmarks.CpuTimeCheck [rounds [name-filter]]}.
 */
public final class CpuTimeCheck {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private static String only = "";

    private CpuTimeCheck() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        only = args.length > 1 ? args[1] : "";
        Deposit[] commands = Workloads.roundRobinDeposits(CommandThroughputBenchmark.AGGREGATES, CommandThroughputBenchmark.COMMANDS_EACH);
        measure("commands (1,000 x 100, fresh Nexus)", "commands", commands.length, rounds, () -> {
            try (Nexus nexus = Workloads.plainNexus()) {
                for (Deposit command : commands) {
                    nexus.commands().send(command);
                }
            }
        });

        String id = RehydrateBenchmark.ID;
        try (Nexus plain = Workloads.plainNexus(); Nexus snapshotted = Workloads.snapshottingNexus(RehydrateBenchmark.SNAPSHOT_EVERY)) {
            AggregateRepository<Account> full = plain.repository(Account.class);
            Workloads.buildHistory(full, id, RehydrateBenchmark.EVENTS, RehydrateBenchmark.SNAPSHOT_EVERY);
            AggregateRepository<Account> tail99 = snapshotted.repository(Account.class);
            Workloads.buildHistory(tail99, id, RehydrateBenchmark.EVENTS - 1, RehydrateBenchmark.SNAPSHOT_EVERY);
            int loads = 200;
            measure("rehydrate 10,000 events, no snapshot", "events", (long) loads * RehydrateBenchmark.EVENTS, rounds, () -> {
                for (int i = 0; i < loads; i++) {
                    full.load(id);
                }
            });
            int snapshotLoads = 100_000;
            measure("rehydrate from snapshot + 99 events", "loads", snapshotLoads, rounds, () -> {
                for (int i = 0; i < snapshotLoads; i++) {
                    tail99.load(id);
                }
            });
        }

        Workloads.AppendRun run = new Workloads.AppendRun(AppendBenchmark.STREAMS, AppendBenchmark.BATCHES_PER_STREAM, AppendBenchmark.BATCH_SIZE);
        measure("append 1,000,000 events in batches of 100", "events", run.eventCount(), rounds,
                () -> run.appendAll(InMemoryEventStore.create()));
    }

    private static void measure(String name, String unit, long ops, int rounds, Runnable work) {
        if (!name.contains(only)) {
            return;
        }
        for (int i = 0; i < 2; i++) {
            work.run();
        }
        double bestCpu = Double.MAX_VALUE;
        double bestWall = Double.MAX_VALUE;
        double sumCpu = 0;
        double sumWall = 0;
        for (int i = 0; i < rounds; i++) {
            long cpu = THREADS.getCurrentThreadCpuTime();
            long wall = System.nanoTime();
            work.run();
            double cpuNs = THREADS.getCurrentThreadCpuTime() - cpu;
            double wallNs = System.nanoTime() - wall;
            bestCpu = Math.min(bestCpu, cpuNs);
            bestWall = Math.min(bestWall, wallNs);
            sumCpu += cpuNs;
            sumWall += wallNs;
        }
        System.out.printf("%-45s %,12.0f %s/s by mean CPU time (best %,.0f); %,12.0f by mean wall time (best %,.0f); %.1f ns CPU per %s%n",
                name, ops / (sumCpu / rounds / 1e9), unit, ops / (bestCpu / 1e9), ops / (sumWall / rounds / 1e9),
                ops / (bestWall / 1e9), sumCpu / rounds / ops, unit.substring(0, unit.length() - 1));
    }
}
