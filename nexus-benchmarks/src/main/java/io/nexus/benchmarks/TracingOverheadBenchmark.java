package io.nexus.benchmarks;

import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelBaggageManager;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.micrometer.tracing.propagation.Propagator;
import io.nexus.core.Nexus;
import io.nexus.core.command.CommandResult;
import io.nexus.core.observation.tracing.EventBatchTracingHandler;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What tracing costs a command: the shape of {@link CommandThroughputBenchmark#fullRun} (1,000 aggregates × 100
 * commands on the embedded engines, a fresh {@link Nexus} per invocation), with
 * <ul>
 *   <li>{@code off}: no observation registry on the builder (what an application that does not trace gets);</li>
 *   <li>{@code noop}: Micrometer Tracing's no-op tracer ({@code Tracer.NOOP}, {@code Propagator.NOOP}) behind the same
 *       handlers: every observation is created, started, scoped and stopped, and no span exists (a registry without
 *       any handler would be no cheaper than {@code off}: Micrometer then creates no observation at all);</li>
 *   <li>{@code otel}: the OpenTelemetry SDK through Micrometer Tracing's bridge, wired as docs/observability.md
 *       shows, sampling every trace; spans are recorded and ended but exported nowhere, so the score is the
 *       tracer's cost, not an exporter's. Each command is four spans (command, load, decide, append) and its event
 *       carries a W3C {@code traceparent}.</li>
 * </ul>
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TracingOverheadBenchmark {

    /** The registry a fresh Nexus is built with, per {@link #tracing}. */
    @State(Scope.Thread)
    public static class Traced {
        @Param({"off", "noop", "otel"})
        public String tracing;

        Deposit[] commands;
        ObservationRegistry registry;
        SdkTracerProvider provider;
        Nexus nexus;

        @Setup(Level.Trial)
        public void prepare() {
            commands = Workloads.roundRobinDeposits(CommandThroughputBenchmark.AGGREGATES, CommandThroughputBenchmark.COMMANDS_EACH);
            registry = switch (tracing) {
                case "off" -> null;
                case "noop" -> traced(Tracer.NOOP, Propagator.NOOP);
                case "otel" -> otel();
                default -> throw new IllegalArgumentException("tracing must be off, noop or otel, but was '" + tracing + "'");
            };
        }

        private ObservationRegistry otel() {
            provider = SdkTracerProvider.builder().setSampler(Sampler.alwaysOn()).build();
            OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(provider)
                    .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
            io.opentelemetry.api.trace.Tracer otel = sdk.getTracer("nexus-benchmark");
            OtelCurrentTraceContext current = new OtelCurrentTraceContext();
            OtelTracer tracer = new OtelTracer(otel, current, event -> { }, new OtelBaggageManager(current, List.of(), List.of()));
            return traced(tracer, new OtelPropagator(sdk.getPropagators(), otel));
        }

        private static ObservationRegistry traced(Tracer tracer, Propagator propagator) {
            ObservationRegistry traced = ObservationRegistry.create();
            traced.observationConfig().observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
                    new EventBatchTracingHandler(tracer),
                    new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
                    new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
                    new DefaultTracingObservationHandler(tracer)));
            return traced;
        }

        @Setup(Level.Invocation)
        public void fresh() {
            nexus = Workloads.plainNexus(registry);
        }

        @TearDown(Level.Invocation)
        public void close() {
            nexus.close();
        }

        @TearDown(Level.Trial)
        public void closeTracer() {
            if (provider != null) {
                provider.close();
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(CommandThroughputBenchmark.TOTAL)
    public long fullRun(Traced state) {
        long version = 0;
        for (Deposit command : state.commands) {
            CommandResult result = state.nexus.commands().send(command);
            version += result.version();
        }
        return version;
    }
}
