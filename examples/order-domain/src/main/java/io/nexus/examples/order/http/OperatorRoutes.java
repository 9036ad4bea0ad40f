package io.nexus.examples.order.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.deadletter.DeadLetterNotFoundException;
import io.nexus.core.deadletter.DeadLetterOperations;
import io.nexus.core.deadletter.DeadLetterOwner;
import io.nexus.core.projection.Projection;
import io.nexus.core.projection.ProjectionHealth;
import io.nexus.core.projection.ProjectionProcessor;
import io.nexus.core.projection.RebuildProgress;
import io.nexus.core.projection.ShadowRebuild;
import io.nexus.core.temporal.AuditRecord;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * For operators, behind the operator token: projections (health, lag, rebuild with progress), every dead letter
 * of the app (projections' and the event bus's consumer groups', through {@code nexus.deadLetterOperations()}:
 * list, parked events, retry, discard) and the audit log. Retries, discards and rebuilds are asked of the app's
 * policy on behalf of the operator and audited. Health and metrics are open.
 */
final class OperatorRoutes {

    private final ApiServices services;
    private final Access access;
    private final Map<String, ShadowRebuild> rebuilds = new ConcurrentHashMap<>();

    OperatorRoutes(ApiServices services, Access access) {
        this.services = services;
        this.access = access;
    }

