package io.nexus.examples.order.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexus.core.Nexus;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.schema.JsonSchemaEventValidator;
import io.nexus.core.serialization.EventTypeInfo;
import io.nexus.core.store.AppendListener;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.EventStore;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.store.StreamQuery;
import io.nexus.core.store.Subscription;
import io.nexus.examples.order.OrderApp;
import io.nexus.examples.order.OrderModule;
import io.nexus.examples.order.domain.AddLine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP API against the real server on a free port, through the JDK's HTTP client. */
class OrderHttpApiTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private OrderApp.Running app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    private OrderApp.Running start(Nexus.Builder builder) throws IOException {
        app = OrderApp.start(OrderApp.readSide(builder.module(new OrderModule())).build(), 0);
        return app;
    }

    private OrderApp.Running start() throws IOException {
        return start(Nexus.builder());
    }

    private record Reply(int status, JsonNode json, HttpResponse<String> raw) {
        String error() {
            return json.path("error").asText();
        }

        String message() {
            return json.path("message").asText();
        }
    }

    private Reply call(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(app.baseUri().resolve(path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("application/json;charset=utf-8", response.headers().firstValue("Content-Type").orElse("").replace(" ", ""));
        return new Reply(response.statusCode(), MAPPER.readTree(response.body()), response);
    }

    private String place(String id) throws Exception {
        Reply placed = call("POST", "/orders", "{\"customerId\":\"customer-7\",\"orderId\":\"" + id + "\"}");
        assertEquals(201, placed.status(), placed.json().toString());
        return id;
    }

    private Reply addLine(String id, String sku, Object quantity, Object price) throws Exception {
        return call("POST", "/orders/" + id + "/lines", "{\"sku\":\"" + sku + "\",\"quantity\":" + quantity
                + ",\"unitPriceCents\":" + price + "}");
    }

    private static void assertError(Reply reply, int status, String error, String messagePart) {
        assertEquals(status, reply.status(), reply.json().toString());
        assertEquals(error, reply.error(), reply.json().toString());
        assertTrue(reply.message().contains(messagePart), reply.message());
    }

    @Test
    void anOrderGoesThroughItsLifeWithTheVersionInEveryAnswer() throws Exception {
        start();
        Reply placed = call("POST", "/orders", "{\"customerId\":\"customer-7\"}");
        assertEquals(201, placed.status());
        String id = placed.json().path("orderId").asText();
        assertTrue(id.matches("order-[0-9a-f]{8}"), id);
        assertEquals("/orders/" + id, placed.raw().headers().firstValue("Location").orElse(null));
        assertEquals(1, placed.json().path("version").asLong());
        assertEquals("[\"OrderPlaced\"]", placed.json().path("events").toString());
        assertEquals(false, placed.json().path("alreadyApplied").asBoolean(true));

        Reply added = addLine(id, "apple", 3, 250);
        assertEquals(200, added.status());
        assertEquals(2, added.json().path("version").asLong());
        assertEquals("[\"LineAdded\"]", added.json().path("events").toString());
        assertEquals(3, addLine(id, "pear", 1, 100).json().path("version").asLong());

        Reply removed = call("DELETE", "/orders/" + id + "/lines/pear", null);
        assertEquals(200, removed.status());
        assertEquals("[\"LineRemoved\"]", removed.json().path("events").toString());
        Reply confirmed = call("POST", "/orders/" + id + "/confirm", null);
        assertEquals(200, confirmed.status());
        assertEquals(5, confirmed.json().path("version").asLong());

        Reply summary = call("GET", "/orders/" + id, null);
        assertEquals(200, summary.status());
        assertEquals(id, summary.json().path("orderId").asText());
        assertEquals("customer-7", summary.json().path("customerId").asText());
        assertEquals("CONFIRMED", summary.json().path("status").asText());
        assertEquals(1, summary.json().path("lineCount").asInt());
        assertEquals(750, summary.json().path("totalCents").asLong());
        assertEquals(5, summary.json().path("version").asLong());

        Reply cancelled = call("POST", "/orders/" + id + "/cancel", null);
        assertEquals(200, cancelled.status());
        assertEquals("[\"OrderCancelled\"]", cancelled.json().path("events").toString());
        assertEquals("CANCELLED", call("GET", "/orders/" + id, null).json().path("status").asText());
    }

    @Test
    void listsSummariesByIdWithFilters() throws Exception {
        start();
        place("order-b");
        place("order-a");
        assertEquals(201, call("POST", "/orders", "{\"customerId\":\"customer-8\",\"orderId\":\"order-c\"}").status());
        addLine("order-a", "apple", 1, 100);
        call("POST", "/orders/order-a/confirm", null);

        Reply all = call("GET", "/orders", null);
        assertEquals(200, all.status());
        assertEquals(3, all.json().path("count").asInt());
        assertEquals(List.of("order-a", "order-b", "order-c"), ids(all));
        assertEquals(List.of("order-a", "order-b"), ids(call("GET", "/orders?customerId=customer-7", null)));
        assertEquals(List.of("order-a"), ids(call("GET", "/orders?customerId=customer-7&status=confirmed", null)));
        assertEquals(List.of("order-b", "order-c"), ids(call("GET", "/orders?status=OPEN", null)));
        assertError(call("GET", "/orders?status=shipped", null), 400, "invalid", "status must be one of [OPEN, CONFIRMED, CANCELLED] but was 'shipped'");
        assertError(call("GET", "/orders?sort=id", null), 400, "invalid", "Query parameter 'sort' is not supported");
    }

    @Test
    void malformedJsonIsABadRequest() throws Exception {
        start();
        assertError(call("POST", "/orders", "{\"customerId\":"), 400, "malformed_json", "not valid JSON");
        assertError(call("POST", "/orders", ""), 400, "malformed_json", "empty");
        assertError(call("POST", "/orders", "[1,2]"), 400, "malformed_json", "must be a JSON object but was array");
        place("order-1");
        assertError(call("POST", "/orders/order-1/lines", "{\"sku\":\"apple\",,}"), 400, "malformed_json", "not valid JSON");
        assertEquals(1, call("GET", "/orders/order-1", null).json().path("version").asLong());
    }

    @Test
    void invalidRequestsAreBadRequestsAndStoreNothing() throws Exception {
        start();
        assertError(call("POST", "/orders", "{}"), 400, "invalid", "Field 'customerId' is required");
        assertError(call("POST", "/orders", "{\"customerId\":7}"), 400, "invalid", "Field 'customerId' must be a string but was number");
        assertError(call("POST", "/orders", "{\"customerId\":\"c\",\"customer\":\"typo\"}"), 400, "invalid",
                "Field 'customer' is not supported; expected only customerId, orderId");
        assertError(call("POST", "/orders", "{\"customerId\":\"c\",\"orderId\":\"bad id!\"}"), 400, "invalid",
                "Order id 'bad id!' is malformed");
        assertError(call("POST", "/orders", "{\"customerId\":\"  \"}"), 400, "invalid", "needs a customer id");
        place("order-1");
        assertError(addLine("order-1", "apple", "\"3\"", 250), 400, "invalid", "Field 'quantity' must be a whole number");
        assertError(addLine("order-1", "apple", 1.5, 250), 400, "invalid", "but was '1.5'");
        assertError(addLine("order-1", "apple", 3_000_000_000L, 250), 400, "invalid", "Field 'quantity' must be a whole number in");
        assertError(call("POST", "/orders/order-1/lines", "{\"sku\":\"apple\",\"quantity\":1}"), 400, "invalid",
                "Field 'unitPriceCents' is required");
        assertError(addLine("order-1", "two words", 1, 250), 400, "invalid", "malformed product code 'two words'");
        assertEquals(1, app.nexus().eventStore().headPosition(), "only the placed order's event is stored");
    }

    @Test
    void rulesAboutValuesAre422AndRulesAboutStateAre409() throws Exception {
        start();
        place("order-1");
        Reply quantity = addLine("order-1", "apple", 0, 250);
        assertError(quantity, 422, "rejected", "Order 'order-1' cannot take a line for 'apple': quantity must be 1..10000 but was 0");
        assertEquals("QUANTITY_OUT_OF_RANGE", quantity.json().path("rule").asText());
        Reply price = addLine("order-1", "apple", 1, -5);
        assertError(price, 422, "rejected", "unit price must be 0..100000000 cents but was -5");
        assertEquals("UNIT_PRICE_OUT_OF_RANGE", price.json().path("rule").asText());

        Reply empty = call("POST", "/orders/order-1/confirm", null);
        assertError(empty, 409, "rejected", "expected at least one line but it has none");
        assertEquals("EMPTY_ORDER", empty.json().path("rule").asText());
        Reply noLine = call("DELETE", "/orders/order-1/lines/plum", null);
        assertError(noLine, 409, "rejected", "has no line for 'plum'");
        assertEquals("NO_SUCH_LINE", noLine.json().path("rule").asText());

        addLine("order-1", "apple", 1, 250);
        assertEquals(200, call("POST", "/orders/order-1/confirm", null).status());
        Reply twice = call("POST", "/orders/order-1/confirm", null);
        assertError(twice, 409, "rejected", "is already confirmed");
        assertEquals("ALREADY_CONFIRMED", twice.json().path("rule").asText());
        Reply closed = addLine("order-1", "pear", 1, 100);
        assertError(closed, 409, "rejected", "expected an open order but it is confirmed");
        assertEquals("ORDER_NOT_OPEN", closed.json().path("rule").asText());
        assertEquals(200, call("POST", "/orders/order-1/cancel", null).status());
        assertEquals("ALREADY_CANCELLED", call("POST", "/orders/order-1/cancel", null).json().path("rule").asText());
        assertEquals(4, call("GET", "/orders/order-1", null).json().path("version").asLong());
    }

    @Test
    void unknownOrdersAndRoutesAreNotFoundAndExistingOrdersConflict() throws Exception {
        start();
        assertError(call("GET", "/orders/order-9", null), 404, "not_found", "Order 'order-9' does not exist");
        assertError(addLine("order-9", "apple", 1, 100), 404, "not_found", "Order 'order-9' does not exist");
        assertError(call("POST", "/orders/order-9/confirm", null), 404, "not_found", "does not exist");
        assertError(call("DELETE", "/orders/order-9/lines/apple", null), 404, "not_found", "does not exist");
        assertError(call("GET", "/customers", null), 404, "not_found", "No endpoint at GET '/customers'");
        assertError(call("POST", "/orders/order-9/ship", null), 404, "not_found", "No endpoint at POST '/orders/order-9/ship'");
        place("order-1");
        assertError(call("POST", "/orders", "{\"customerId\":\"other\",\"orderId\":\"order-1\"}"), 409, "already_exists",
                "Order 'order-1' already exists at version 1");
    }

    @Test
    void aWrongMethodIs405WithTheAllowedOnes() throws Exception {
        start();
        Reply put = call("PUT", "/orders", "{}");
        assertError(put, 405, "method_not_allowed", "Method PUT is not allowed here; expected GET, POST");
        assertEquals("GET, POST", put.raw().headers().firstValue("Allow").orElse(null));
        assertEquals("POST", call("GET", "/orders/order-1/confirm", null).raw().headers().firstValue("Allow").orElse(null));
        Reply patch = call("PATCH", "/orders/order-1", "{}");
        assertEquals(405, patch.status());
        assertEquals("DELETE, GET", patch.raw().headers().firstValue("Allow").orElse(null), "DELETE asks the policy (append-only: 403)");
    }

    @Test
    void aTooLargeBodyIsRefused() throws Exception {
        start();
        String big = "{\"customerId\":\"" + "x".repeat(HttpSettings.DEFAULT_MAX_BODY_BYTES) + "\"}";
        assertError(call("POST", "/orders", big), 413, "payload_too_large", "larger than 65536 bytes");
        assertEquals(0, app.nexus().eventStore().headPosition());
    }

    @Test
    void percentEncodedSkusInPathsAreDecoded() throws Exception {
        start();
        place("order-1");
        addLine("order-1", "tea_green.v2", 1, 100);
        assertEquals(200, call("DELETE", "/orders/order-1/lines/tea%5Fgreen.v2", null).status());
        assertEquals(0, call("GET", "/orders/order-1", null).json().path("lineCount").asInt());
    }

    @Test
    void anEventRefusedByItsSchemaIs422WithItsViolations() throws Exception {
        String strictLineAdded = "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\","
                + "\"additionalProperties\":false,\"required\":[\"orderId\",\"sku\",\"quantity\",\"unitPriceCents\"],"
                + "\"properties\":{\"orderId\":{\"type\":\"string\"},\"sku\":{\"type\":\"string\"},"
                + "\"quantity\":{\"type\":\"integer\",\"maximum\":5},\"unitPriceCents\":{\"type\":\"integer\"}}}";
        JsonSchemaEventValidator.Builder strict = JsonSchemaEventValidator.builder().schema("LineAdded", 1, strictLineAdded);
        for (EventTypeInfo type : OrderModule.eventTypes().all()) {
            if (!type.name().equals("LineAdded")) {
                strict.classpath(type.name(), type.version(), OrderModule.schemaResource(type.name(), type.version()));
            }
        }
        app = OrderApp.start(OrderApp.readSide(Nexus.builder().module(new OrderModule(strict.build()))).build(), 0);
        place("order-1");
        Reply refused = addLine("order-1", "apple", 6, 100);
        assertError(refused, 422, "schema_violation", "Event 'LineAdded' does not match schema version 1");
        assertEquals("/quantity", refused.json().path("violations").path(0).path("pointer").asText());
        assertEquals(1, call("GET", "/orders/order-1", null).json().path("version").asLong());
    }

    @Test
    void aWriterThatGotThereFirstIsAConflict() throws Exception {
        RacingEventStore store = new RacingEventStore(InMemoryEventStore.create());
        start(Nexus.builder().eventStore(store));
        place("order-1");
        // Between this command's load and its append, another command adds a line to the same order.
        store.beforeNextAppend(() -> app.nexus().commands().send(new AddLine("order-1", "pear", 1, 100)));
        Reply conflict = addLine("order-1", "apple", 1, 250);
        assertError(conflict, 409, "conflict", "Stream 'order-1' expected version 1 but was 2; reload the aggregate and retry");
        Reply summary = call("GET", "/orders/order-1", null);
        assertEquals(2, summary.json().path("version").asLong());
        assertEquals(100, summary.json().path("totalCents").asLong());
    }

    @Test
    void concurrentCommandsOnOneOrderEitherApplyOrConflictAndNoneIsLost() throws Exception {
        start();
        place("order-1");
        int requests = 24;
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Reply>> replies = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                String sku = "sku-" + i;
                Callable<Reply> task = () -> addLine("order-1", sku, 1, 10);
                replies.add(pool.submit(task));
            }
            int applied = 0;
            for (Future<Reply> f : replies) {
                Reply reply = f.get(30, TimeUnit.SECONDS);
                if (reply.status() == 200) {
                    applied++;
                } else {
                    assertError(reply, 409, "conflict", "Stream 'order-1' expected version");
                }
            }
            Reply summary = call("GET", "/orders/order-1", null);
            assertEquals(1 + applied, summary.json().path("version").asLong());
            assertEquals(applied, summary.json().path("lineCount").asInt());
            assertEquals(applied * 10L, summary.json().path("totalCents").asLong());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aStoppedReadModelAnswers503() throws Exception {
        start();
        place("order-1");
        // A line whose amount overflows a long: the read model cannot take it, and dead-letters it after its retries.
        app.nexus().eventStore().append("order-1", "Order", ExpectedVersion.exactly(1), List.of(NewEvent.of("LineAdded", 1,
                EventPayload.ofJson("{\"orderId\":\"order-1\",\"sku\":\"gold\",\"quantity\":2,\"unitPriceCents\":"
                        + Long.MAX_VALUE + "}"))));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Reply reply = call("GET", "/orders/order-1", null);
        while (reply.status() == 200 && System.nanoTime() < deadline) {
            Thread.sleep(5);
            reply = call("GET", "/orders/order-1", null);
        }
        assertError(reply, 503, "unavailable", "Read model 'order-summaries' stopped: order 'order-1' stopped at version 2");
        assertError(call("GET", "/orders", null), 503, "unavailable", "retry its dead letter");
    }

    private static List<String> ids(Reply reply) {
        List<String> ids = new ArrayList<>();
        reply.json().path("orders").forEach(o -> ids.add(o.path("orderId").asText()));
        return ids;
    }

    /** The embedded store, with a hook that lets another writer in just before the next append. */
    private static final class RacingEventStore implements EventStore {
        private final EventStore delegate;
        private final AtomicReference<Runnable> before = new AtomicReference<>();

        RacingEventStore(EventStore delegate) {
            this.delegate = delegate;
        }

        void beforeNextAppend(Runnable action) {
            before.set(action);
        }

        @Override
        public AppendResult append(String streamId, String aggregateType, ExpectedVersion expected, List<NewEvent> events) {
            Runnable action = before.getAndSet(null);
            if (action != null) {
                action.run();
            }
            return delegate.append(streamId, aggregateType, expected, events);
        }

        @Override
        public List<EventEnvelope> read(StreamQuery query) {
            return delegate.read(query);
        }

        @Override
        public long currentVersion(String streamId) {
            return delegate.currentVersion(streamId);
        }

        @Override
        public List<EventEnvelope> readAll(long fromPosition, int maxCount) {
            return delegate.readAll(fromPosition, maxCount);
        }

        @Override
        public long headPosition() {
            return delegate.headPosition();
        }

        @Override
        public Subscription subscribe(AppendListener listener) {
            return delegate.subscribe(listener);
        }
    }
}
