package io.nexus.examples.order.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.nexus.core.command.CommandMetadata;
import io.nexus.core.command.CommandResult;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.notification.NotificationHub;
import io.nexus.core.policy.PolicyActions;
import io.nexus.core.policy.PolicyDecisionPoint;
import io.nexus.core.policy.PolicyEngine;
import io.nexus.core.policy.PolicyRequest;
import io.nexus.core.store.StreamQuery;
import io.nexus.core.temporal.QueryContext;
import io.nexus.core.temporal.TemporalResult;
import io.nexus.examples.order.domain.AddLine;
import io.nexus.examples.order.domain.CancelOrder;
import io.nexus.examples.order.domain.ConfirmOrder;
import io.nexus.examples.order.domain.Order;
import io.nexus.examples.order.domain.OrderStatus;
import io.nexus.examples.order.domain.PlaceOrder;
import io.nexus.examples.order.domain.RemoveLine;
import io.nexus.examples.order.projection.OrderSummary;
import io.nexus.examples.order.search.OrderTextSearch;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The order endpoints: commands (answered once the read model shows them), the order by id (optionally
 * waiting for a version: read-your-writes), the list with filters and paging, full-text search, and the
 * order's past (its events, and the order as of a version or an instant) through the temporal-query guards.
 */
final class OrderRoutes {

    /** The most events one history page holds. */
    static final int HISTORY_PAGE = 200;

    private final ApiServices services;
    private final HttpSettings settings;
    private final Access access;
    private final NotificationHub hub;
    private final PolicyEngine history;

    OrderRoutes(ApiServices services, HttpSettings settings, Access access) {
        this.services = services;
        this.settings = settings;
        this.access = access;
        this.hub = services.nexus().notifications();
        this.history = HistoryPolicy.audited(services.nexus().policy(), services.summaries(), services.nexus().auditLog(),
                services.nexus().clock());
    }

    void register(Routes routes) {
        routes.post("/orders", this::place)
                .get("/orders", this::list)
                .get("/orders/search", this::search)
                .get("/orders/{id}", this::order)
                .get("/orders/{id}/history", this::history)
                .delete("/orders/{id}", this::erase)
                .post("/orders/{id}/lines", this::addLine)
                .delete("/orders/{id}/lines/{sku}", ctx -> {
                    Requests.onlyParams(ctx);
                    Requests.noBody(ctx, settings.maxBodyBytes());
                    command(ctx, 200, new RemoveLine(orderId(ctx), Requests.boundedId("sku", ctx.pathParam("sku"))));
                })
                .post("/orders/{id}/confirm", ctx -> {
                    Requests.onlyParams(ctx);
                    Requests.noBody(ctx, settings.maxBodyBytes());
                    command(ctx, 200, new ConfirmOrder(orderId(ctx)));
                })
                .post("/orders/{id}/cancel", ctx -> {
                    Requests.onlyParams(ctx);
                    Requests.noBody(ctx, settings.maxBodyBytes());
                    command(ctx, 200, new CancelOrder(orderId(ctx)));
                });
    }

    // ---- commands ------------------------------------------------------------------------------

    private void place(Context ctx) {
        Requests.onlyParams(ctx);
        ObjectNode body = Requests.jsonBody(ctx, settings.maxBodyBytes());
        Requests.allowOnly(body, "customerId", "orderId");
        String customerId = Requests.id(body, "customerId", true);
        String orderId = Requests.id(body, "orderId", false);
        if (orderId == null) {
            orderId = "order-" + UUID.randomUUID().toString().substring(0, 8);
        }
        ctx.header("Location", "/orders/" + orderId);
        command(ctx, 201, new PlaceOrder(orderId, customerId));
    }

    private void addLine(Context ctx) {
        Requests.onlyParams(ctx);
        String orderId = orderId(ctx);
        ObjectNode body = Requests.jsonBody(ctx, settings.maxBodyBytes());
        Requests.allowOnly(body, "sku", "quantity", "unitPriceCents");
        String sku = Requests.id(body, "sku", true);
        int quantity = (int) Requests.integer(body, "quantity", Integer.MIN_VALUE, Integer.MAX_VALUE);
        long unitPrice = Requests.integer(body, "unitPriceCents", Long.MIN_VALUE, Long.MAX_VALUE);
        command(ctx, 200, new AddLine(orderId, sku, quantity, unitPrice));
    }

