package io.nexus.examples.order.http;

import io.nexus.core.command.CommandMetadata;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.observation.EventTraceContext;
import io.nexus.core.store.StreamQuery;
import io.nexus.examples.order.billing.Billing;
import io.nexus.examples.order.fulfilment.FulfilmentSaga;
import io.nexus.examples.order.fulfilment.FulfilmentSimulator;
import io.nexus.examples.order.observability.OtelTracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.nexus.examples.order.http.RunningApp.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One traced request through the running app, over HTTP: an order is placed, and its confirmation is sent with a
 * W3C {@code traceparent} and an {@code Idempotency-Key}; the simulated payment provider approves at once, so the
 * fulfilment saga runs to the end. Then the whole trace is asserted: the request's span continues the caller's,
 * the command is its child, and every consumer, saga step, the saga's commands and their events follow with
 * their parents; the events carry the trace and chain their correlation and causation ids.
 */
final class RequestTrace {

    private static final AttributeKey<String> CONSUMER = AttributeKey.stringKey("nexus.consumer");
    /** The spans the request's trace must hold. */
    private static final List<String> SPANS = List.of("http post /orders/{id}/confirm", "command confirm-order", "append order",
            "project order-confirmed", "consume order-confirmed", "saga order-confirmed", "append saga", "command reserve-inventory",
            "saga inventory-reserved", "command charge-payment", "consume payment-requested", "command confirm-payment",
            "saga payment-charged", "command ship-order");

    private final RunningApp app;
    private final OtelTracing tracing;
    private final String orderId;
    final String traceId = hex(16);
    final String callerSpanId = hex(8);
    final UUID confirmId = UUID.randomUUID();

    RequestTrace(RunningApp app, OtelTracing tracing, String orderId) {
        this.app = app;
        this.tracing = tracing;
        this.orderId = orderId;
    }

    /** Places and confirms the order over HTTP, the confirmation traced; waits for the saga to complete and its last spans. */
    RequestTrace run(Duration wait) throws Exception {
        expect(200, app.call("PUT", "/simulator", "{\"paymentMode\":\"approve\"}"));
        expect(201, app.call("POST", "/orders", "{\"customerId\":\"customer-t\",\"orderId\":\"" + orderId + "\"}"));
        expect(200, app.call("POST", "/orders/" + orderId + "/lines", "{\"sku\":\"kettle\",\"quantity\":1,\"unitPriceCents\":2500}"));
        expect(200, app.call("POST", "/orders/" + orderId + "/confirm", null,
                "traceparent", "00-" + traceId + "-" + callerSpanId + "-01", "Idempotency-Key", confirmId.toString()));
        app.awaitField("/orders/" + orderId + "/fulfilment", "state", "COMPLETED", wait);
        // Spans are exported when they end, each on its own thread: wait for all of them.
        RunningApp.await("the spans of the request's trace end: " + SPANS, wait, () -> inTrace().keySet().containsAll(SPANS));
        return this;
    }

    /** Asserts the spans of the trace, their parents, and the links of the batches that carried its events. */
    void assertSpans(boolean publishedInBatches) {
        Map<String, List<SpanData>> inTrace = inTrace();
        for (String name : SPANS) {
            assertTrue(inTrace.containsKey(name), name + " is in the request's trace: " + inTrace.keySet());
        }
        SpanData request = only(inTrace, "http post /orders/{id}/confirm");
        assertEquals(callerSpanId, request.getParentSpanId(), "the request's span continues the caller's traceparent");
        assertTrue(request.getParentSpanContext().isRemote());
        assertEquals("200", request.getAttributes().get(AttributeKey.stringKey(HttpObservation.STATUS)));
        assertEquals("/orders/{id}/confirm", request.getAttributes().get(AttributeKey.stringKey(HttpObservation.URI)));

        SpanData confirm = only(inTrace, "command confirm-order");
        assertEquals(request.getSpanId(), confirm.getParentSpanId(), "the command is a child of the request");
        SpanData appendConfirmed = childOf(inTrace, "append order", confirm);
        SpanData sagaStart = only(inTrace, "saga order-confirmed");
        assertEquals(appendConfirmed.getSpanId(), sagaStart.getParentSpanId(), "the saga continues the append's context");
        assertEquals(appendConfirmed.getSpanId(), consumedBy(inTrace, Billing.GROUP, "consume order-confirmed").getParentSpanId(),
                "billing on the bus continues it too");
        assertEquals(sagaStart.getSpanId(), only(inTrace, "command reserve-inventory").getParentSpanId(),
                "the saga's command is a child of its handling");
        childOf(inTrace, "append saga", sagaStart);
        SpanData reserved = only(inTrace, "saga inventory-reserved");
        assertEquals(reserved.getSpanId(), only(inTrace, "command charge-payment").getParentSpanId());
        SpanData provider = consumedBy(inTrace, FulfilmentSimulator.GROUP, "consume payment-requested");
        assertEquals(provider.getSpanId(), only(inTrace, "command confirm-payment").getParentSpanId(),
                "the payment provider's answer is a child of its handling of the request");
        assertEquals(only(inTrace, "saga payment-charged").getSpanId(), only(inTrace, "command ship-order").getParentSpanId());

        if (publishedInBatches) {
            // The store-to-bus publish handles batches of many traces: it links to the append that stored the event.
            boolean linked = tracing.named("publish events").stream().flatMap(s -> s.getLinks().stream()).map(LinkData::getSpanContext)
                    .anyMatch(c -> c.getTraceId().equals(traceId) && c.getSpanId().equals(appendConfirmed.getSpanId()));
            assertTrue(linked, "a publish span links to the confirmation's append");
        }
    }