    void register(Routes routes) {
        routes.get("/operator/projections", operator(ctx -> {
                    ObjectNode json = Requests.MAPPER.createObjectNode();
                    ArrayNode list = json.putArray("projections");
                    for (String name : services.rebuilds().keySet().stream().sorted().toList()) {
                        list.add(projection(name));
                    }
                    Routes.json(ctx, 200, json);
                }))
                .get("/operator/projections/{name}", operator(ctx -> Routes.json(ctx, 200, projection(name(ctx)))))
                .post("/operator/projections/{name}/rebuild", operator(this::rebuild))
                .get("/operator/projections/{name}/dead-letters", operator(ctx -> {
                    ObjectNode json = Requests.MAPPER.createObjectNode();
                    ArrayNode list = json.putArray("deadLetters");
                    processor(name(ctx)).deadLetters().forEach(letter -> list.add(deadLetter(letter)));
                    Routes.json(ctx, 200, json);
                }))
                .post("/operator/projections/{name}/dead-letters/{letter}/retry", operator(ctx -> {
                    boolean handled = processor(name(ctx)).retryDeadLetter(letterId(ctx), access.principal(ctx));
                    ObjectNode json = Requests.MAPPER.createObjectNode();
                    json.put("handled", handled);
                    Routes.json(ctx, 200, json);
                }))
                .delete("/operator/projections/{name}/dead-letters/{letter}", operator(ctx -> {
                    processor(name(ctx)).discardDeadLetter(letterId(ctx), access.principal(ctx));
                    ctx.status(204);
                }))
                // Every consumer's dead letters in one place: projections and the event bus's consumer groups.
                .get("/operator/dead-letters", operator(ctx -> {
                    ObjectNode json = Requests.MAPPER.createObjectNode();
                    ArrayNode owners = json.putArray("consumers");
                    services.nexus().deadLetterOperations().list().forEach((owner, letters) -> {
                        ObjectNode o = owners.addObject().put("kind", owner.kind().name()).put("name", owner.name())
                                .put("consumer", owner.consumer());
                        ArrayNode list = o.putArray("deadLetters");
                        letters.forEach(letter -> list.add(deadLetter(letter)));
                    });
                    Routes.json(ctx, 200, json);
                }))
                .get("/operator/dead-letters/{letter}", operator(ctx -> {
                    DeadLetterOperations operations = services.nexus().deadLetterOperations();
                    UUID id = letterId(ctx);
                    DeadLetter letter = operations.find(id).orElseThrow(() -> new DeadLetterNotFoundException(id));
                    DeadLetterOwner owner = operations.ownerOf(id);
                    ObjectNode json = deadLetter(letter);
                    json.put("kind", owner.kind().name()).put("owner", owner.name()).put("consumer", owner.consumer());
                    ArrayNode parked = json.putArray("parked");
                    operations.parked(id).forEach(e -> parked.addObject().put("aggregateId", e.streamId())
                            .put("version", e.version()).put("eventType", e.eventType()));
                    Routes.json(ctx, 200, json);
                }))
                .post("/operator/dead-letters/{letter}/retry", operator(ctx -> {
                    boolean handled = services.nexus().deadLetterOperations().retry(letterId(ctx), access.principal(ctx));
                    ObjectNode json = Requests.MAPPER.createObjectNode();
                    json.put("handled", handled);
                    Routes.json(ctx, 200, json);
                }))
                .delete("/operator/dead-letters/{letter}", operator(ctx -> {
                    services.nexus().deadLetterOperations().discard(letterId(ctx), access.principal(ctx));
                    ctx.status(204);
                }))
                .get("/operator/audit", operator(ctx -> {
                    int limit = Requests.intParam(ctx, "limit", 1, 1000, 100);
                    ObjectNode json = Requests.MAPPER.createObjectNode();
                    ArrayNode list = json.putArray("records");
                    for (AuditRecord r : services.nexus().auditLog().recent(limit)) {
                        list.addObject().put("at", r.at().toString()).put("clientId", r.clientId())
                                .put("aggregateType", r.aggregateType()).put("aggregateId", r.aggregateId())
                                .put("target", r.target()).put("outcome", r.outcome().name())
                                .put("detail", Errors.cap(r.detail())).put("durationMillis", r.duration().toMillis())
                                .put("action", r.action()).put("rule", r.rule())
                                .set("principal", Requests.MAPPER.valueToTree(r.principal()));
                    }
                    Routes.json(ctx, 200, json);
                }))
                .get("/health/live", ctx -> Routes.json(ctx, 200, Map.of("status", "UP")))
                .get("/health/ready", this::ready)
                .get("/metrics", ctx -> {
                    var registry = services.prometheus().orElseThrow(() -> new ApiException(501, "not_implemented",
                            "No Prometheus registry is configured in this app."));
                    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape());
                });
    }

    private io.javalin.http.Handler operator(io.javalin.http.Handler handler) {
        return ctx -> {
            access.requireOperator(ctx);
            handler.handle(ctx);
        };
    }

    private ObjectNode projection(String name) {
        ProjectionHealth health = processor(name).health();
        ObjectNode json = Requests.MAPPER.createObjectNode();
        json.put("name", name);
        json.put("status", health.status().name());
        json.put("position", health.position());
        json.put("headPosition", health.headPosition());
        json.put("lagEvents", health.lagEvents());
        json.put("lagMillis", health.lagTime().toMillis());
        json.put("retrying", health.retrying());
        json.put("deadLetters", health.deadLetters());
        json.put("lastProgressAt", health.lastProgressAt() == null ? null : health.lastProgressAt().toString());
        json.put("lastError", health.lastError() == null ? null : Errors.cap(health.lastError()));
        ShadowRebuild rebuild = rebuilds.get(name);
        if (rebuild != null) {
            ObjectNode r = json.putObject("rebuild");
            boolean running = rebuild.inProgress();
            r.put("inProgress", running);
            if (running) {
                RebuildProgress p = rebuild.progress();
                r.put("done", p.done()).put("total", p.total()).put("fraction", p.fraction())
                        .put("eventsPerSecond", p.eventsPerSecond()).put("caughtUp", p.caughtUp());
            } else {
                r.put("switchedOver", true);
            }
        }
        return json;
    }

    private void rebuild(Context ctx) {
        String name = name(ctx);
        ProjectionProcessor processor = processor(name);
        ShadowRebuild current = rebuilds.get(name);
        if (current != null && current.inProgress()) {
            throw new ApiException(409, "rebuild_in_progress", "Projection '" + name + "' is already being rebuilt; "
                    + "follow its progress at GET /operator/projections/" + name + ".");
        }
        Supplier<Projection> fresh = services.rebuilds().get(name);
        ShadowRebuild rebuild = processor.rebuild(fresh.get(), 0, access.principal(ctx));
        rebuild.switchWhenCaughtUp();
        rebuilds.put(name, rebuild);
        ctx.header("Location", "/operator/projections/" + name);
        Routes.json(ctx, 202, projection(name));
    }

    private void ready(Context ctx) {
        ObjectNode json = Requests.MAPPER.createObjectNode();
        boolean ready = services.nexus().isRunning();
        ObjectNode engines = json.putObject("engines");
        for (Map.Entry<String, Callable<String>> engine : services.engines().entrySet()) {
            ObjectNode e = engines.putObject(engine.getKey());
            try {
                e.put("status", "UP").put("detail", Errors.cap(engine.getValue().call()));
            } catch (Exception failure) {
                ready = false;
                e.put("status", "DOWN").put("detail", Errors.cap(failure.getClass().getSimpleName() + ": " + failure.getMessage()));
            }
        }
        ObjectNode projections = json.putObject("projections");
        for (String name : services.rebuilds().keySet()) {
            ProjectionHealth health = processor(name).health();
            // Dead letters need an operator but do not make the app unready; a stopped or stalled projection does.
            boolean serving = health.status() != ProjectionHealth.Status.STOPPED && health.status() != ProjectionHealth.Status.STALLED;
            ready &= serving;
            projections.putObject(name).put("status", health.status().name()).put("lagEvents", health.lagEvents());
        }
        json.put("status", ready ? "UP" : "DOWN");
        Routes.json(ctx, ready ? 200 : 503, json);
    }

    private ProjectionProcessor processor(String name) {
        if (!services.rebuilds().containsKey(name)) {
            throw ApiException.notFound("No projection " + Requests.quote(name) + "; the projections are "
                    + services.rebuilds().keySet().stream().sorted().toList() + ".");
        }
        return services.nexus().projection(name);
    }

    private static String name(Context ctx) {
        return ctx.pathParam("name");
    }

    private static UUID letterId(Context ctx) {
        String raw = ctx.pathParam("letter");
        try {
            return UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("A dead letter id is a UUID but was " + Requests.quote(raw) + ".");
        }
    }

    private static ObjectNode deadLetter(DeadLetter letter) {
        ObjectNode json = Requests.MAPPER.createObjectNode();
        json.put("id", letter.id().toString());
        json.put("aggregateId", letter.event().streamId());
        json.put("version", letter.event().version());
        json.put("eventType", letter.event().eventType());
        json.put("cause", Errors.cap(letter.causeType() + ": " + letter.causeMessage()));
        json.put("attempts", letter.attempts());
        return json;
    }
}