    /**
     * Sends {@code command} (with the {@code Idempotency-Key} header as its command id, so a re-sent
     * request answers the first outcome) and answers once the read model shows its version.
     */
    private void command(Context ctx, int status, Object command) {
        CommandResult result = services.nexus().commands().send(command, metadata(ctx));
        ObjectNode json = Requests.MAPPER.createObjectNode();
        json.put("orderId", result.aggregateId());
        json.put("version", result.version());
        ArrayNode events = json.putArray("events");
        for (EventEnvelope e : result.events()) {
            events.add(e.eventType());
        }
        json.put("alreadyApplied", result.alreadyApplied());
        if (result.version() < 1) {
            Routes.json(ctx, status, json);
            return;
        }
        ctx.future(() -> hub.awaitVersion(result.aggregateId(), result.version(), settings.readYourWritesWait())
                .handle((visible, failure) -> {
                    // The command is stored either way; a late read model does not undo it, it is only said.
                    json.put("visible", failure == null);
                    Routes.json(ctx, status, json);
                    return null;
                }));
    }

    /**
     * Asks to erase an order's history. History is append-only here (rule {@code append-only}), so the policy
     * refuses, the attempt is audited, and the caller gets a 403 saying to append a compensating event (cancel the
     * order) instead. No Nexus port deletes events: were the policy to allow it, there would be nothing to call.
     */
    private void erase(Context ctx) {
        Requests.onlyParams(ctx);
        Requests.noBody(ctx, settings.maxBodyBytes());
        String orderId = orderId(ctx);
        PolicyDecisionPoint.enforce(services.nexus().policy(), PolicyRequest.builder(PolicyActions.HISTORY_DELETE)
                .principal(access.principal(ctx)).aggregate("Order", orderId).build());
        throw new ApiException(501, "not_implemented", "Order '" + orderId + "' cannot be erased: no event store deletes events; "
                + "cancel the order instead (POST /orders/" + orderId + "/cancel).");
    }

    private CommandMetadata metadata(Context ctx) {
        String key = ctx.header("Idempotency-Key");
        if (key == null) {
            return CommandMetadata.create().principal(access.principal(ctx));
        }
        try {
            return CommandMetadata.withCommandId(UUID.fromString(key.strip())).principal(access.principal(ctx));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("Header Idempotency-Key must be a UUID but was " + Requests.quote(key)
                    + "; send the same UUID again to re-send a command safely.");
        }
    }

    // ---- reads ---------------------------------------------------------------------------------

    private void order(Context ctx) {
        Requests.onlyParams(ctx, "waitForVersion", "version", "asOf");
        String orderId = orderId(ctx);
        String version = ctx.queryParam("version");
        String asOf = ctx.queryParam("asOf");
        if (version != null || asOf != null) {
            if (version != null && asOf != null) {
                throw ApiException.invalid("Give either 'version' or 'asOf', not both.");
            }
            if (ctx.queryParam("waitForVersion") != null) {
                throw ApiException.invalid("'waitForVersion' applies to the current order only, not with 'version' or 'asOf'.");
            }
            temporal(ctx, orderId, version, asOf);
            return;
        }
        int wanted = Requests.intParam(ctx, "waitForVersion", 1, Integer.MAX_VALUE, 0);
        if (wanted == 0) {
            Routes.json(ctx, 200, summary(orderId));
            return;
        }
        OrderSummary now = services.summaries().find(orderId).orElse(null);
        if (now != null && now.version() >= wanted) {
            // Already there (the hub only knows versions applied since this process started).
            Routes.json(ctx, 200, now);
            return;
        }
        CompletableFuture<?> waited = hub.awaitVersion(orderId, wanted, settings.readYourWritesWait());
        ctx.future(() -> waited.handle((visible, failure) -> {
            if (failure != null) {
                Routes.answer(ctx, Errors.of(504, "read_model_behind", "Order '" + orderId + "' version " + wanted
                        + " is not in the read model after " + settings.readYourWritesWait().toSeconds()
                        + " s; it may not exist yet, retry later."));
            } else {
                try {
                    Routes.json(ctx, 200, summary(orderId));
                } catch (ApiException e) {
                    Routes.answer(ctx, Errors.of(e));
                } catch (io.nexus.core.NexusException e) {
                    Errors.Answer answer = Errors.of(e);
                    Routes.answer(ctx, answer != null ? answer : Errors.of(500, "internal", "The read failed."));
                }
            }
            return null;
        }));
    }

    private OrderSummary summary(String orderId) {
        return services.summaries().find(orderId).orElseThrow(() -> ApiException.notFound(
                "Order '" + orderId + "' does not exist; check the id or place the order first."));
    }