    /** Asserts that the search projection's write to OpenSearch is in the trace, a child of its handling of the confirmation. */
    void assertSearchIndexed(Duration wait) throws InterruptedException {
        RunningApp.await("the search projection's span of the confirmation", wait, () -> inTrace().getOrDefault("project order-confirmed", List.of())
                .stream().anyMatch(s -> "order-search".equals(s.getAttributes().get(CONSUMER))));
        SpanData projected = consumedBy(inTrace(), "order-search", "project order-confirmed");
        assertEquals(only(inTrace(), "command confirm-order").getSpanId(), byId(projected.getParentSpanId()).getParentSpanId(),
                "the search projection continues the context of the confirmation's append, through change capture");
        SpanData index = childOf(inTrace(), "opensearch index", projected);
        assertEquals("opensearch", index.getAttributes().get(AttributeKey.stringKey("nexus.remote.system")));
    }

    private SpanData byId(String spanId) {
        return tracing.byId(spanId).orElseThrow(() -> new AssertionError("no span " + spanId));
    }

    /** Asserts that the events of the flow carry the trace and chain correlation and causation: command → event → saga step → command → event. */
    void assertEvents() {
        EventEnvelope confirmed = event(orderId, "OrderConfirmed");
        EventEnvelope reserved = event("reservation-" + orderId, "InventoryReserved");
        EventEnvelope requested = event("payment-" + orderId, "PaymentRequested");
        EventEnvelope charged = event("payment-" + orderId, "PaymentCharged");
        EventEnvelope shipped = event("shipment-" + orderId, "OrderShipped");
        List<EventEnvelope> saga = app.app.nexus().eventStore().read(StreamQuery.stream("saga-" + FulfilmentSaga.NAME + "-" + orderId));
        assertTrue(saga.size() >= 4, "the saga recorded its steps: " + saga.size());
        String correlation = confirmId.toString();
        for (EventEnvelope e : concat(List.of(confirmed, reserved, requested, charged, shipped), saga)) {
            assertEquals(correlation, e.correlationId(), e.eventType() + " of " + e.streamId() + " carries the request's correlation id");
            String traceparent = EventTraceContext.traceparent(e);
            assertTrue(traceparent != null && traceparent.substring(3, 35).equals(traceId),
                    e.eventType() + " of " + e.streamId() + " carries the request's trace, but had " + traceparent);
        }
        assertEquals(confirmId.toString(), confirmed.causationId());
        assertEquals(confirmed.eventId().toString(), reserved.metadata().get(CommandMetadata.CAUSATION_KEY),
                "the saga's first command is caused by the confirmation");
        assertEquals(reserved.eventId().toString(), requested.metadata().get(CommandMetadata.CAUSATION_KEY),
                "its next command by the reservation");
        assertEquals(requested.eventId().toString(), charged.metadata().get(CommandMetadata.CAUSATION_KEY),
                "the provider's answer by the payment request");
        assertEquals(charged.eventId().toString(), shipped.metadata().get(CommandMetadata.CAUSATION_KEY));
    }

    private Map<String, List<SpanData>> inTrace() {
        return tracing.spans().stream().filter(s -> s.getTraceId().equals(traceId)).collect(Collectors.groupingBy(SpanData::getName));
    }

    private static SpanData only(Map<String, List<SpanData>> spans, String name) {
        List<SpanData> found = spans.getOrDefault(name, List.of());
        if (found.size() != 1) {
            throw new AssertionError("expected one span '" + name + "' in the trace but found " + found.size());
        }
        return found.get(0);
    }

    private static SpanData childOf(Map<String, List<SpanData>> spans, String name, SpanData parent) {
        return spans.getOrDefault(name, List.of()).stream().filter(s -> s.getParentSpanId().equals(parent.getSpanId())).findFirst()
                .orElseThrow(() -> new AssertionError("no span '" + name + "' is a child of '" + parent.getName() + "'"));
    }

    private static SpanData consumedBy(Map<String, List<SpanData>> spans, String group, String name) {
        return spans.getOrDefault(name, List.of()).stream().filter(s -> group.equals(s.getAttributes().get(CONSUMER))).findFirst()
                .orElseThrow(() -> new AssertionError("no span '" + name + "' of consumer " + group + " in the trace"));
    }

    private EventEnvelope event(String streamId, String type) {
        return app.app.nexus().eventStore().read(StreamQuery.stream(streamId)).stream().filter(e -> e.eventType().equals(type))
                .findFirst().orElseThrow(() -> new AssertionError("no " + type + " in stream " + streamId));
    }

    private static List<EventEnvelope> concat(List<EventEnvelope> a, List<EventEnvelope> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    private static String hex(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
