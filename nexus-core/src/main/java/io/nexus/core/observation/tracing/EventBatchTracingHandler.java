package io.nexus.core.observation.tracing;

import io.micrometer.observation.Observation;
import io.micrometer.tracing.Link;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.TracingObservationHandler;
import io.nexus.core.observation.EventBatchContext;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Makes the span of a batch of events (the router's publish, {@link EventBatchContext}) with a span link to
 * the trace context of each event in it, so a trace viewer leads from a request's trace to the batch that
 * carried its events, and back. Register it before Micrometer Tracing's {@code DefaultTracingObservationHandler}
 * (in a {@code FirstMatchingCompositeObservationHandler}), which would otherwise take these contexts:
 *
 * <pre>{@code
 * registry.observationConfig().observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
 *         new EventBatchTracingHandler(tracer),
 *         new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
 *         new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
 *         new DefaultTracingObservationHandler(tracer)));
 * }</pre>
 *
 * <p>Links are read from the events' W3C {@code traceparent} metadata (what the OpenTelemetry bridge writes by
 * default; configure Brave for W3C propagation to get it); an event without one, or with a malformed one, gets
 * no link. Thread-safe.
 */
public final class EventBatchTracingHandler implements TracingObservationHandler<EventBatchContext> {

    private final Tracer tracer;

    /** A handler making spans with {@code tracer}. */
    public EventBatchTracingHandler(Tracer tracer) {
        this.tracer = Objects.requireNonNull(tracer, "tracer");
    }

    @Override
    public void onStart(EventBatchContext context) {
        Span.Builder builder = tracer.spanBuilder().name(getSpanName(context)).kind(Span.Kind.PRODUCER);
        Span parent = getParentSpan(context);
        if (parent != null) {
            builder.setParent(parent.context());
        } else {
            builder.setNoParent();
        }
        for (String traceparent : context.traceparents()) {
            TraceContext linked = parse(traceparent);
            if (linked != null) {
                builder.addLink(new Link(linked));
            }
        }
        getTracingContext(context).setSpan(builder.start());
    }

    @Override
    public void onStop(EventBatchContext context) {
        Span span = getRequiredSpan(context);
        tagSpan(context, span);
        endSpan(context, span);
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
        return context instanceof EventBatchContext;
    }

    @Override
    public Tracer getTracer() {
        return tracer;
    }

    /** {@code version-traceid-spanid-flags}, W3C Trace Context level 1; null when it is not one. */
    private @Nullable TraceContext parse(String traceparent) {
        String[] parts = traceparent.trim().split("-");
        if (parts.length < 4 || parts[1].length() != 32 || parts[2].length() != 16 || parts[3].length() != 2
                || !hex(parts[1]) || !hex(parts[2]) || !hex(parts[3])) {
            return null;
        }
        boolean sampled = (Integer.parseInt(parts[3], 16) & 1) == 1;
        return tracer.traceContextBuilder().traceId(parts[1]).spanId(parts[2]).sampled(sampled).build();
    }

    private static boolean hex(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
