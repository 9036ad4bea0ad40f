package io.nexus.benchmarks.readside;

import io.nexus.core.serialization.EventCodec;
import io.nexus.core.store.InMemoryEventStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Replaying 1,000,000 stored events from position zero through a counting projection run by the real
 * {@link io.nexus.core.projection.ProjectionProcessor}, with checkpoints in the in-memory checkpoint store.
 * One invocation starts a fresh processor (fresh checkpoints, so it begins at position zero) and ends when
 * the stored checkpoint reaches the head; the score is events/s.
 *
 * <ul>
 *   <li>{@link #replayMillion}: events as the embedded store holds them after commands (each payload keeps
 *       its decoded object, so nothing is parsed); this is the target's shape.</li>
 *   <li>{@link #replayMillionFromBytes}: the same events known only by their bytes, as a durable store
 *       returns them: Jackson parses every event. Shown for comparison, not the target's shape.</li>
 * </ul>
 * The events: 1,000 streams × 10 batches of 100 {@code Deposited} events (about 100 bytes), appended
 * round-robin, so consecutive positions belong to different streams. Catch-up runs on the processor's
 * thread in both processing modes (the mode only decides who applies new appends); {@code batchSize} is
 * the events read from the log per batch, and a checkpoint is stored after every batch.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ReplayBenchmark {

    static final int STREAMS = 1_000;
    static final int BATCHES_PER_STREAM = 10;
    static final int APPEND_BATCH = 100;
    static final int EVENTS = STREAMS * BATCHES_PER_STREAM * APPEND_BATCH;
    static final long TIMEOUT_SECONDS = 120;

    @State(Scope.Benchmark)
    public static class Decoded {
        final EventCodec codec = ReadSideWorkloads.codec();
        InMemoryEventStore store;

        @Setup(Level.Trial)
        public void build() {
            store = ReadSideWorkloads.storeWithDeposits(codec, STREAMS, BATCHES_PER_STREAM, APPEND_BATCH, true);
        }
    }

    @State(Scope.Benchmark)
    public static class BytesOnly {
        final EventCodec codec = ReadSideWorkloads.codec();
        InMemoryEventStore store;

        @Setup(Level.Trial)
        public void build() {
            store = ReadSideWorkloads.storeWithDeposits(codec, STREAMS, BATCHES_PER_STREAM, APPEND_BATCH, false);
        }
    }

    @State(Scope.Benchmark)
    public static class Options {
        @Param({"512", "8192"})
        int batchSize;
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long replayMillion(Decoded data, Options options) {
        return ReadSideWorkloads.replay(data.store, data.codec, options.batchSize, TIMEOUT_SECONDS).count();
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long replayMillionFromBytes(BytesOnly data, Options options) {
        return ReadSideWorkloads.replay(data.store, data.codec, options.batchSize, TIMEOUT_SECONDS).count();
    }
}
