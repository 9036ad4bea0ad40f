package io.nexus.examples.order.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.RequestReplyReceiverContext;

import java.util.Locale;

/**
 * Every HTTP request the API serves is an observation ({@value #NAME}, a server-side receiver): it continues the
 * trace of an incoming W3C {@code traceparent} header (the tracer's propagator reads the request's headers), and
 * the commands a route sends are its children, so one trace runs from the caller through everything the request
 * caused. The span is named after the matched route ({@code http post /orders/{id}/confirm}); its low-cardinality
 * keys are {@value #METHOD}, {@value #URI} (the route template, {@code UNKNOWN} when no route matched),
 * {@value #STATUS} and {@value #OUTCOME}; the path as sent is the high-cardinality {@value #URL}.
 *
 * <p>It starts before any handler runs, is current while the route's handler runs on the request thread, and stops
 * once the answer is complete (after an asynchronous answer too), with the final status. Nothing is observed when
 * the registry is the no-op one. Thread-safe (state lives in the request's attributes).
 */
final class HttpObservation {

    /** The observation's name, Micrometer's for HTTP servers. */
    static final String NAME = "http.server.requests";
    static final String METHOD = "method";
    static final String URI = "uri";
    static final String STATUS = "status";
    static final String OUTCOME = "outcome";
    static final String URL = "http.url";

    private static final String ATTRIBUTE = "order-api.observation";

    private final ObservationRegistry registry;

    HttpObservation(ObservationRegistry registry) {
        this.registry = registry;
    }

    /** Starts the request's observation (a before-handler of every request). */
    void start(Context ctx) {
        if (registry.isNoop()) {
            return;
        }
        RequestReplyReceiverContext<Context, Context> context = new RequestReplyReceiverContext<>(Context::header, Kind.SERVER);
        context.setCarrier(ctx);
        String method = ctx.method().name();
        Observation observation = Observation.createNotStarted(NAME, () -> context, registry)
                .contextualName("http " + method.toLowerCase(Locale.ROOT))
                .lowCardinalityKeyValue(METHOD, method)
                .lowCardinalityKeyValue(URI, "UNKNOWN")
                .highCardinalityKeyValue(URL, ctx.path())
                .start();
        ctx.attribute(ATTRIBUTE, observation);
    }

    /** {@code handler} of route {@code path}, run with the request's observation current and named after the route. */
    static Handler routed(String path, Handler handler) {
        return ctx -> {
            Observation observation = ctx.attribute(ATTRIBUTE);
            if (observation == null) {
                handler.handle(ctx);
                return;
            }
            observation.contextualName("http " + ctx.method().name().toLowerCase(Locale.ROOT) + " " + path)
                    .lowCardinalityKeyValue(URI, path);
            try (Observation.Scope ignored = observation.openScope()) {
                handler.handle(ctx);
            }
        };
    }

    /** Records {@code failure}, which the server answers with a 500, on the request's observation. */
    static void failed(Context ctx, Throwable failure) {
        Observation observation = ctx.attribute(ATTRIBUTE);
        if (observation != null) {
            observation.error(failure);
        }
    }

    /** Stops the request's observation with the final status (the request logger, called once the answer is complete). */
    static void stop(Context ctx) {
        Observation observation = ctx.attribute(ATTRIBUTE);
        if (observation == null) {
            return;
        }
        ctx.attribute(ATTRIBUTE, null);
        int status = ctx.status().getCode();
        if (observation.getContext() instanceof RequestReplyReceiverContext<?, ?> context) {
            @SuppressWarnings("unchecked")
            RequestReplyReceiverContext<Context, Context> http = (RequestReplyReceiverContext<Context, Context>) context;
            http.setResponse(ctx);
        }
        observation.lowCardinalityKeyValue(STATUS, Integer.toString(status))
                .lowCardinalityKeyValue(OUTCOME, outcome(status))
                .stop();
    }

    private static String outcome(int status) {
        if (status < 200) {
            return "INFORMATIONAL";
        }
        if (status < 300) {
            return "SUCCESS";
        }
        if (status < 400) {
            return "REDIRECTION";
        }
        return status < 500 ? "CLIENT_ERROR" : "SERVER_ERROR";
    }
}
