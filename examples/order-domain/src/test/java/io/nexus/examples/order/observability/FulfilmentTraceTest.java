package io.nexus.examples.order.observability;

import io.micrometer.observation.Observation;
import io.nexus.core.Nexus;
import io.nexus.core.bus.BusPath;
import io.nexus.core.bus.InMemoryEventBus;
import io.nexus.core.command.CommandMetadata;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.observation.EventTraceContext;
import io.nexus.examples.order.OrderApp;
import io.nexus.examples.order.billing.Billing;
import io.nexus.examples.order.domain.AddLine;
import io.nexus.examples.order.domain.ConfirmOrder;
import io.nexus.examples.order.domain.PlaceOrder;
import io.nexus.examples.order.fulfilment.Fulfilment;
import io.nexus.examples.order.fulfilment.FulfilmentModule;
import io.nexus.examples.order.fulfilment.Payment;
import io.nexus.core.projection.ProcessingMode;
import io.nexus.examples.order.projection.OrderSummaryProjection;
import io.nexus.saga.SagaComponent;
import io.nexus.saga.SagaState;
import io.nexus.testkit.Await;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example's place → confirm → fulfilment flow on the embedded engines, traced with OpenTelemetry through
 * Micrometer Tracing: one request's trace reaches the saga, the commands it sends, their events and the
 * consumers of those, asynchronously; correlation and causation ids chain command → event → saga step →
 * command → event.
 */
class FulfilmentTraceTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void oneRequestsTraceShowsTheSagaItsCommandsTheirEventsAndTheirConsumers() throws Exception {
        try (OtelTracing tracing = new OtelTracing()) {
            Nexus.Builder builder = Nexus.builder().observationRegistry(tracing.registry).module(new FulfilmentModule())
                    .projection(context -> new OrderSummaryProjection(context.readModels()), options -> options.mode(ProcessingMode.INLINE))
                    .component(Fulfilment.component(Duration.ofMinutes(30)));
            Billing billing = new Billing();
            AtomicReference<Nexus> app = new AtomicReference<>();
            // The payment provider: told of each payment request on the bus, it confirms the payment, caused by the request.
            builder.eventBus(InMemoryEventBus.create(), bus -> bus
                    .consumer(Billing.GROUP, BusPath.PRIMARY, billing)
                    .consumer("payment-provider", BusPath.PRIMARY, event -> {
                        if (event.eventType().equals("PaymentRequested")) {
                            String orderId = event.streamId().substring(event.streamId().indexOf('-') + 1);
                            app.get().commands().send(new Payment.ConfirmPayment(orderId),
                                    CommandMetadata.withCommandId(UUID.nameUUIDFromBytes(event.eventId().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))).causedBy(event));
                        }
                    }));
            try (Nexus nexus = builder.build()) {
                app.set(nexus);
                nexus.start();
                nexus.commands().send(new PlaceOrder("order-1", "customer-7"));
                nexus.commands().send(new AddLine("order-1", "apple", 2, 250));
                // The HTTP server's observation of the confirm request: everything after it is in its trace.
                Observation request = Observation.start("http.server.requests", tracing.registry).contextualName("post /orders/{id}/confirm");
                UUID confirmId = UUID.randomUUID();
                try (Observation.Scope ignored = request.openScope()) {
                    nexus.commands().send(new ConfirmOrder("order-1"), CommandMetadata.withCommandId(confirmId).correlationId("req-42"));
                } finally {
                    request.stop();
                }
                @SuppressWarnings("unchecked")
                SagaComponent<Object> saga = nexus.component(SagaComponent.class).orElseThrow();
                Await.until("the saga completes", WAIT, () -> saga.status("order-1").map(s -> s.state() == SagaState.COMPLETED).orElse(false));
                Await.until("the spans of the last step end", WAIT, () -> !tracing.named("saga payment-charged").isEmpty()
                        && !tracing.named("consume order-shipped").isEmpty());

                SpanData root = tracing.only("post /orders/{id}/confirm");
                String trace = root.getTraceId();
                Map<String, List<SpanData>> inTrace = tracing.spans().stream().filter(s -> s.getTraceId().equals(trace))
                        .collect(Collectors.groupingBy(SpanData::getName));
                for (String name : List.of("command confirm-order", "append order", "saga order-confirmed", "command reserve-inventory",
                        "consume order-confirmed", "saga inventory-reserved", "command charge-payment", "consume payment-requested",
                        "command confirm-payment", "saga payment-charged", "command ship-order", "project order-confirmed")) {
                    assertTrue(inTrace.containsKey(name), name + " is in the request's trace: " + inTrace.keySet());
                }
                SpanData confirm = tracing.only("command confirm-order");
                assertEquals(root.getSpanId(), confirm.getParentSpanId(), "the command is a child of the request");
                SpanData appendConfirmed = inTrace.get("append order").stream()
                        .filter(s -> s.getParentSpanId().equals(confirm.getSpanId())).findFirst().orElseThrow();
                SpanData sagaStart = tracing.only("saga order-confirmed");
                assertEquals(appendConfirmed.getSpanId(), sagaStart.getParentSpanId(), "the saga continues the append's context");
                assertEquals(appendConfirmed.getSpanId(), consumedBy(tracing, Billing.GROUP, "consume order-confirmed").getParentSpanId(),
                        "billing on the bus continues it too");
                assertEquals(sagaStart.getSpanId(), tracing.only("command reserve-inventory").getParentSpanId(),
                        "the saga's command is a child of its handling");
                assertEquals(tracing.only("saga inventory-reserved").getSpanId(), tracing.only("command charge-payment").getParentSpanId());
                assertEquals(consumedBy(tracing, "payment-provider", "consume payment-requested").getSpanId(), tracing.only("command confirm-payment").getParentSpanId());
                assertEquals(tracing.only("saga payment-charged").getSpanId(), tracing.only("command ship-order").getParentSpanId());

                // correlation and causation: command → event → saga step → command → event
                EventEnvelope confirmed = event(nexus, "OrderConfirmed");
                EventEnvelope reserved = event(nexus, "InventoryReserved");
                EventEnvelope requested = event(nexus, "PaymentRequested");
                EventEnvelope charged = event(nexus, "PaymentCharged");
                EventEnvelope shipped = event(nexus, "OrderShipped");
                for (EventEnvelope e : List.of(confirmed, reserved, requested, charged, shipped)) {
                    assertEquals("req-42", e.correlationId(), e.eventType() + " carries the request's correlation id");
                    assertEquals(trace, EventTraceContext.traceparent(e).substring(3, 35), e.eventType() + " carries the request's trace");
                }
                assertEquals(confirmId.toString(), confirmed.causationId());
                assertEquals(confirmed.eventId().toString(), reserved.metadata().get(CommandMetadata.CAUSATION_KEY),
                        "the saga's first command is caused by the confirmation");
                assertEquals(reserved.eventId().toString(), requested.metadata().get(CommandMetadata.CAUSATION_KEY),
                        "its next command by the reservation");
                assertEquals(requested.eventId().toString(), charged.metadata().get(CommandMetadata.CAUSATION_KEY));
                assertEquals(charged.eventId().toString(), shipped.metadata().get(CommandMetadata.CAUSATION_KEY));
            }
        }
    }

    private static SpanData consumedBy(OtelTracing tracing, String group, String name) {
        return tracing.named(name).stream().filter(s -> group.equals(s.getAttributes().asMap().entrySet().stream()
                        .filter(e -> e.getKey().getKey().equals("nexus.consumer")).map(e -> e.getValue()).findFirst().orElse(null)))
                .findFirst().orElseThrow(() -> new AssertionError("no span '" + name + "' of consumer " + group));
    }

    private static EventEnvelope event(Nexus nexus, String type) {
        return nexus.eventStore().readAll(1, 1000).stream().filter(e -> e.eventType().equals(type)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " was stored"));
    }
}
