package io.nexus.benchmarks.readside;

import io.nexus.core.projection.ProjectionHealth;
import io.nexus.core.projection.ProjectionProcessor;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.store.InMemoryEventStore;
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

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The cost of one projection health check ({@link ProjectionProcessor#health()}: status, position, head,
 * lag in events and in time, retries, dead letters) on a processor that has caught up with a store of
 * 1,000,000 events. The design asks health checks to answer in under 100 ms.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HealthCheckBenchmark {

    @State(Scope.Benchmark)
    public static class Running {
        ProjectionProcessor processor;

        @Setup(Level.Trial)
        public void start() throws InterruptedException {
            EventCodec codec = ReadSideWorkloads.codec();
            InMemoryEventStore store = ReadSideWorkloads.storeWithDeposits(codec, 1_000, 10, 100, true);
            processor = ProjectionProcessor.builder(new ReadSideWorkloads.CountingProjection(), store, codec)
                    .pollInterval(Duration.ofMillis(100)).build();
            processor.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (processor.position() < store.headPosition()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the processor did not catch up: " + processor.health());
                }
                Thread.sleep(10);
            }
        }

        @TearDown(Level.Trial)
        public void stop() {
            processor.close();
        }
    }

    @Benchmark
    public ProjectionHealth health(Running state) {
        return state.processor.health();
    }
}
