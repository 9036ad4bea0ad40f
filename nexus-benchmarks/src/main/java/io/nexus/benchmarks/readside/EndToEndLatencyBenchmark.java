package io.nexus.benchmarks.readside;

import io.nexus.core.projection.ProcessingMode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * End-to-end latency of the read path: append one event straight to the embedded store → the projection
 * processor applies it (inline: on the appending thread, before the append returns; asynchronous: on the
 * processor's thread) → the {@link io.nexus.core.notification.NotificationHub} delivers a notification to
 * the client subscribed to that aggregate. One operation is one event; sample mode gives p50 / p99 /
 * p99.9. In asynchronous mode the sample also holds the wake-up of the waiting benchmark thread;
 * {@link ReadSideHarness} reports the latency up to the delivery itself.
 *
 * <p>10,000 aggregates, one client each, written round-robin (see {@link NotificationPipeline} on why the
 * default throttle then never applies).
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class EndToEndLatencyBenchmark {

    static final int AGGREGATES = 10_000;

    @State(Scope.Thread)
    public static class Pipeline {
        @Param({"INLINE", "ASYNC"})
        ProcessingMode mode;
        NotificationPipeline pipeline;

        @Setup(Level.Trial)
        public void start() {
            pipeline = new NotificationPipeline(mode, AGGREGATES);
        }

        @TearDown(Level.Trial)
        public void stop() {
            if (pipeline.throttled() > 0) {
                throw new IllegalStateException(pipeline.throttled() + " notifications were held back by the throttle; "
                        + "the latency figures include throttling delays");
            }
            pipeline.close();
        }
    }

    @Benchmark
    public long appendToNotification(Pipeline p) {
        return p.pipeline.appendAndAwait();
    }
}
