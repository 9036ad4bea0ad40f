package io.nexus.benchmarks;

import io.nexus.core.Nexus;
import io.nexus.core.aggregate.AggregateRepository;
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

import java.util.concurrent.TimeUnit;

/**
 * Rehydrating one aggregate of 10,000 events with {@link AggregateRepository#load}, single thread.
 *
 * <ul>
 *   <li>{@link #fullReplay}: no snapshots, all 10,000 events applied. The embedded store hands back the
 *       event objects the commands produced (the payload's decoded cache), so nothing is parsed.</li>
 *   <li>{@link #fullReplayFromBytes}: the same stream in a store that knows only the payload bytes, as a
 *       durable store returns them: every event is deserialized by Jackson.</li>
 *   <li>{@link #snapshotNoTail}: snapshots every 100 events; the latest is at version 10,000, so the load is
 *       the snapshot alone.</li>
 *   <li>{@link #snapshotTail99}: snapshots every 100 events and 9,999 events, so the load is the snapshot at
 *       9,900 plus 99 events: the worst case of that snapshot interval.</li>
 *   <li>{@link #snapshotTail99FromBytes}: as above with the snapshot state and the events known only by their
 *       bytes.</li>
 * </ul>
 * Sample mode reports the mean, p50 and p99 per load; events/s is 10,000 divided by the mean.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RehydrateBenchmark {

    static final int EVENTS = 10_000;
    static final int SNAPSHOT_EVERY = 100;
    static final String ID = Workloads.accountId(1);

    @State(Scope.Benchmark)
    public static class Histories {
        Nexus plain;
        Nexus snapshotted;
        Nexus snapshottedTail;
        AggregateRepository<Account> full;
        AggregateRepository<Account> fullFromBytes;
        AggregateRepository<Account> noTail;
        AggregateRepository<Account> tail99;
        AggregateRepository<Account> tail99FromBytes;

        @Setup(Level.Trial)
        public void build() {
            plain = Workloads.plainNexus();
            full = plain.repository(Account.class);
            Workloads.buildHistory(full, ID, EVENTS, SNAPSHOT_EVERY);
            fullFromBytes = AggregateRepository.builder(full.definition(), Workloads.bytesOnlyCopy(plain.eventStore(), ID),
                    plain.codec()).build();

            snapshotted = Workloads.snapshottingNexus(SNAPSHOT_EVERY);
            noTail = snapshotted.repository(Account.class);
            Workloads.buildHistory(noTail, ID, EVENTS, SNAPSHOT_EVERY);

            snapshottedTail = Workloads.snapshottingNexus(SNAPSHOT_EVERY);
            tail99 = snapshottedTail.repository(Account.class);
            Workloads.buildHistory(tail99, ID, EVENTS - 1, SNAPSHOT_EVERY);
            tail99FromBytes = AggregateRepository.builder(tail99.definition(),
                            Workloads.bytesOnlyCopy(snapshottedTail.eventStore(), ID), snapshottedTail.codec())
                    .snapshotStore(Workloads.bytesOnlySnapshotCopy(snapshottedTail.snapshotStore(), ID)).build();
        }

        @TearDown(Level.Trial)
        public void close() {
            plain.close();
            snapshotted.close();
            snapshottedTail.close();
        }
    }

    @Benchmark
    public Account fullReplay(Histories h) {
        return h.full.load(ID);
    }

    @Benchmark
    public Account fullReplayFromBytes(Histories h) {
        return h.fullFromBytes.load(ID);
    }

    @Benchmark
    public Account snapshotNoTail(Histories h) {
        return h.noTail.load(ID);
    }

    @Benchmark
    public Account snapshotTail99(Histories h) {
        return h.tail99.load(ID);
    }

    @Benchmark
    public Account snapshotTail99FromBytes(Histories h) {
        return h.tail99FromBytes.load(ID);
    }
}
