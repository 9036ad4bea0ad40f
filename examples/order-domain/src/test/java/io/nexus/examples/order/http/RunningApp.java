package io.nexus.examples.order.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexus.core.Nexus;
import io.nexus.examples.order.OrderApp;
import io.nexus.core.bus.BusConsumer;
import io.nexus.examples.order.billing.Billing;
import io.nexus.examples.order.engines.AppEngines;
import io.nexus.examples.order.engines.EmbeddedEngines;
import io.nexus.examples.order.fulfilment.FulfilmentSimulator;
import io.nexus.testkit.Await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;


/** The whole assembled app (fulfilment, simulator, metrics) on a free port, and a small HTTP client for it. */
final class RunningApp implements AutoCloseable {

    static final String TOKEN = "test-operator-token-0123456789";
    static final ObjectMapper MAPPER = new ObjectMapper();

    final OrderApp.Running app;
    final FulfilmentSimulator simulator;
    final PrometheusMeterRegistry metrics;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private RunningApp(OrderApp.Running app, FulfilmentSimulator simulator, PrometheusMeterRegistry metrics) {
        this.app = app;
        this.simulator = simulator;
        this.metrics = metrics;
    }

    static RunningApp embedded(HttpSettings settings, Duration reservationTimeout) {
        return on(new EmbeddedEngines(), settings, reservationTimeout);
    }

    static RunningApp embedded() {
        return embedded(HttpSettings.defaults(0, TOKEN), Duration.ofMinutes(30));
    }

    static RunningApp on(AppEngines engines, HttpSettings settings, Duration reservationTimeout) {
        return on(engines, settings, reservationTimeout, new Billing(), ObservationRegistry.NOOP);
    }

    /** The app on {@code engines} with {@code billing} consuming the bus as the billing group. */
    static RunningApp on(AppEngines engines, HttpSettings settings, Duration reservationTimeout, BusConsumer billing) {
        return on(engines, settings, reservationTimeout, billing, ObservationRegistry.NOOP);
    }

    /** The app as {@link OrderApp#run(String[], ObservationRegistry)} assembles it, observed in {@code observations}. */
    static RunningApp on(AppEngines engines, HttpSettings settings, Duration reservationTimeout, ObservationRegistry observations) {
        return on(engines, settings, reservationTimeout, new Billing(), observations);
    }

    /** The app on {@code engines} with {@code billing} as the billing group, observed in {@code observations}. */
    static RunningApp on(AppEngines engines, HttpSettings settings, Duration reservationTimeout, BusConsumer billing,
                         ObservationRegistry observations) {
        FulfilmentSimulator simulator = new FulfilmentSimulator();
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Nexus nexus = OrderApp.build(engines, metrics, observations, simulator, reservationTimeout, billing);
        return new RunningApp(OrderApp.start(nexus, settings, engines, Optional.of(simulator), Optional.of(metrics)),
                simulator, metrics);
    }

    URI base() {
        return app.baseUri();
    }

    record Reply(int status, JsonNode json, HttpResponse<String> raw) {
        String error() {
            return json.path("error").asText();
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    Reply call(String method, String path, String body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base().resolve(path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        boolean typed = false;
        for (int i = 0; i < headers.length; i += 2) {
            typed |= headers[i].equalsIgnoreCase("Content-Type");
        }
        if (body != null && !typed) {
            request.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = response.body().isEmpty() || !response.headers().firstValue("Content-Type").orElse("").contains("json")
                ? MAPPER.createObjectNode() : MAPPER.readTree(response.body());
        return new Reply(response.statusCode(), json, response);
    }

    Reply operator(String method, String path) throws IOException, InterruptedException {
        return call(method, path, null, "Authorization", "Bearer " + TOKEN);
    }

    /** Places an order with {@code lines} (sku, quantity, unit price) and confirms it. */
    void confirmedOrder(String orderId, Object... lines) throws IOException, InterruptedException {
        expect(201, call("POST", "/orders", "{\"customerId\":\"customer-1\",\"orderId\":\"" + orderId + "\"}"));
        for (int i = 0; i < lines.length; i += 3) {
            expect(200, call("POST", "/orders/" + orderId + "/lines", "{\"sku\":\"" + lines[i] + "\",\"quantity\":" + lines[i + 1]
                    + ",\"unitPriceCents\":" + lines[i + 2] + "}"));
        }
        expect(200, call("POST", "/orders/" + orderId + "/confirm", null));
    }

    static Reply expect(int status, Reply reply) {
        if (reply.status() != status) {
            throw new AssertionError("expected " + status + " but was " + reply.status() + ": " + reply.raw().body());
        }
        return reply;
    }

    /** Waits (bounded) until {@code condition} holds. */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        Await.until(what, timeout, condition::getAsBoolean);
    }

    /** Polls {@code path} until its JSON field {@code field} equals {@code value}; returns the last answer. */
    Reply awaitField(String path, String field, String value, Duration timeout) {
        Reply[] reply = new Reply[1];
        try {
            Await.until("'" + field + "' of " + path + " becomes " + value, timeout, () -> {
                reply[0] = call("GET", path, null);
                return value.equals(reply[0].json().path(field).asText());
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last answer: " + (reply[0] == null ? "none" : reply[0].raw().body()), e);
        }
        return reply[0];
    }

    static Map<String, String> bearer() {
        return Map.of("Authorization", "Bearer " + TOKEN);
    }

    @Override
    public void close() {
        app.close();
    }
}
