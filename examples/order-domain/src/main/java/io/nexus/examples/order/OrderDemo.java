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
        out.println("--- Demo done ---");
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
