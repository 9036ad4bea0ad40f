package io.nexus.benchmarks.readside;

import io.nexus.core.projection.ProcessingMode;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.store.InMemoryEventStore;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

/**
 * The read-side workloads once more, outside JMH, with the figures JMH does not give:
 * <ul>
 *   <li>replay of 1,000,000 events: events/s by wall time and by the CPU time of the processor's thread
 *       (which leaves out the time it waited for a core on a loaded machine);</li>
 *   <li>end-to-end latency, append → projection applied → notification delivered, measured up to the
 *       moment the subscriber's listener runs (not the waiting thread's wake-up), sorted into p50 / p90 /
 *       p99 / p99.9 / max; and the same up to the return of the caller's wait.</li>
 * </ul>
 * Run: {@code java -Xms4g -Xmx4g -cp nexus-benchmarks/target/benchmarks.jar io.nexus.benchmarks.readside.ReadSideHarness
 * [replay-rounds [latency-ops]]}.
 */
public final class ReadSideHarness {

    private ReadSideHarness() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int ops = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        System.out.printf(Locale.ROOT, "load average at start: %.1f%n", loadAverage());

        EventCodec codec = ReadSideWorkloads.codec();
        InMemoryEventStore store = ReadSideWorkloads.storeWithDeposits(codec, ReplayBenchmark.STREAMS,
                ReplayBenchmark.BATCHES_PER_STREAM, ReplayBenchmark.APPEND_BATCH, true);
        for (int batchSize : new int[]{512, 8192}) {
            replay("replay 1,000,000 events, batchSize " + batchSize, store, codec, batchSize, rounds);
        }
        for (ProcessingMode mode : ProcessingMode.values()) {
            latency(mode, ops);
        }
        System.out.printf(Locale.ROOT, "load average at end: %.1f%n", loadAverage());
    }

    static void replay(String name, InMemoryEventStore store, EventCodec codec, int batchSize, int rounds) {
        long events = store.headPosition();
        for (int i = 0; i < 2; i++) {
            ReadSideWorkloads.replay(store, codec, batchSize, ReplayBenchmark.TIMEOUT_SECONDS);
        }
        double sumWall = 0;
        double sumCpu = 0;
        double bestWall = Double.MAX_VALUE;
        double bestCpu = Double.MAX_VALUE;
        for (int i = 0; i < rounds; i++) {
            try (CpuTimingScheduler scheduler = new CpuTimingScheduler("nexus-projection-" + ReadSideWorkloads.PROJECTION)) {
                long start = System.nanoTime();
                ReadSideWorkloads.CountingProjection counted = ReadSideWorkloads.replay(store, codec, batchSize,
                        ReplayBenchmark.TIMEOUT_SECONDS, scheduler);
                double wall = System.nanoTime() - start;
                double cpu = scheduler.cpuNanos();
                if (counted.count() != events) {
                    throw new IllegalStateException("replay counted " + counted.count() + " of " + events + " events");
                }
                sumWall += wall;
                sumCpu += cpu;
                bestWall = Math.min(bestWall, wall);
                bestCpu = Math.min(bestCpu, cpu);
            }
        }
        System.out.printf(Locale.ROOT, "%-40s %,12.0f events/s by mean processor CPU time (best %,.0f); %,12.0f by mean wall time "
                        + "(best %,.0f); %.1f ns CPU per event%n", name, events / (sumCpu / rounds / 1e9),
                events / (bestCpu / 1e9), events / (sumWall / rounds / 1e9), events / (bestWall / 1e9), sumCpu / rounds / events);
    }

    static void latency(ProcessingMode mode, int ops) {
        try (NotificationPipeline pipeline = new NotificationPipeline(mode, EndToEndLatencyBenchmark.AGGREGATES)) {
            for (int i = 0; i < Math.max(20_000, ops / 5); i++) {
                pipeline.appendAndAwait();
            }
            long[] delivered = new long[ops];
            long[] returned = new long[ops];
            for (int i = 0; i < ops; i++) {
                long start = System.nanoTime();
                long deliveredAt = pipeline.appendAndAwait();
                returned[i] = System.nanoTime() - start;
                delivered[i] = deliveredAt - start;
            }
            System.out.printf(Locale.ROOT, "%-6s append -> notification delivered  %s%n", mode, percentiles(delivered));
            System.out.printf(Locale.ROOT, "%-6s append -> caller's wait returned   %s%n", mode, percentiles(returned));
            System.out.printf(Locale.ROOT, "%-6s %d operations, %d held back by the throttle%n", mode, ops, pipeline.throttled());
        }
    }

    static String percentiles(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "p50 %.1f µs, p90 %.1f µs, p99 %.1f µs, p99.9 %.1f µs, max %.1f µs",
                at(sorted, 0.50) / 1e3, at(sorted, 0.90) / 1e3, at(sorted, 0.99) / 1e3, at(sorted, 0.999) / 1e3,
                sorted[sorted.length - 1] / 1e3);
    }

    /** The value at quantile {@code q} of sorted values (nearest rank). */
    static long at(long[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
