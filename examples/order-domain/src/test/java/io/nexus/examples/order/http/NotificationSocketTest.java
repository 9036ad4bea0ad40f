package io.nexus.examples.order.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.nexus.examples.order.http.RunningApp.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Notifications over a real WebSocket: per order, for the list, resumed after a reconnect. */
class NotificationSocketTest {

    /** A WebSocket client that queues the JSON messages it receives. */
    static final class Client implements WebSocket.Listener, AutoCloseable {
        final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        final WebSocket socket;

        Client(RunningApp app, String clientId) throws Exception {
            URI uri = URI.create("ws://localhost:" + app.app.port() + "/ws/notifications?clientId=" + clientId);
            socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, this).get(10, TimeUnit.SECONDS);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    messages.add(RunningApp.MAPPER.readTree(partial.toString()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        void send(String json) throws Exception {
            socket.sendText(json, true).get(10, TimeUnit.SECONDS);
        }

        /** The next message of {@code type}, skipping others; fails after 20 s. */
        JsonNode next(String type) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode message = messages.poll(100, TimeUnit.MILLISECONDS);
                if (message != null && message.path("type").asText().equals(type)) {
                    return message;
                }
            }
            throw new AssertionError("no '" + type + "' message within 20 s");
        }

        /** The next notification about {@code aggregateId} at {@code version} or later. */
        JsonNode notification(String aggregateId, long version) throws InterruptedException {
            while (true) {
                JsonNode n = next("notification");
                if (n.path("aggregateId").asText().equals(aggregateId) && n.path("version").asLong() >= version) {
                    return n;
                }
            }
        }

        /**
         * For each aggregate id of {@code minimumVersions}, the first notification at that version or later, in whatever
         * order they arrive; fails after 20 s without a notification.
         */
        Map<String, JsonNode> notifications(Map<String, Long> minimumVersions) throws InterruptedException {
            Map<String, JsonNode> found = new java.util.HashMap<>();
            while (found.size() < minimumVersions.size()) {
                JsonNode n = next("notification");
                String id = n.path("aggregateId").asText();
                Long wanted = minimumVersions.get(id);
                if (wanted != null && n.path("version").asLong() >= wanted) {
                    found.putIfAbsent(id, n);
                }
            }
            return found;
        }

        @Override
        public void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
    }

    @Test
    void aSubscriberToAnOrderGetsEachVersionWithItsEventType() throws Exception {
        try (RunningApp app = RunningApp.embedded()) {
            expect(201, app.call("POST", "/orders", "{\"customerId\":\"c-1\",\"orderId\":\"o-1\"}"));
            try (Client client = new Client(app, "tab-1")) {
                client.send("{\"type\":\"subscribe\",\"orderId\":\"o-1\",\"lastVersion\":1}");
                assertEquals("o-1", client.next("subscribed").path("orderId").asText());
                expect(200, app.call("POST", "/orders/o-1/lines", "{\"sku\":\"apple\",\"quantity\":1,\"unitPriceCents\":10}"));
                JsonNode added = client.notification("o-1", 2);
                assertEquals(2, added.path("version").asLong());
                assertEquals("LineAdded", added.path("eventType").asText());
                assertEquals("order-summaries", added.path("projection").asText());
                client.send("{\"type\":\"subscribe\"}");
                assertTrue(client.next("error").path("message").asText().contains("orderId"));
            }
        }
    }

    @Test
    void aReconnectingClientResumesFromTheLastVersionItSaw() throws Exception {
        try (RunningApp app = RunningApp.embedded()) {
            expect(201, app.call("POST", "/orders", "{\"customerId\":\"c-1\",\"orderId\":\"o-1\"}"));
            long seen;
            try (Client client = new Client(app, "tab-1")) {
                client.send("{\"type\":\"subscribe\",\"orderId\":\"o-1\",\"lastVersion\":0}");
                seen = client.notification("o-1", 1).path("version").asLong();
            }
            RunningApp.await("the socket is closed on the server", Duration.ofSeconds(20), () -> app.app.webSocketConnections() == 0);
            // While disconnected, the order moves on twice.
            expect(200, app.call("POST", "/orders/o-1/lines", "{\"sku\":\"apple\",\"quantity\":1,\"unitPriceCents\":10}"));
            expect(200, app.call("POST", "/orders/o-1/confirm", null));
            try (Client again = new Client(app, "tab-1")) {
                again.send("{\"type\":\"subscribe\",\"orderId\":\"o-1\",\"lastVersion\":" + seen + "}");
                JsonNode resumed = again.notification("o-1", 3);
                assertEquals(3, resumed.path("version").asLong(), "the latest version at once, without a new event");
                assertEquals("OrderConfirmed", resumed.path("eventType").asText());
            }
        }
    }

    @Test
    void aListSubscriberSeesEveryOrderAndItsFulfilment() throws Exception {
        try (RunningApp app = RunningApp.embedded()) {
            try (Client client = new Client(app, "list-1")) {
                client.send("{\"type\":\"subscribe\",\"list\":true}");
                assertTrue(client.next("subscribed").path("list").asBoolean());
                app.confirmedOrder("o-1", "apple", 1, 10);
                expect(201, app.call("POST", "/orders", "{\"customerId\":\"c-2\",\"orderId\":\"o-2\"}"));
                // The saga may request the payment before o-2 is placed: the three arrive in any order.
                Map<String, JsonNode> seen = client.notifications(Map.of("o-1", 3L, "o-2", 1L, "payment-o-1", 1L));
                assertNotNull(seen.get("o-1"));
                assertNotNull(seen.get("o-2"));
                JsonNode requested = seen.get("payment-o-1");
                assertEquals("PaymentRequested", requested.path("eventType").asText());
                assertEquals("fulfilment-progress", requested.path("projection").asText());
            }
        }
    }
}
