package io.nexus.examples.order.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The API's route table: handlers by path and method, installed on Javalin with a 405 (and the
 * {@code Allow} header) for every other method of a known path, and JSON answers.
 */
final class Routes {

    private static final List<HandlerType> METHODS = List.of(HandlerType.GET, HandlerType.POST, HandlerType.PUT,
            HandlerType.DELETE, HandlerType.PATCH);

    /** The request attribute set once an answer was written, so the 404 page leaves API answers alone. */
    static final String ANSWERED = "order-api.answered";

    private final Map<String, Map<HandlerType, Handler>> table = new LinkedHashMap<>();

    Routes get(String path, Handler handler) {
        return on(HandlerType.GET, path, handler);
    }

    Routes post(String path, Handler handler) {
        return on(HandlerType.POST, path, handler);
    }

    Routes put(String path, Handler handler) {
        return on(HandlerType.PUT, path, handler);
    }

    Routes delete(String path, Handler handler) {
        return on(HandlerType.DELETE, path, handler);
    }

    private Routes on(HandlerType method, String path, Handler handler) {
        if (table.computeIfAbsent(path, p -> new LinkedHashMap<>()).put(method, handler) != null) {
            throw new IllegalStateException("route " + method + " " + path + " is registered twice");
        }
        return this;
    }

    void install(RoutesConfig routes) {
        table.forEach((path, handlers) -> {
            List<String> allowed = new ArrayList<>();
            handlers.keySet().forEach(m -> allowed.add(m.name()));
            allowed.sort(null);
            String allow = String.join(", ", allowed);
            for (HandlerType method : METHODS) {
                Handler handler = handlers.get(method);
                routes.addHttpHandler(method, path, HttpObservation.routed(path, handler != null ? handler : ctx -> {
                    throw new ApiException(405, "method_not_allowed", "Method " + ctx.method().name()
                            + " is not allowed here; expected " + allow + ".", Map.of("Allow", allow));
                }));
            }
        });
    }

    /** Answers {@code body} as JSON with {@code status}. */
    static void json(Context ctx, int status, Object body) {
        try {
            ctx.attribute(ANSWERED, Boolean.TRUE);
            ctx.status(status).contentType("application/json; charset=utf-8").result(Requests.MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the answer as JSON: " + e.getOriginalMessage(), e);
        }
    }

    static void answer(Context ctx, Errors.Answer answer) {
        answer.headers().forEach(ctx::header);
        json(ctx, answer.status(), answer.body());
    }
}
