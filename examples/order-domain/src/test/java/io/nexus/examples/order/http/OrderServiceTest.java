package io.nexus.examples.order.http;

import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.examples.order.fulfilment.FulfilmentSimulator;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static io.nexus.examples.order.http.RunningApp.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The service's endpoints over real HTTP on the embedded engines: reads, the past, search, fulfilment, operators, health. */
class OrderServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void readsWaitForAVersionAndListInPages() throws Exception {
        try (RunningApp app = RunningApp.embedded()) {
            for (int i = 1; i <= 5; i++) {
                expect(201, app.call("POST", "/orders", "{\"customerId\":\"c-" + (i % 2) + "\",\"orderId\":\"o-" + i + "\"}"));
            }
            RunningApp.Reply line = expect(200, app.call("POST", "/orders/o-1/lines", "{\"sku\":\"apple\",\"quantity\":2,\"unitPriceCents\":50}"));
            assertTrue(line.json().path("visible").asBoolean(), "a command answers once the read model shows it");
            RunningApp.Reply read = expect(200, app.call("GET", "/orders/o-1?waitForVersion=2", null));
            assertEquals(2, read.json().path("version").asLong());
            assertEquals(100, read.json().path("totalCents").asLong());
            RunningApp.Reply behind = app.call("GET", "/orders/o-1?waitForVersion=9", null);
            assertEquals(504, behind.status());
            assertEquals("read_model_behind", behind.error());

            RunningApp.Reply page = expect(200, app.call("GET", "/orders?customerId=c-1&page=1&size=2", null));
            assertEquals(3, page.json().path("count").asInt());
            assertEquals(1, page.json().path("orders").size());
            assertEquals("o-5", page.json().path("orders").get(0).path("orderId").asText());
            assertEquals(400, app.call("GET", "/orders?size=1000", null).status());
            assertEquals(400, app.call("GET", "/orders?colour=red", null).status());
        }
    }

    @Test
    void theOrderAsOfAVersionOrAnInstantGoesThroughTheGuards() throws Exception {
        try (RunningApp app = RunningApp.embedded()) {
            expect(201, app.call("POST", "/orders", "{\"customerId\":\"c-1\",\"orderId\":\"o-1\"}"));
            expect(200, app.call("POST", "/orders/o-1/lines", "{\"sku\":\"apple\",\"quantity\":2,\"unitPriceCents\":50}"));
            Instant between = Instant.now();
            expect(200, app.call("POST", "/orders/o-1/lines", "{\"sku\":\"pear\",\"quantity\":1,\"unitPriceCents\":70}"));
            expect(200, app.call("POST", "/orders/o-1/confirm", null));

            RunningApp.Reply v2 = expect(200, app.call("GET", "/orders/o-1?version=2", null, "X-Customer-Id", "c-1"));
            assertEquals(2, v2.json().path("version").asLong());
            assertEquals("OPEN", v2.json().path("state").path("status").asText());
            assertEquals(100, v2.json().path("totalCents").asLong());
            RunningApp.Reply then = expect(200, app.call("GET", "/orders/o-1?asOf=" + between, null, "X-Customer-Id", "c-1"));
            assertEquals(2, then.json().path("version").asLong());

            RunningApp.Reply anonymous = app.call("GET", "/orders/o-1?version=2", null);
            assertEquals(403, anonymous.status());
            assertEquals(403, app.call("GET", "/orders/o-1?version=2", null, "X-Customer-Id", "c-2").status());
            assertEquals("out_of_range", app.call("GET", "/orders/o-1?version=9", null, "X-Customer-Id", "c-1").error());
            assertEquals("not_found", app.call("GET", "/orders/o-9?version=1", null, "X-Customer-Id", "c-1").error());
            assertEquals(400, app.call("GET", "/orders/o-1?asOf=yesterday", null, "X-Customer-Id", "c-1").status());

            // Ten historical reads a minute per client: the next one is refused with the time to wait.
            RunningApp.Reply limited = null;
            for (int i = 0; i < 12 && (limited == null || limited.status() != 429); i++) {
                limited = app.call("GET", "/orders/o-1?version=1", null, "X-Customer-Id", "c-1");
            }
            assertEquals(429, limited.status());
            assertTrue(Integer.parseInt(limited.header("Retry-After")) >= 1, limited.header("Retry-After"));

            RunningApp.Reply audit = expect(200, app.operator("GET", "/operator/audit?limit=100"));
            Set<String> outcomes = new java.util.TreeSet<>();
            audit.json().path("records").forEach(r -> outcomes.add(r.path("outcome").asText()));
            assertEquals(Set.of("SUCCEEDED", "DENIED", "OUT_OF_RANGE", "NOT_FOUND", "RATE_LIMITED"), outcomes);

            RunningApp.Reply history = expect(200, app.operator("GET", "/orders/o-1/history"));
            assertEquals(List.of("OrderPlaced", "LineAdded", "LineAdded", "OrderConfirmed"),
                    history.json().path("events").findValuesAsText("type"));
            assertEquals("pear", history.json().path("events").get(2).path("data").path("sku").asText());
            assertEquals(403, app.call("GET", "/orders/o-1/history", null).status());
        }
    }

    @Test
    void searchFindsOrdersByTheirProducts() throws Exception {
        try (RunningApp app = RunningApp.embedded()) {
            expect(201, app.call("POST", "/orders", "{\"customerId\":\"c-1\",\"orderId\":\"o-1\"}"));
            expect(200, app.call("POST", "/orders/o-1/lines", "{\"sku\":\"espresso-beans\",\"quantity\":1,\"unitPriceCents\":1450}"));
            expect(201, app.call("POST", "/orders", "{\"customerId\":\"c-2\",\"orderId\":\"o-2\"}"));
            expect(200, app.call("POST", "/orders/o-2/lines", "{\"sku\":\"milk-frother\",\"quantity\":1,\"unitPriceCents\":3999}"));
            RunningApp.Reply hits = expect(200, app.call("GET", "/orders/search?q=bean", null));
            assertEquals("in-memory", hits.json().path("engine").asText());
            assertEquals(1, hits.json().path("total").asLong());
            assertEquals("o-1", hits.json().path("orders").get(0).path("orderId").asText());
            assertEquals(400, app.call("GET", "/orders/search?q=%20", null).status());
        }
    }

    @Test
    void aPaymentThroughTheSimulatedProviderCompletesTheFulfilment() throws Exception {
        try (RunningApp app = RunningApp.embedded()) {
            app.confirmedOrder("o-1", "apple", 2, 50);
            app.awaitField("/orders/o-1/fulfilment", "payment", "REQUESTED", WAIT);
            expect(200, app.call("POST", "/orders/o-1/payment", "{\"outcome\":\"charged\"}"));
            RunningApp.Reply done = app.awaitField("/orders/o-1/fulfilment", "state", "COMPLETED", WAIT);
            assertEquals(List.of("order", "reserve-inventory", "charge-payment", "ship"),
                    RunningApp.MAPPER.convertValue(done.json().path("completedSteps"), List.class));
            assertTrue(done.json().path("cancellationReason").isNull());
            assertFalse(done.json().path("history").isEmpty());
            assertEquals(409, app.call("POST", "/orders/o-1/payment", "{\"outcome\":\"charged\"}").status(), "answered once");
        }
    }

    @Test
    void aDeclinedPaymentOrAnOutOfStockProductCancelsTheOrderAndSaysWhy() throws Exception {
        try (RunningApp app = RunningApp.embedded()) {
            app.confirmedOrder("o-1", "apple", 2, 50);
            app.awaitField("/orders/o-1/fulfilment", "payment", "REQUESTED", WAIT);
            expect(200, app.call("POST", "/orders/o-1/payment", "{\"outcome\":\"declined\",\"reason\":\"card expired\"}"));
            RunningApp.Reply declined = app.awaitField("/orders/o-1/fulfilment", "state", "COMPENSATED", WAIT);
            app.awaitField("/orders/o-1", "status", "CANCELLED", WAIT);
            declined = expect(200, app.call("GET", "/orders/o-1/fulfilment", null));
            assertTrue(declined.json().path("cancellationReason").asText().contains("card expired"), declined.raw().body());

            expect(200, app.call("PUT", "/simulator", "{\"outOfStock\":[\"truffle\"]}"));
            app.confirmedOrder("o-2", "apple", 1, 50, "truffle", 1, 9900);
            app.awaitField("/orders/o-2", "status", "CANCELLED", WAIT);
            RunningApp.Reply stock = app.awaitField("/orders/o-2/fulfilment", "state", "COMPENSATED", WAIT);
            assertTrue(stock.json().path("cancellationReason").asText().contains("out of stock [truffle]"), stock.raw().body());

            expect(200, app.call("PUT", "/simulator", "{\"paymentMode\":\"approve\",\"outOfStock\":[]}"));
            app.confirmedOrder("o-3", "apple", 1, 50);
            app.awaitField("/orders/o-3/fulfilment", "state", "COMPLETED", WAIT);
            assertEquals(FulfilmentSimulator.PaymentMode.APPROVE, app.simulator.paymentMode());

            expect(201, app.call("POST", "/orders", "{\"customerId\":\"c-1\",\"orderId\":\"o-4\"}"));
            expect(200, app.call("POST", "/orders/o-4/cancel", null));
            assertTrue(expect(200, app.call("GET", "/orders/o-4/fulfilment", null)).json().path("cancellationReason").asText()
                    .contains("Cancelled by a CancelOrder command"));
        }
    }

    @Test
    void anUnpaidOrderIsCancelledAfterTheReservationTimeoutAndSaysSo() throws Exception {
        try (RunningApp app = RunningApp.embedded(HttpSettings.defaults(0, RunningApp.TOKEN), Duration.ofMillis(300))) {
            app.confirmedOrder("o-1", "apple", 2, 50);
            app.awaitField("/orders/o-1", "status", "CANCELLED", WAIT);
            RunningApp.Reply status = app.awaitField("/orders/o-1/fulfilment", "state", "COMPENSATED", WAIT);
            assertTrue(status.json().path("cancellationReason").asText().toLowerCase().contains("timed out")
                    || status.json().path("cancellationReason").asText().toLowerCase().contains("timeout"), status.raw().body());
        }
    }

    @Test
    void operatorsSeeProjectionsRebuildThemAndHandleDeadLetters() throws Exception {
        try (RunningApp app = RunningApp.embedded()) {
            assertEquals(401, app.call("GET", "/operator/projections", null).status());
            assertEquals("Bearer realm=\"order-app operator\"", app.call("GET", "/operator/projections", null,
                    "Authorization", "Bearer wrong").header("WWW-Authenticate"));
            app.confirmedOrder("o-1", "apple", 2, 50);
            RunningApp.Reply projections = expect(200, app.operator("GET", "/operator/projections"));
            assertEquals("order-summaries", projections.json().path("projections").get(0).path("name").asText());

            RunningApp.Reply rebuild = expect(202, app.operator("POST", "/operator/projections/order-summaries/rebuild"));
            assertTrue(rebuild.json().has("rebuild"), rebuild.raw().body());
            long deadline = System.nanoTime() + WAIT.toNanos();
            RunningApp.Reply after = app.operator("GET", "/operator/projections/order-summaries");
            while (!after.json().path("rebuild").path("switchedOver").asBoolean() && System.nanoTime() < deadline) {
                Thread.sleep(20);
                after = app.operator("GET", "/operator/projections/order-summaries");
            }
            assertTrue(after.json().path("rebuild").path("switchedOver").asBoolean(), after.raw().body());
            assertEquals("CONFIRMED", expect(200, app.call("GET", "/orders/o-1", null)).json().path("status").asText());

            // An event the read model cannot take (a line total past a long) becomes a dead letter.
            app.app.nexus().eventStore().append("o-1", "Order", ExpectedVersion.exactly(3), List.of(NewEvent.of("LineAdded", 1,
                    EventPayload.ofJson("{\"orderId\":\"o-1\",\"sku\":\"gold\",\"quantity\":2,\"unitPriceCents\":" + Long.MAX_VALUE + "}"))));
            RunningApp.Reply letters = app.operator("GET", "/operator/projections/order-summaries/dead-letters");
            deadline = System.nanoTime() + WAIT.toNanos();
            while (letters.json().path("deadLetters").isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
                letters = app.operator("GET", "/operator/projections/order-summaries/dead-letters");
            }
            String id = letters.json().path("deadLetters").get(0).path("id").asText();
            assertEquals("LineAdded", letters.json().path("deadLetters").get(0).path("eventType").asText());
            assertEquals(503, app.call("GET", "/orders/o-1", null).status());
            assertFalse(expect(200, app.operator("POST", "/operator/projections/order-summaries/dead-letters/" + id + "/retry"))
                    .json().path("handled").asBoolean(), "the cause is still there");
            assertEquals(204, app.operator("DELETE", "/operator/projections/order-summaries/dead-letters/" + id).status());
            assertTrue(expect(200, app.operator("GET", "/operator/projections/order-summaries/dead-letters"))
                    .json().path("deadLetters").isEmpty());
            assertEquals(200, app.call("GET", "/orders/o-1", null).status());
            assertEquals(404, app.operator("GET", "/operator/projections/nothing").status());
        }
    }

    @Test
    void healthSaysEachEngineAndMetricsArePrometheusText() throws Exception {
        try (RunningApp app = RunningApp.embedded()) {
            expect(200, app.call("GET", "/health/live", null));
            RunningApp.Reply ready = expect(200, app.call("GET", "/health/ready", null));
            assertEquals("UP", ready.json().path("status").asText());
            assertEquals("UP", ready.json().path("engines").path("event-store").path("status").asText());
            assertEquals("RUNNING", ready.json().path("projections").path("order-summaries").path("status").asText());
            app.confirmedOrder("o-1", "apple", 2, 50);
            RunningApp.Reply metrics = expect(200, app.call("GET", "/metrics", null));
            assertTrue(metrics.header("Content-Type").startsWith("text/plain"), metrics.header("Content-Type"));
            assertTrue(metrics.raw().body().contains("# TYPE nexus_"), metrics.raw().body());
        }
    }
}
