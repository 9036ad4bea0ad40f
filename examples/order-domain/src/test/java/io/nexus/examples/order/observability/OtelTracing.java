package io.nexus.examples.order.observability;

import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.nexus.core.observation.tracing.EventBatchTracingHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelBaggageManager;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;

import java.util.List;
import java.util.Optional;

/**
 * An observation registry wired the way an application wires OpenTelemetry through Micrometer Tracing's
 * bridge (W3C propagation), exporting every finished span to memory.
 */
public final class OtelTracing implements AutoCloseable {

    public final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    public final ObservationRegistry registry = ObservationRegistry.create();
    private final SdkTracerProvider provider;

    public OtelTracing() {
        provider = SdkTracerProvider.builder().setSampler(Sampler.alwaysOn())
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(provider)
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
        io.opentelemetry.api.trace.Tracer otel = sdk.getTracer("nexus-test");
        // tag::wiring[]
        OtelCurrentTraceContext current = new OtelCurrentTraceContext();
        OtelTracer tracer = new OtelTracer(otel, current, event -> { }, new OtelBaggageManager(current, List.of(), List.of()));
        OtelPropagator propagator = new OtelPropagator(sdk.getPropagators(), otel);
        registry.observationConfig().observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
                new EventBatchTracingHandler(tracer),
                new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
                new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
                new DefaultTracingObservationHandler(tracer)));
        // end::wiring[]
    }

    public List<SpanData> spans() {
        return exporter.getFinishedSpanItems();
    }

    public List<SpanData> named(String name) {
        return spans().stream().filter(s -> s.getName().equals(name)).toList();
    }

    public SpanData only(String name) {
        List<SpanData> found = named(name);
        if (found.size() != 1) {
            throw new AssertionError("expected one span '" + name + "' but found " + found.size() + " among " + names());
        }
        return found.get(0);
    }

    public Optional<SpanData> byId(String spanId) {
        return spans().stream().filter(s -> s.getSpanId().equals(spanId)).findFirst();
    }

    public List<String> names() {
        return spans().stream().map(SpanData::getName).toList();
    }

    @Override
    public void close() {
        provider.close();
    }
}
