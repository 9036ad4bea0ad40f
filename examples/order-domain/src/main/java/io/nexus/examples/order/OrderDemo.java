package io.nexus.examples.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A short scripted session against a running Order HTTP API, printed request by request so a user
 * sees commands flow: place an order, add lines, remove one, confirm, try a change the order refuses,
 * then read the summary and the list.
 */
public final class OrderDemo {

    /**
     * One request and its answer.
     *
     * @param method       the HTTP method
     * @param path         the path requested
     * @param requestBody  the JSON sent, or {@code null}
     * @param status       the HTTP status answered
     * @param responseBody the JSON answered
     */
    public record Exchange(String method, String path, String requestBody, int status, String responseBody) {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final URI base;
    private final PrintStream out;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Exchange> exchanges = new ArrayList<>();

    private OrderDemo(URI base, PrintStream out) {
        this.base = base;
        this.out = out;
    }

    /**
     * Runs the script against the API at {@code base}, printing each exchange to {@code out}.
     *
     * @return the exchanges, in order
     * @throws IOException          if the API cannot be reached
     * @throws IllegalStateException if the API answers a step with an unexpected status
     */
    public static List<Exchange> run(URI base, PrintStream out) throws IOException, InterruptedException {
        OrderDemo demo = new OrderDemo(Objects.requireNonNull(base, "base"), Objects.requireNonNull(out, "out"));
        demo.script();
        return List.copyOf(demo.exchanges);
    }

    private void script() throws IOException, InterruptedException {
        out.println("--- Demo: an order's life through the HTTP API ---");
        Exchange placed = call("POST", "/orders", "{\"customerId\":\"customer-42\"}", 201);
        String orderId = MAPPER.readTree(placed.responseBody()).path("orderId").asText();
        String order = "/orders/" + orderId;
        call("POST", order + "/lines", "{\"sku\":\"espresso-beans\",\"quantity\":2,\"unitPriceCents\":1450}", 200);
        call("POST", order + "/lines", "{\"sku\":\"milk-frother\",\"quantity\":1,\"unitPriceCents\":3999}", 200);
        call("POST", order + "/lines", "{\"sku\":\"paper-filters\",\"quantity\":3,\"unitPriceCents\":299}", 200);
        call("DELETE", order + "/lines/paper-filters", null, 200);
        call("POST", order + "/confirm", null, 200);
        out.println("# A confirmed order's lines are final, so the next command is refused:");
        call("POST", order + "/lines", "{\"sku\":\"descaler\",\"quantity\":1,\"unitPriceCents\":899}", 409);
        call("GET", order, null, 200);
        call("GET", "/orders", null, 200);
        if (fulfilmentAssembled()) {
            out.println("# The fulfilment saga reserved the stock and asked the (simulated) payment provider to charge:");
            awaitPaymentRequest(order);
            call("POST", order + "/payment", "{\"outcome\":\"charged\"}", 200);
            awaitCompleted(order);
            call("GET", order + "/fulfilment", null, 200);
        }
        out.println("--- Demo done ---");
    }

    /** Whether the app runs fulfilment (its simulator answers), without printing the probe. */
    private boolean fulfilmentAssembled() throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(base.resolve("/simulator")).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    }

    private void awaitPaymentRequest(String order) throws IOException, InterruptedException {
        awaitFulfilment(order, "payment", "REQUESTED");
    }

    private void awaitCompleted(String order) throws IOException, InterruptedException {
        awaitFulfilment(order, "state", "COMPLETED");
    }

    /** Polls the order's fulfilment (quietly, at most 30 s) until {@code field} is {@code value}. */
    private void awaitFulfilment(String order, String field, String value) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> status = client.send(HttpRequest.newBuilder(base.resolve(order + "/fulfilment"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (status.statusCode() == 200 && value.equals(MAPPER.readTree(status.body()).path(field).asText())) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("Demo: the fulfilment of " + order + " did not reach " + field + " " + value + " within 30 s");
    }

    private Exchange call(String method, String path, String body, int expectedStatus) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
        if (body != null) {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        out.println("> " + method + " " + path + (body == null ? "" : " " + body));
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        out.println("< " + response.statusCode() + " " + compact(response.body()));
        Exchange exchange = new Exchange(method, path, body, response.statusCode(), response.body());
        exchanges.add(exchange);
        if (response.statusCode() != expectedStatus) {
            throw new IllegalStateException("Demo step " + method + " " + path + " expected status " + expectedStatus
                    + " but got " + response.statusCode() + ": " + response.body());
        }
        return exchange;
    }

    private static String compact(String json) {
        try {
            JsonNode node = MAPPER.readTree(json);
            return MAPPER.writeValueAsString(node);
        } catch (IOException e) {
            return json;
        }
    }
}