    private void list(Context ctx) {
        Requests.onlyParams(ctx, "customerId", "status", "page", "size");
        String customerId = ctx.queryParam("customerId");
        if (customerId != null) {
            Requests.boundedId("customerId", customerId);
        }
        OrderStatus status = null;
        String rawStatus = ctx.queryParam("status");
        if (rawStatus != null) {
            try {
                status = OrderStatus.valueOf(rawStatus.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("Query parameter status must be one of " + Arrays.toString(OrderStatus.values())
                        + " but was " + Requests.quote(rawStatus) + ".");
            }
        }
        int page = Requests.intParam(ctx, "page", 0, 1_000_000, 0);
        int size = Requests.intParam(ctx, "size", 1, 100, 50);
        List<OrderSummary> rows = services.summaries().list(customerId, status);
        int from = (int) Math.min((long) page * size, rows.size());
        ObjectNode json = Requests.MAPPER.createObjectNode();
        json.put("count", rows.size());
        json.put("page", page);
        json.put("size", size);
        json.set("orders", Requests.MAPPER.valueToTree(rows.subList(from, Math.min(from + size, rows.size()))));
        Routes.json(ctx, 200, json);
    }

    private void search(Context ctx) {
        Requests.onlyParams(ctx, "q", "limit");
        OrderTextSearch search = services.search().orElseThrow(() -> new ApiException(501, "not_implemented",
                "Full-text search is not configured on this profile; run with --profile local or aws for the OpenSearch "
                        + "projection."));
        String q = ctx.queryParam("q");
        if (q == null || q.isBlank() || q.length() > 200) {
            throw ApiException.invalid("Query parameter 'q' must hold 1..200 characters of words to search for.");
        }
        if (q.chars().noneMatch(Character::isLetterOrDigit)) {
            throw ApiException.invalid("Query parameter 'q' must hold at least one word (letters or digits).");
        }
        int limit = Requests.intParam(ctx, "limit", 1, 100, 20);
        OrderTextSearch.Hits hits = search.search(q, limit);
        ObjectNode json = Requests.MAPPER.createObjectNode();
        json.put("engine", search.engine());
        json.put("total", hits.total());
        json.set("orders", Requests.MAPPER.valueToTree(hits.hits()));
        Routes.json(ctx, 200, json);
    }

    // ---- the past ------------------------------------------------------------------------------

    private void temporal(Context ctx, String orderId, String version, String asOf) {
        QueryContext who = access.queryContext(ctx);
        TemporalResult<Order> result;
        if (version != null) {
            long v;
            try {
                v = Long.parseLong(version);
            } catch (NumberFormatException e) {
                throw ApiException.invalid("Query parameter 'version' must be a whole number >= 1 but was "
                        + Requests.quote(version) + ".");
            }
            if (v < 1) {
                throw ApiException.invalid("Query parameter 'version' must be >= 1 but was " + v + ".");
            }
            result = services.temporal().atVersion(who, services.nexus().repository(Order.class), orderId, v);
        } else {
            Instant instant;
            try {
                instant = Instant.parse(asOf);
            } catch (DateTimeParseException e) {
                throw ApiException.invalid("Query parameter 'asOf' must be an ISO-8601 instant such as "
                        + "2026-11-30T10:15:30Z but was " + Requests.quote(asOf) + ".");
            }
            result = services.temporal().asOf(who, services.nexus().repository(Order.class), orderId, instant);
        }
        Order order = result.aggregate();
        ObjectNode json = Requests.MAPPER.createObjectNode();
        json.put("orderId", orderId);
        json.put("target", result.target());
        json.put("version", order.version());
        json.set("state", Requests.MAPPER.valueToTree(order.state()));
        json.put("totalCents", order.state().totalCents());
        Routes.json(ctx, 200, json);
    }

    private void history(Context ctx) {
        Requests.onlyParams(ctx, "fromVersion");
        String orderId = orderId(ctx);
        PolicyDecisionPoint.enforce(history, PolicyRequest.builder(PolicyActions.TEMPORAL_READ).principal(access.principal(ctx))
                .aggregate("Order", orderId).attribute("target", "history").build());
        int from = Requests.intParam(ctx, "fromVersion", 1, Integer.MAX_VALUE, 1);
        List<EventEnvelope> events = services.nexus().eventStore().read(StreamQuery.stream(orderId).fromVersion(from)
                .limit(HISTORY_PAGE + 1));
        if (events.isEmpty() && from == 1) {
            throw ApiException.notFound("Order '" + orderId + "' does not exist; check the id or place the order first.");
        }
        ObjectNode json = Requests.MAPPER.createObjectNode();
        json.put("orderId", orderId);
        ArrayNode list = json.putArray("events");
        for (EventEnvelope e : events.subList(0, Math.min(HISTORY_PAGE, events.size()))) {
            ObjectNode item = list.addObject();
            item.put("version", e.version());
            item.put("type", e.eventType());
            item.put("timestamp", e.timestamp().toString());
            try {
                item.set("data", Requests.MAPPER.readTree(e.payload().unsafeBytes()));
            } catch (java.io.IOException ex) {
                item.put("data", "(not JSON: " + e.payload().size() + " bytes)");
            }
        }
        if (events.size() > HISTORY_PAGE) {
            json.put("next", "/orders/" + orderId + "/history?fromVersion=" + events.get(HISTORY_PAGE).version());
        }
        Routes.json(ctx, 200, json);
    }

    static String orderId(Context ctx) {
        return Requests.boundedId("order id", ctx.pathParam("id"));
    }

}
