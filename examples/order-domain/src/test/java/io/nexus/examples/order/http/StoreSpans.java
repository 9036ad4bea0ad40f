package io.nexus.examples.order.http;

import io.micrometer.common.KeyValue;
import io.nexus.core.observation.NexusObservation;
import io.nexus.examples.order.observability.OtelTracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.data.SpanData;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engines' remote calls in a traced app: a request's command has the store's append in its trace, and the
 * engines' background polls start no trace. Counts the polls through a predicate on the app's registry, which sees
 * every remote call, observed or not.
 */
final class StoreSpans {

    private static final String SYSTEM = NexusObservation.KeyNames.SYSTEM.asString();
    private static final AttributeKey<String> SYSTEM_ATTRIBUTE = AttributeKey.stringKey(SYSTEM);

    private final OtelTracing tracing;
    private final Set<String> systems;
    private final AtomicInteger polls = new AtomicInteger();

    /** Counts the calls of {@code systems} made outside any observation; register before the app starts. */
    StoreSpans(OtelTracing tracing, String... systems) {
        this.tracing = tracing;
        this.systems = Set.of(systems);
        tracing.registry.observationConfig().observationPredicate((name, context) -> {
            KeyValue system = context.getLowCardinalityKeyValue(SYSTEM);
            if (name.equals(NexusObservation.REMOTE_CALL.getName()) && context.getParentObservation() == null && system != null
                    && this.systems.contains(system.getValue())) {
                polls.incrementAndGet();
            }
            return true;
        });
    }

    /** A new trace id, and the W3C {@code traceparent} header of a caller's span in it. */
    static String[] newTrace() {
        byte[] trace = new byte[16];
        byte[] span = new byte[8];
        new SecureRandom().nextBytes(trace);
        new SecureRandom().nextBytes(span);
        String traceId = HexFormat.of().formatHex(trace);
        return new String[]{traceId, "00-" + traceId + "-" + HexFormat.of().formatHex(span) + "-01"};
    }

    /**
     * Asserts that trace {@code traceId} holds one of {@code appendSpans} (the store's append) as a child of the
     * command's {@code append order}, itself under the HTTP request's span {@code requestSpan}.
     */
    void assertStoreAppendInTrace(String traceId, String requestSpan, Duration wait, String... appendSpans) throws InterruptedException {
        List<String> names = List.of(appendSpans);
        RunningApp.await("the request's span " + requestSpan + " in trace " + traceId, wait, () -> tracing.spans().stream()
                .anyMatch(s -> s.getTraceId().equals(traceId) && s.getName().equals(requestSpan)));
        RunningApp.await("the store's append " + names + " under 'append order' in trace " + traceId, wait, () -> tracing.spans().stream()
                .anyMatch(s -> s.getTraceId().equals(traceId) && names.contains(s.getName())
                        && tracing.byId(s.getParentSpanId()).map(p -> p.getName().equals("append order")).orElse(false)));
        SpanData append = tracing.spans().stream().filter(s -> s.getTraceId().equals(traceId) && names.contains(s.getName())
                        && tracing.byId(s.getParentSpanId()).map(p -> p.getName().equals("append order")).orElse(false))
                .findFirst().orElseThrow();
        assertTrue(isStoreCall(append), append.toString());
        SpanData parent = parentOf(append);
        SpanData ancestor = parent;
        while (ancestor.getParentSpanContext().isValid() && !ancestor.getParentSpanContext().isRemote()) {
            ancestor = parentOf(ancestor);
        }
        assertEquals(requestSpan, ancestor.getName(), "the store's append descends from the HTTP request's span");
    }

    /**
     * Waits until the engines have polled {@code count} more times outside any observation, then asserts that none of
     * their calls, in the whole run, started a trace of its own.
     */
    void assertIdlePollingStartsNoTrace(int count, Duration wait) throws InterruptedException {
        int from = polls.get();
        RunningApp.await(count + " background polls of " + systems, wait, () -> polls.get() >= from + count);
        List<String> roots = tracing.spans().stream()
                .filter(s -> isStoreCall(s) && !s.getParentSpanContext().isValid())
                .map(SpanData::getName).toList();
        assertEquals(List.of(), roots, "remote calls of " + systems + " that started a trace");
    }

    private boolean isStoreCall(SpanData span) {
        String system = span.getAttributes().get(SYSTEM_ATTRIBUTE);
        return system != null && systems.contains(system);
    }

    private SpanData parentOf(SpanData span) {
        return tracing.byId(span.getParentSpanId())
                .orElseThrow(() -> new AssertionError("the parent of '" + span.getName() + "' is not among the spans"));
    }
}
