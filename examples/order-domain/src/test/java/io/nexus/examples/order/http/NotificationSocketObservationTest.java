package io.nexus.examples.order.http;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.nexus.examples.order.engines.EmbeddedEngines;
import io.nexus.examples.order.observability.OtelTracing;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static io.nexus.examples.order.http.RunningApp.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A notification sent over the WebSocket is a span in the trace of the request whose command caused it, and the
 * sockets are metered with the names docs/observability.md lists.
 */
class NotificationSocketObservationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

    @Test
    void aNotificationSentToAClientContinuesTheTraceOfTheRequestThatCausedIt() throws Exception {
        try (OtelTracing tracing = new OtelTracing();
             RunningApp app = RunningApp.on(new EmbeddedEngines(), HttpSettings.defaults(0, RunningApp.TOKEN), Duration.ofMinutes(30),
                     tracing.registry)) {
            expect(201, app.call("POST", "/orders", "{\"customerId\":\"c-1\",\"orderId\":\"o-1\"}"));
            try (NotificationSocketTest.Client client = new NotificationSocketTest.Client(app, "tab-1")) {
                client.send("{\"type\":\"subscribe\",\"orderId\":\"o-1\",\"lastVersion\":1}");
                client.next("subscribed");
                RunningApp.await("the socket is counted", WAIT, () -> app.metrics.scrape().contains("order_websocket_sessions 1.0"));

                expect(200, app.call("POST", "/orders/o-1/lines", "{\"sku\":\"apple\",\"quantity\":1,\"unitPriceCents\":10}",
                        "traceparent", "00-" + TRACE_ID + "-00f067aa0ba902b7-01"));
                client.notification("o-1", 2);

                RunningApp.await("the send's span ends", WAIT, () -> tracing.named("websocket send line-added").size() == 1);
                SpanData send = tracing.only("websocket send line-added");
                assertEquals(TRACE_ID, send.getTraceId(), "in the trace of the request that added the line");
                assertEquals("sent", send.getAttributes().get(AttributeKey.stringKey("outcome")));
                assertEquals("order-summaries", send.getAttributes().get(AttributeKey.stringKey("projection")));
                SpanData notify = tracing.byId(send.getParentSpanId()).orElseThrow();
                assertEquals("notify line-added", notify.getName());
                assertEquals(TRACE_ID, notify.getTraceId());
                RunningApp.await("the send is counted", WAIT,
                        () -> app.metrics.scrape().contains("order_websocket_notifications_total{outcome=\"sent\"} 1.0"));
            }
            RunningApp.await("the closed socket is no longer counted", WAIT,
                    () -> app.metrics.scrape().contains("order_websocket_sessions 0.0"));

            String doc = Files.readString(Path.of("..", "..", "docs", "observability.md"), StandardCharsets.UTF_8);
            for (String documented : new String[]{"`" + NotificationSocket.SESSIONS + "`", "`" + NotificationSocket.NOTIFICATIONS + "`",
                    "`" + NotificationSocket.SEND_OBSERVATION + "`", "`nexus.notification.dispatch`"}) {
                assertTrue(doc.contains(documented), documented + " is not in docs/observability.md");
            }
        }
    }
}
