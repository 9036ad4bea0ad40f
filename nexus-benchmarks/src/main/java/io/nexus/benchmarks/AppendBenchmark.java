package io.nexus.benchmarks;

import io.nexus.core.store.InMemoryEventStore;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Appending 1,000,000 events of about 100 bytes in batches of 100 straight to {@link InMemoryEventStore},
 * single thread: 10,000 batches over 1,000 streams (10 batches of 100 per stream, each with its exact
 * expected version). The events, ids included, are built once before measuring, as a client would hand
 * them over; the store assigns versions, positions and timestamps.
 *
 * <ul>
 *   <li>{@link #appendMillion}: one invocation appends all 1,000,000 events to a fresh store; the score is events/s.</li>
 *   <li>{@link #appendBatch}: one batch of 100 per invocation (p50/p99 per batch); a fresh store is started,
 *       outside the measurement, after every 10,000 batches.</li>
 * </ul>
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class AppendBenchmark {

    static final int STREAMS = 1_000;
    static final int BATCHES_PER_STREAM = 10;
    static final int BATCH_SIZE = 100;
    static final int EVENTS = STREAMS * BATCHES_PER_STREAM * BATCH_SIZE;

    @State(Scope.Benchmark)
    public static class Events {
        Workloads.AppendRun run;

        @Setup(Level.Trial)
        public void build() {
            run = new Workloads.AppendRun(STREAMS, BATCHES_PER_STREAM, BATCH_SIZE);
        }
    }

    @State(Scope.Thread)
    public static class FreshStore {
        InMemoryEventStore store;

        @Setup(Level.Invocation)
        public void fresh() {
            store = InMemoryEventStore.create();
        }
    }

    @State(Scope.Thread)
    public static class RollingStore {
        InMemoryEventStore store;
        int next;
        int batches;

        @Setup(Level.Trial)
        public void prepare(Events events) {
            batches = events.run.batchCount();
            next = batches;
        }

        @Setup(Level.Invocation)
        public void rollOver() {
            if (next == batches) {
                store = InMemoryEventStore.create();
                next = 0;
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(EVENTS)
    public InMemoryEventStore appendMillion(Events events, FreshStore fresh) {
        events.run.appendAll(fresh.store);
        return fresh.store;
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public InMemoryEventStore appendBatch(Events events, RollingStore rolling) {
        events.run.append(rolling.store, rolling.next++);
        return rolling.store;
    }
}
