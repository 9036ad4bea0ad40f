package io.nexus.examples.order.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.nexus.core.command.CommandResult;
import io.nexus.examples.order.domain.OrderStatus;
import io.nexus.examples.order.fulfilment.FulfilmentSaga;
import io.nexus.examples.order.fulfilment.FulfilmentSimulator;
import io.nexus.examples.order.projection.OrderSummary;
import io.nexus.saga.SagaComponent;
import io.nexus.saga.SagaStatus;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.store.StreamQuery;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Fulfilment: where an order's saga stands (its steps, its history, and why the order was cancelled),
 * and the simulated payment provider and warehouse that complete it or make it fail.
 */
final class FulfilmentRoutes {

    private final ApiServices services;
    private final HttpSettings settings;

    FulfilmentRoutes(ApiServices services, HttpSettings settings) {
        this.services = services;
        this.settings = settings;
    }

    void register(Routes routes) {
        routes.get("/orders/{id}/fulfilment", this::status)
                .post("/orders/{id}/payment", this::pay)
                .get("/simulator", ctx -> {
                    Requests.onlyParams(ctx);
                    Routes.json(ctx, 200, settings(simulator()));
                })
                .put("/simulator", this::configure);
    }

    private void status(Context ctx) {
        Requests.onlyParams(ctx);
        String orderId = OrderRoutes.orderId(ctx);
        OrderSummary order = services.summaries().find(orderId).orElseThrow(() -> ApiException.notFound(
                "Order '" + orderId + "' does not exist; check the id or place the order first."));
        Optional<SagaStatus> saga = saga().flatMap(s -> s.status(orderId));
        ObjectNode json = Requests.MAPPER.createObjectNode();
        json.put("orderId", orderId);
        json.put("orderStatus", order.status().name());
        if (saga.isPresent()) {
            SagaStatus s = saga.get();
            json.put("saga", s.sagaName());
            json.put("state", s.state().name());
            json.put("currentStep", s.currentStep().orElse(null));
            json.set("completedSteps", Requests.MAPPER.valueToTree(s.completedSteps()));
            json.set("compensatedSteps", Requests.MAPPER.valueToTree(s.compensatedSteps()));
            json.put("failure", s.failure().map(Errors::cap).orElse(null));
            ArrayNode timeouts = json.putArray("pendingTimeouts");
            s.pendingTimeouts().forEach(t -> timeouts.addObject().put("step", t.step()).put("kind", t.kind().name())
                    .put("dueAt", t.dueAt().toString()));
            ArrayNode history = json.putArray("history");
            s.history().forEach(h -> history.addObject().put("version", h.version()).put("timestamp", h.timestamp().toString())
                    .put("type", h.type()).put("step", h.step().orElse(null)).put("detail", h.detail().map(Errors::cap).orElse(null)));
        } else {
            json.put("state", order.status() == OrderStatus.CONFIRMED ? "STARTING" : "NOT_STARTED");
        }
        json.put("payment", payment(orderId));
        json.put("cancellationReason", cancellationReason(order, saga));
        Routes.json(ctx, 200, json);
    }

    /** Where the order's payment stands, from its stream: NOT_REQUESTED, REQUESTED, CHARGED or DECLINED. */
    private String payment(String orderId) {
        List<EventEnvelope> events = services.nexus().eventStore().read(StreamQuery.stream("payment-" + orderId));
        if (events.isEmpty()) {
            return "NOT_REQUESTED";
        }
        return switch (events.get(events.size() - 1).eventType()) {
            case "PaymentCharged" -> "CHARGED";
            case "PaymentDeclined" -> "DECLINED";
            default -> "REQUESTED";
        };
    }

    private static String cancellationReason(OrderSummary order, Optional<SagaStatus> saga) {
        if (order.status() != OrderStatus.CANCELLED) {
            return null;
        }
        if (saga.isPresent() && saga.get().failure().isPresent()) {
            return Errors.cap("Fulfilment failed, so the order was cancelled: " + saga.get().failure().get());
        }
        return "Cancelled by a CancelOrder command (POST /orders/" + order.orderId() + "/cancel), not by fulfilment.";
    }

    private void pay(Context ctx) {
        Requests.onlyParams(ctx);
        String orderId = OrderRoutes.orderId(ctx);
        ObjectNode body = Requests.jsonBody(ctx, settings.maxBodyBytes());
        Requests.allowOnly(body, "outcome", "reason");
        String outcome = Requests.text(body, "outcome", true, 16);
        CommandResult result = switch (outcome) {
            case "charged" -> {
                if (body.has("reason")) {
                    throw ApiException.invalid("Field 'reason' goes with outcome 'declined' only.");
                }
                yield simulator().charge(orderId);
            }
            case "declined" -> simulator().decline(orderId, Requests.text(body, "reason", true, 200));
            default -> throw ApiException.invalid("Field 'outcome' must be 'charged' or 'declined' but was "
                    + Requests.quote(outcome) + ".");
        };
        ObjectNode json = Requests.MAPPER.createObjectNode();
        json.put("paymentId", result.aggregateId());
        json.put("version", result.version());
        json.put("outcome", outcome);
        Routes.json(ctx, 200, json);
    }

    private void configure(Context ctx) {
        Requests.onlyParams(ctx);
        FulfilmentSimulator simulator = simulator();
        ObjectNode body = Requests.jsonBody(ctx, settings.maxBodyBytes());
        Requests.allowOnly(body, "paymentMode", "outOfStock");
        String mode = Requests.text(body, "paymentMode", false, 16);
        FulfilmentSimulator.PaymentMode paymentMode = null;
        if (mode != null) {
            try {
                paymentMode = FulfilmentSimulator.PaymentMode.valueOf(mode.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("Field 'paymentMode' must be MANUAL, APPROVE or DECLINE but was "
                        + Requests.quote(mode) + ".");
            }
        }
        Set<String> outOfStock = null;
        JsonNode skus = body.get("outOfStock");
        if (skus != null) {
            if (!skus.isArray() || skus.size() > 100) {
                throw ApiException.invalid("Field 'outOfStock' must be an array of at most 100 skus.");
            }
            outOfStock = new LinkedHashSet<>();
            for (JsonNode sku : skus) {
                outOfStock.add(Requests.requireId("outOfStock item", sku.isTextual() ? sku.textValue() : null));
            }
        }
        if (paymentMode != null) {
            simulator.paymentMode(paymentMode);
        }
        if (outOfStock != null) {
            simulator.outOfStock(outOfStock);
        }
        Routes.json(ctx, 200, settings(simulator));
    }

    private static ObjectNode settings(FulfilmentSimulator simulator) {
        ObjectNode json = Requests.MAPPER.createObjectNode();
        json.put("paymentMode", simulator.paymentMode().name());
        json.set("outOfStock", Requests.MAPPER.valueToTree(simulator.outOfStock()));
        return json;
    }

    private FulfilmentSimulator simulator() {
        return services.simulator().orElseThrow(() -> new ApiException(501, "not_implemented",
                "Fulfilment is not assembled in this app; the payment provider and warehouse are not simulated."));
    }

    private Optional<SagaComponent<?>> saga() {
        for (var component : services.nexus().components()) {
            if (component instanceof SagaComponent<?> saga && saga.definition().name().equals(FulfilmentSaga.NAME)) {
                return Optional.of(saga);
            }
        }
        return Optional.empty();
    }
}
