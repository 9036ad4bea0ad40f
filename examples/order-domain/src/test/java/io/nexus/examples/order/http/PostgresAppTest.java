package io.nexus.examples.order.http;

import io.nexus.examples.order.engines.PostgresAppEngines;
import io.nexus.examples.order.observability.OtelTracing;
import io.nexus.postgresql.PostgresEngines;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.nexus.examples.order.http.RunningApp.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The app over HTTP on one durable machine (every port on a real PostgreSQL server), restarted with nothing lost, and
 * a second instance beside it that stands by for its projections and still answers with its own writes visible; and
 * the same profile on a server the app starts itself over a data directory, stopped and started again with it.
 */
class PostgresAppTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void theAppRunsOnPostgresqlAndLosesNothingAcrossARestart() throws Exception {
        try (EmbeddedPostgres server = EmbeddedPostgres.builder().start()) {
            DataSource db = server.getPostgresDatabase();
            try (OtelTracing tracing = new OtelTracing()) {
                StoreSpans store = new StoreSpans(tracing, "postgresql");
                try (RunningApp app = RunningApp.on(new PostgresAppEngines(PostgresEngines.builder(db)
                                .observationRegistry(tracing.registry).build()),
                        HttpSettings.defaults(0, RunningApp.TOKEN), Duration.ofMinutes(30), tracing.registry)) {
                    assertEquals("UP", expect(200, app.call("GET", "/health/ready", null)).json().path("engines")
                            .path("postgresql").path("status").asText());
                    app.confirmedOrder("o-1", "espresso-beans", 2, 1450);
                    app.awaitField("/orders/o-1/fulfilment", "payment", "REQUESTED", WAIT);
                    expect(200, app.call("POST", "/orders/o-1/payment", "{\"outcome\":\"charged\"}"));
                    app.awaitField("/orders/o-1/fulfilment", "state", "COMPLETED", WAIT);
                    // A traced command: its trace holds the store's append; the trackers' polls meanwhile start no trace.
                    String[] trace = StoreSpans.newTrace();
                    expect(201, app.call("POST", "/orders", "{\"customerId\":\"c-2\",\"orderId\":\"o-2\"}", "traceparent", trace[1]));
                    store.assertStoreAppendInTrace(trace[0], "http post /orders", WAIT, "postgresql append");
                    store.assertIdlePollingStartsNoTrace(20, WAIT);
                }
            }
            try (RunningApp again = RunningApp.on(new PostgresAppEngines(PostgresEngines.builder(db).build()),
                    HttpSettings.defaults(0, RunningApp.TOKEN), Duration.ofMinutes(30))) {
                RunningApp.Reply o1 = expect(200, again.call("GET", "/orders/o-1?waitForVersion=3", null));
                assertEquals("CONFIRMED", o1.json().path("status").asText());
                assertEquals(2, expect(200, again.call("GET", "/orders", null)).json().path("count").asInt());
                assertEquals("COMPLETED", expect(200, again.call("GET", "/orders/o-1/fulfilment", null)).json().path("state").asText());
                assertEquals(List.of("OrderPlaced", "LineAdded", "OrderConfirmed"),
                        expect(200, again.operator("GET", "/orders/o-1/history")).json().path("events").findValuesAsText("type"));
                assertEquals("o-1", expect(200, again.call("GET", "/orders/search?q=beans", null)).json().path("orders").get(0)
                        .path("orderId").asText());
                RunningApp.Reply line = expect(200, again.call("POST", "/orders/o-2/lines",
                        "{\"sku\":\"paper-filters\",\"quantity\":3,\"unitPriceCents\":299}"));
                assertEquals(2, line.json().path("version").asLong());
                assertTrue(line.json().path("visible").asBoolean());

                // a second instance stands by for the projections the first runs, and its answers still see their writes
                try (RunningApp second = RunningApp.on(new PostgresAppEngines(PostgresEngines.builder(db).build()),
                        HttpSettings.defaults(0, RunningApp.TOKEN), Duration.ofMinutes(30))) {
                    RunningApp.Reply elsewhere = expect(200, second.call("POST", "/orders/o-2/lines",
                            "{\"sku\":\"milk-jug\",\"quantity\":1,\"unitPriceCents\":1800}"));
                    assertEquals(3, elsewhere.json().path("version").asLong());
                    assertTrue(elsewhere.json().path("visible").asBoolean(), "visible on the instance standing by: " + elsewhere.json());
                }
            }
        }
    }

    @Test
    void onADataDirectoryTheAppRunsItsOwnServerAndKeepsEverythingAcrossAStop(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("orders-db");
        Map<String, String> env = Map.of(PostgresAppEngines.DATA_DIR, data.toString());
        try (RunningApp app = RunningApp.on(PostgresAppEngines.fromEnvironment(env), HttpSettings.defaults(0, RunningApp.TOKEN),
                Duration.ofMinutes(30))) {
            assertEquals("UP", expect(200, app.call("GET", "/health/ready", null)).json().path("engines")
                    .path("postgresql").path("status").asText());
            app.confirmedOrder("o-1", "espresso-beans", 2, 1450);
            app.awaitField("/orders/o-1/fulfilment", "payment", "REQUESTED", WAIT);
        }
        assertTrue(Files.exists(data.resolve("PG_VERSION")), "the data directory stays");
        assertFalse(Files.exists(data.resolve("postmaster.pid")), "the server stopped with the app");

        try (RunningApp again = RunningApp.on(PostgresAppEngines.fromEnvironment(env), HttpSettings.defaults(0, RunningApp.TOKEN),
                Duration.ofMinutes(30))) {
            RunningApp.Reply o1 = expect(200, again.call("GET", "/orders/o-1?waitForVersion=3", null));
            assertEquals("CONFIRMED", o1.json().path("status").asText());
            assertEquals(List.of("OrderPlaced", "LineAdded", "OrderConfirmed"),
                    expect(200, again.operator("GET", "/orders/o-1/history")).json().path("events").findValuesAsText("type"));
            assertEquals("REQUESTED", expect(200, again.call("GET", "/orders/o-1/fulfilment", null)).json().path("payment")
                    .asText());
            expect(200, again.call("POST", "/orders/o-1/payment", "{\"outcome\":\"charged\"}"));
            again.awaitField("/orders/o-1/fulfilment", "state", "COMPLETED", WAIT);
        }
    }

    @Test
    void aDataDirectoryHoldingOtherFilesOrBothSettingsAreRefusedAndNothingIsTouched(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "mine");
        IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class,
                () -> PostgresAppEngines.fromEnvironment(Map.of(PostgresAppEngines.DATA_DIR, dir.toString())));
        assertTrue(foreign.getMessage().contains("holds files but no PostgreSQL data directory"), foreign.getMessage());
        assertEquals(List.of(dir.resolve("notes.txt")), Files.list(dir).toList());
        assertEquals("mine", Files.readString(dir.resolve("notes.txt")));

        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> PostgresAppEngines.fromEnvironment(Map.of(PostgresAppEngines.DATA_DIR, dir.resolve("db").toString(),
                        "ORDER_APP_JDBC_URL", "jdbc:postgresql://localhost:5432/orders")));
        assertTrue(both.getMessage().contains("not both"), both.getMessage());
        assertFalse(Files.exists(dir.resolve("db")));
    }
}
