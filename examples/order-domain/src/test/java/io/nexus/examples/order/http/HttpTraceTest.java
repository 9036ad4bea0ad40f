package io.nexus.examples.order.http;

import io.micrometer.observation.ObservationRegistry;
import io.nexus.examples.order.engines.EmbeddedEngines;
import io.nexus.examples.order.observability.OtelTracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.nexus.examples.order.http.RunningApp.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The running app on the embedded engines, traced with OpenTelemetry through Micrometer Tracing, driven over real
 * HTTP: a request that sends a W3C {@code traceparent} gets one trace from its HTTP span through the command, the
 * append, the publish to the bus, the consumers, the projection, every saga step, the commands the saga sends and
 * their events ({@link RequestTrace}). Without a registry nothing is observed.
 */
class HttpTraceTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void oneRequestIsOneTraceFromItsHttpSpanToTheSagasLastCommand() throws Exception {
        try (OtelTracing tracing = new OtelTracing();
             RunningApp app = RunningApp.on(new EmbeddedEngines(), HttpSettings.defaults(0, RunningApp.TOKEN), Duration.ofMinutes(30),
                     tracing.registry)) {
            RequestTrace trace = new RequestTrace(app, tracing, "traced-1").run(WAIT);
            trace.assertSpans(true);
            trace.assertEvents();

            // A request without a traceparent starts a trace of its own; one that no route matches is named by its method.
            expect(200, app.call("GET", "/orders/traced-1", null));
            expect(404, app.call("GET", "/nowhere", null));
            RunningApp.await("the reads' spans end", WAIT, () -> tracing.named("http get /orders/{id}").size() == 1
                    && tracing.named("http get").size() == 1);
            SpanData read = tracing.named("http get /orders/{id}").get(0);
            assertFalse(read.getParentSpanContext().isValid(), "a request without a traceparent is a root");
            assertEquals("SUCCESS", read.getAttributes().get(AttributeKey.stringKey(HttpObservation.OUTCOME)));
            SpanData missing = tracing.named("http get").get(0);
            assertEquals("404", missing.getAttributes().get(AttributeKey.stringKey(HttpObservation.STATUS)));
            assertEquals("UNKNOWN", missing.getAttributes().get(AttributeKey.stringKey(HttpObservation.URI)));
        }
    }

    @Test
    void withoutARegistryTheAppObservesNothing() throws Exception {
        try (OtelTracing tracing = new OtelTracing();
             RunningApp app = RunningApp.on(new EmbeddedEngines(), HttpSettings.defaults(0, RunningApp.TOKEN), Duration.ofMinutes(30),
                     ObservationRegistry.NOOP)) {
            assertTrue(app.app.nexus().observationRegistry().isNoop());
            app.confirmedOrder("untraced-1", "kettle", 1, 2500);
            expect(200, app.call("GET", "/orders/untraced-1", null, "traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
            assertEquals(List.of(), tracing.spans(), "the tracer beside the app saw nothing");
        }
    }
}
