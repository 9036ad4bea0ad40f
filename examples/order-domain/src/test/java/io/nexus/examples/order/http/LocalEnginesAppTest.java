package io.nexus.examples.order.http;

import io.nexus.examples.order.engines.AwsEngines;
import io.nexus.examples.order.observability.OtelTracing;
import io.nexus.local.EngineEndpoints;
import io.nexus.local.LocalEngines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.nexus.examples.order.http.RunningApp.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same app end to end over HTTP on the distributed engines, run locally (DynamoDB Local, kinesis-mock,
 * an OpenSearch node), started once for the class: orders, fulfilment with the simulated payment, OpenSearch
 * search, readiness of each engine; then the app is closed and a new one started on the same engines finds
 * everything again and carries on. And one request's trace, end to end across DynamoDB Streams change capture,
 * the Kinesis bus and OpenSearch.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalEnginesAppTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static LocalEngines engines;

    @BeforeAll
    static void startEngines() {
        engines = LocalEngines.start(Path.of(System.getProperty("nexus.kinesisMock.dir", "target/kinesis-mock")));
    }

    @AfterAll
    static void stopEngines() {
        if (engines != null) {
            engines.close();
        }
    }

    @Test
    @Order(1)
    void theAppRunsOnTheLocalEnginesAndLosesNothingAcrossARestart() throws Exception {
        AwsEngines.Settings settings = AwsEngines.Settings.of(engines.endpoints());
        try (RunningApp app = RunningApp.on(new AwsEngines("local", settings, null), HttpSettings.defaults(0, RunningApp.TOKEN),
                Duration.ofMinutes(30))) {
            RunningApp.Reply ready = expect(200, app.call("GET", "/health/ready", null));
            for (String engine : List.of("dynamodb", "kinesis", "opensearch")) {
                assertEquals("UP", ready.json().path("engines").path(engine).path("status").asText(), ready.raw().body());
            }
            app.confirmedOrder("o-1", "espresso-beans", 2, 1450);
            app.awaitField("/orders/o-1/fulfilment", "payment", "REQUESTED", WAIT);
            expect(200, app.call("POST", "/orders/o-1/payment", "{\"outcome\":\"charged\"}"));
            app.awaitField("/orders/o-1/fulfilment", "state", "COMPLETED", WAIT);
            expect(201, app.call("POST", "/orders", "{\"customerId\":\"c-2\",\"orderId\":\"o-2\"}"));
            expect(200, app.call("POST", "/orders/o-2/lines", "{\"sku\":\"milk-frother\",\"quantity\":1,\"unitPriceCents\":3999}"));
            RunningApp.Reply found = awaitSearch(app, "beans", "o-1");
            assertEquals("opensearch", found.json().path("engine").asText());
        }
        // On DynamoDB the inline read model follows the global log, which is indexed from the Streams: on a loaded
        // machine that takes longer than the default 5 s read-your-writes wait, so this run waits up to the test's bound.
        HttpSettings patient = new HttpSettings(0, Duration.ofSeconds(30), HttpSettings.DEFAULT_MAX_BODY_BYTES, 64, RunningApp.TOKEN, WAIT);
        try (RunningApp again = RunningApp.on(new AwsEngines("local", settings, null), patient, Duration.ofMinutes(30))) {
            RunningApp.Reply o1 = expect(200, again.call("GET", "/orders/o-1?waitForVersion=3", null));
            assertEquals("CONFIRMED", o1.json().path("status").asText());
            assertEquals(2900, o1.json().path("totalCents").asLong());
            assertEquals(2, expect(200, again.call("GET", "/orders", null)).json().path("count").asInt());
            assertEquals("COMPLETED", expect(200, again.call("GET", "/orders/o-1/fulfilment", null)).json().path("state").asText());
            assertEquals(List.of("OrderPlaced", "LineAdded", "OrderConfirmed"),
                    expect(200, again.operator("GET", "/orders/o-1/history")).json().path("events").findValuesAsText("type"));
            awaitSearch(again, "frother", "o-2");
            // And it carries on: a new command on an order of the first run.
            RunningApp.Reply line = expect(200, again.call("POST", "/orders/o-2/lines",
                    "{\"sku\":\"paper-filters\",\"quantity\":3,\"unitPriceCents\":299}"));
            assertEquals(3, line.json().path("version").asLong());
            assertTrue(line.json().path("visible").asBoolean());
        }
    }

    /**
     * The traced request of {@link HttpTraceTest} on these engines (tables, stream and index of its own): the context
     * travels in the events' metadata through DynamoDB, its Streams change capture, the router's publish (whose span
     * links to the events' contexts) and Kinesis records into every consumer, the saga and the OpenSearch projection.
     */
    @Test
    @Order(2)
    void oneRequestIsOneTraceAcrossChangeCaptureKinesisAndOpenSearch() throws Exception {
        EngineEndpoints endpoints = engines.endpoints();
        AwsEngines.Settings settings = new AwsEngines.Settings(endpoints.dynamoDb(), endpoints.kinesis(), endpoints.openSearch(),
                EngineEndpoints.REGION, "traced-app-", "traced-app-events", "traced-orders");
        try (OtelTracing tracing = new OtelTracing();
             RunningApp app = RunningApp.on(new AwsEngines("local", settings, null, tracing.registry),
                     HttpSettings.defaults(0, RunningApp.TOKEN), Duration.ofMinutes(30), tracing.registry)) {
            RequestTrace trace = new RequestTrace(app, tracing, "traced-1").run(WAIT);
            trace.assertSpans(true);
            trace.assertEvents();
            trace.assertSearchIndexed(WAIT);
        }
    }

    private static RunningApp.Reply awaitSearch(RunningApp app, String words, String orderId) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        RunningApp.Reply reply = expect(200, app.call("GET", "/orders/search?q=" + words, null));
        while (!reply.json().path("orders").findValuesAsText("orderId").contains(orderId)) {
            assertTrue(System.nanoTime() < deadline, "search for '" + words + "' never found " + orderId + ": " + reply.raw().body());
            Thread.sleep(100);
            reply = expect(200, app.call("GET", "/orders/search?q=" + words, null));
        }
        return reply;
    }
}
