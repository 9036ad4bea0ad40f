package io.nexus.benchmarks;

import io.nexus.core.Nexus;
import io.nexus.core.aggregate.AggregateRepository;
import io.nexus.core.store.InMemoryEventStore;

import io.nexus.core.command.CommandMetadata;
import io.nexus.core.event.EventIds;
import io.nexus.core.serialization.EventCodec;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

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

        encoding(rounds);

        Workloads.AppendRun run = new Workloads.AppendRun(AppendBenchmark.STREAMS, AppendBenchmark.BATCHES_PER_STREAM, AppendBenchmark.BATCH_SIZE);
        measure("append 1,000,000 events in batches of 100", "events", run.eventCount(), rounds,
                () -> run.appendAll(InMemoryEventStore.create()));
    }

    /** The per-event encoding of {@link EncodeBenchmark}: ids alone, then whole events as a writer builds them. */
    private static void encoding(int rounds) {
        int n = 1_000_000;
        EventCodec codec = EventCodec.jackson(Workloads.eventTypes());
        CommandMetadata metadata = CommandMetadata.create();
        String stream = Workloads.accountId(42);
        long[] sink = new long[1];
        measure("encode: UUID.randomUUID()", "ids", n, rounds, () -> {
            for (int i = 0; i < n; i++) {
                sink[0] += UUID.randomUUID().getLeastSignificantBits();
            }
        });
        measure("encode: EventIds.next()", "ids", n, rounds, () -> {
            for (int i = 0; i < n; i++) {
                sink[0] += EventIds.next().getLeastSignificantBits();
            }
        });
        measure("encode: name-based (MD5) event id of a command", "ids", n, rounds, () -> {
            for (int i = 0; i < n; i++) {
                sink[0] += UUID.nameUUIDFromBytes((metadata.commandId() + "/" + stream + "/" + i)
                        .getBytes(StandardCharsets.UTF_8)).getLeastSignificantBits();
            }
        });
        measure("encode: CommandMetadata.eventId", "ids", n, rounds, () -> {
            for (int i = 0; i < n; i++) {
                sink[0] += metadata.eventId(stream, i).getLeastSignificantBits();
            }
        });
        measure("encode: JSON of a Deposited", "events", n, rounds, () -> {
            for (int i = 0; i < n; i++) {
                sink[0] += codec.serializer().serialize(new Deposited(stream, i, Workloads.REFERENCE)).length;
            }
        });
        measure("encode: event with UUID.randomUUID()", "events", n, rounds, () -> {
            for (int i = 0; i < n; i++) {
                sink[0] += codec.encode(new Deposited(stream, i, Workloads.REFERENCE), UUID.randomUUID(), null, null,
                        Map.of()).payload().size();
            }
        });
        measure("encode: event with EventIds.next()", "events", n, rounds, () -> {
            for (int i = 0; i < n; i++) {
                sink[0] += codec.encode(new Deposited(stream, i, Workloads.REFERENCE), EventIds.next(), null, null,
                        Map.of()).payload().size();
            }
        });
        measure("encode: a command's event (derived id)", "events", n, rounds, () -> {
            for (int i = 0; i < n; i++) {
                sink[0] += codec.encode(new Deposited(stream, i, Workloads.REFERENCE), metadata.eventId(stream, i),
                        metadata.correlationId(), metadata.commandId().toString(), metadata.attributes()).payload().size();
            }
        });
        if (sink[0] == 42) {
            System.out.println("(keeps the JIT from dropping the work)");
        }
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
