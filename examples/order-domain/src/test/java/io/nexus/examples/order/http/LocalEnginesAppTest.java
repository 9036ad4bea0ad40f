package io.nexus.examples.order.http;

import io.nexus.examples.order.engines.AwsEngines;
import io.nexus.examples.order.observability.OtelTracing;
import io.nexus.local.EngineEndpoints;
import io.nexus.local.LocalEngines;
import io.nexus.confluent.ConfluentSchemaRegistry;
import io.nexus.confluent.ConfluentTestServer;
import io.nexus.core.command.CommandMetadata;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.policy.PolicyDecisionPoint;
import io.nexus.core.policy.PolicyDeniedException;
import io.nexus.core.policy.PolicyRequest;
import io.nexus.core.schema.CompatibilityMode;
import io.nexus.core.serialization.EventTypeInfo;
import io.nexus.core.bus.BusPath;
import io.nexus.core.observation.NexusMeters;
import io.nexus.examples.order.fulfilment.FulfilmentProgress;
import io.nexus.examples.order.fulfilment.FulfilmentSaga;
import io.nexus.examples.order.projection.OrderSummaryProjection;
import io.nexus.examples.order.billing.Billing;
import io.nexus.examples.order.engines.EngineProfiles;
import io.nexus.examples.order.fulfilment.FulfilmentSimulator;
import io.nexus.kinesis.KinesisEventBus;
import io.nexus.examples.order.fulfilment.FulfilmentModule;
import io.nexus.testkit.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static io.nexus.examples.order.http.RunningApp.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same app end to end over HTTP on the distributed engines, run locally (DynamoDB Local, kinesis-mock,
 * an OpenSearch node), started once for the class: orders, fulfilment with the simulated payment, OpenSearch
 * search, readiness of each engine; then the app is closed and a new one started on the same engines finds
 * everything again and carries on, its bus's consumer groups leased on the Kinesis Client Library. And one request's trace, end to end across DynamoDB Streams change capture,
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

    /**
     * With the bus's consumer groups leased, as the aws profile runs them by default: billing and the payment provider
     * run on the Kinesis Client Library, whose lease tables show this instance holding every shard of the stream.
     */
    @Test
    @Order(1)
    void theAppRunsOnTheLocalEnginesAndLosesNothingAcrossARestart() throws Exception {
        // A short failover time, so that the restarted app's groups take the leases over within seconds. It is also the
        // lease duration of the consumers of the event store: 3 s leaves a loaded machine room for a slow renewal.
        AwsEngines.Settings settings = AwsEngines.Settings.of(engines.endpoints()).withLeasedGroups(true, Duration.ofSeconds(3));
        AwsEngines aws = new AwsEngines("local", settings, null);
        Billing billing = new Billing();
        try (RunningApp app = RunningApp.on(aws, HttpSettings.defaults(0, RunningApp.TOKEN), Duration.ofMinutes(30), billing)) {
            RunningApp.Reply ready = expect(200, app.call("GET", "/health/ready", null));
            for (String engine : List.of("dynamodb", "kinesis", "opensearch")) {
                assertEquals("UP", ready.json().path("engines").path(engine).path("status").asText(), ready.raw().body());
            }
            app.confirmedOrder("o-1", "espresso-beans", 2, 1450);
            app.awaitField("/orders/o-1/fulfilment", "payment", "REQUESTED", WAIT);
            expect(200, app.call("POST", "/orders/o-1/payment", "{\"outcome\":\"charged\"}"));
            app.awaitField("/orders/o-1/fulfilment", "state", "COMPLETED", WAIT);
            // The order completes without the bus (the saga and the simulator are components); billing reads the bus.
            RunningApp.await("billing invoices o-1, read from the bus by its leased group", WAIT,
                    () -> billing.invoiced().contains("o-1"));
            assertGroupsRunLeased(aws);
            expect(201, app.call("POST", "/orders", "{\"customerId\":\"c-2\",\"orderId\":\"o-2\"}"));
            expect(200, app.call("POST", "/orders/o-2/lines", "{\"sku\":\"milk-frother\",\"quantity\":1,\"unitPriceCents\":3999}"));
            RunningApp.Reply found = awaitSearch(app, "beans", "o-1");
            assertEquals("opensearch", found.json().path("engine").asText());
            // Every consumer group on the Kinesis bus reports its lag in events; all of them drain to 0.
            RunningApp.await("every Kinesis consumer group's lag in events is 0", WAIT, () -> {
                List<String> lags = lagEventsLines(app);
                return lags.size() >= 2 && lags.stream().allMatch(line -> line.endsWith(" 0.0"));
            });
        }
        // On DynamoDB the inline read model follows the global log, which is indexed from the Streams: on a loaded
        // machine that takes longer than the default 5 s read-your-writes wait, so this run waits up to the test's bound.
        HttpSettings patient = new HttpSettings(0, Duration.ofSeconds(30), HttpSettings.DEFAULT_MAX_BODY_BYTES, 64, RunningApp.TOKEN, WAIT);
        AwsEngines restarted = new AwsEngines("local", settings, null);
        Billing againBilling = new Billing();
        try (RunningApp again = RunningApp.on(restarted, patient, Duration.ofMinutes(30), againBilling)) {
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
            // The first app gave its leases up when it closed; the new one holds them (as a new worker).
            assertGroupsRunLeased(restarted);
            Map<String, Double> consumers = leasesHeld(again);
            assertTrue(consumers.keySet().containsAll(List.of("event-router/default", OrderSummaryProjection.NAME,
                    FulfilmentProgress.NAME, "saga/" + FulfilmentSaga.NAME)), "leased consumers: " + consumers);
            RunningApp.await("the restarted app runs every consumer of the event store: " + leasesHeld(again), WAIT,
                    () -> leasesHeld(again).values().stream().allMatch(held -> held == 1.0));

            // A second instance on the same engines: the consumers of the event store stay with the first (the second
            // stands by for each), the bus's groups share the shards, and commands go to either instance.
            Billing secondBilling = new Billing();
            AwsEngines secondEngines = new AwsEngines("local", settings, null);
            try (RunningApp second = RunningApp.on(secondEngines, patient, Duration.ofMinutes(30), secondBilling)) {
                RunningApp.await("the second instance stands by for every consumer: " + leasesHeld(second), WAIT,
                        () -> leasesHeld(second).keySet().equals(consumers.keySet())
                                && leasesHeld(second).values().stream().allMatch(held -> held == 0.0));
                assertEquals(consumers, leasesHeld(again), "the first instance still runs every consumer");
                // An order through the second instance: its answers wait until the first instance's projection applied them.
                RunningApp.Reply placed = expect(201, second.call("POST", "/orders", "{\"customerId\":\"c-3\",\"orderId\":\"o-3\"}"));
                assertTrue(placed.json().path("visible").asBoolean(), "visible on the standing-by instance: " + placed.raw().body());
                expect(200, second.call("POST", "/orders/o-3/lines", "{\"sku\":\"espresso-beans\",\"quantity\":1,\"unitPriceCents\":1450}"));
                expect(200, second.call("POST", "/orders/o-3/confirm", null));
                second.awaitField("/orders/o-3/fulfilment", "payment", "REQUESTED", WAIT);
                expect(200, again.call("POST", "/orders/o-3/payment", "{\"outcome\":\"charged\"}"));
                second.awaitField("/orders/o-3/fulfilment", "state", "COMPLETED", WAIT);
                RunningApp.await("one of the instances invoices o-3", WAIT,
                        () -> againBilling.invoiced().contains("o-3") || secondBilling.invoiced().contains("o-3"));

                // The first instance closes: the second takes its consumers and both shards of each group over.
                again.close();
                RunningApp.await("the second instance runs every consumer of the event store: " + leasesHeld(second), WAIT,
                        () -> leasesHeld(second).values().stream().allMatch(held -> held == 1.0));
                assertGroupsRunLeased(secondEngines);
                expect(201, second.call("POST", "/orders", "{\"customerId\":\"c-4\",\"orderId\":\"o-4\"}"));
                expect(200, second.call("POST", "/orders/o-4/lines", "{\"sku\":\"milk-frother\",\"quantity\":1,\"unitPriceCents\":3999}"));
                RunningApp.Reply confirmed = expect(200, second.call("POST", "/orders/o-4/confirm", null));
                assertTrue(confirmed.json().path("visible").asBoolean(), confirmed.raw().body());
                second.awaitField("/orders/o-4/fulfilment", "payment", "REQUESTED", WAIT);
                expect(200, second.call("POST", "/orders/o-4/payment", "{\"outcome\":\"charged\"}"));
                second.awaitField("/orders/o-4/fulfilment", "state", "COMPLETED", WAIT);
                RunningApp.await("the second instance invoices o-4", WAIT, () -> secondBilling.invoiced().contains("o-4"));
                awaitSearch(second, "frother", "o-4");
            }
        }
    }

    /** Whether {@code app} holds (1) or stands by for (0) the lease of each consumer of the event store, by consumer. */
    private static Map<String, Double> leasesHeld(RunningApp app) {
        Map<String, Double> held = new TreeMap<>();
        app.metrics.find(NexusMeters.TRACKER_LEASE_HELD).gauges()
                .forEach(gauge -> held.put(gauge.getId().getTag("consumer"), gauge.value()));
        return held;
    }

    /**
     * Both groups run on the KCL as this app's worker: it holds both shards of the stream, and the group's lease table
     * names it as the owner of each.
     */
    private static void assertGroupsRunLeased(AwsEngines aws) throws InterruptedException {
        KinesisEventBus bus = (KinesisEventBus) aws.eventBus();
        String worker = bus.leasedConsumerGroups().orElseThrow(() -> new AssertionError("the bus runs no leased groups"))
                .workerId();
        try (DynamoDbClient dynamoDb = engines.endpoints().dynamoDbClientBuilder().build()) {
            for (String group : List.of(Billing.GROUP, FulfilmentSimulator.GROUP)) {
                RunningApp.await("consumer group '" + group + "' holds both shards", WAIT,
                        () -> bus.leasedShards(group, BusPath.PRIMARY).size() == 2);
                String table = aws.settings().tablePrefix() + group + "-" + aws.settings().stream();
                List<Map<String, AttributeValue>> leases = dynamoDb.scan(r -> r.tableName(table).consistentRead(true)).items();
                Map<String, String> owners = new TreeMap<>();
                for (Map<String, AttributeValue> lease : leases) {
                    if (!lease.containsKey("checkpoint")) {
                        continue;   // the KCL 3 keeps its leader lock, version and worker metrics in the same table
                    }
                    AttributeValue owner = lease.get("leaseOwner");
                    owners.put(lease.get("leaseKey").s(), owner == null ? "none" : owner.s());
                }
                assertEquals(bus.leasedShards(group, BusPath.PRIMARY), owners.keySet(), "the leases in " + table + ": " + leases);
                assertEquals(Set.of(worker), Set.copyOf(owners.values()), "the owners of the leases in " + table + ": " + leases);
            }
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
                EngineEndpoints.REGION, "traced-app-", "traced-app-events", "traced-orders", false, AwsEngines.Settings.DEFAULT_LEASE_FAILOVER);
        try (OtelTracing tracing = new OtelTracing()) {
            StoreSpans store = new StoreSpans(tracing, "dynamodb", "dynamodb-streams", "kinesis");
            try (RunningApp app = RunningApp.on(new AwsEngines("local", settings, null, tracing.registry),
                    HttpSettings.defaults(0, RunningApp.TOKEN), Duration.ofMinutes(30), tracing.registry)) {
                RequestTrace trace = new RequestTrace(app, tracing, "traced-1").run(WAIT);
                trace.assertSpans(true);
                trace.assertEvents();
                trace.assertSearchIndexed(WAIT);
                // The AWS clients are observed too: the confirmation's append to DynamoDB is in its trace, while change
                // capture, the trackers and the Kinesis shard readers poll without starting traces.
                store.assertStoreAppendInTrace(trace.traceId, "http post /orders/{id}/confirm", WAIT,
                        "dynamodb transact-write-items", "dynamodb put-item");
                store.assertIdlePollingStartsNoTrace(20, WAIT);
            }
        }
    }

    /**
     * The aws profile with {@code NEXUS_SCHEMA_REGISTRY=confluent}: the app registers its schemas on the registry at
     * start (each Order subject FULL), an order placed over HTTP is validated against it, a second start registers
     * nothing new, and an event type the registry does not hold is refused (rule schema-required).
     */
    @Test
    @Order(3)
    void theAwsProfileRegistersItsSchemasOnAConfluentRegistryAndRefusesUnregisteredTypes() throws Exception {
        try (ConfluentTestServer registry = ConfluentTestServer.start(null)) {
            Map<String, String> env = new HashMap<>(Map.of(
                    "ORDER_APP_DYNAMODB_ENDPOINT", engines.endpoints().dynamoDb().toString(),
                    "ORDER_APP_KINESIS_ENDPOINT", engines.endpoints().kinesis().toString(),
                    "ORDER_APP_OPENSEARCH_ENDPOINT", engines.endpoints().openSearch().toString(),
                    "ORDER_APP_TABLE_PREFIX", "registry-app-", "ORDER_APP_STREAM", "registry-app-events",
                    "ORDER_APP_SEARCH_INDEX", "registry-orders",
                    // The groups' leases are the first test's; a new lease table would hold the KCL's start back 1-30 s.
                    "ORDER_APP_LEASED_GROUPS", "false",
                    "NEXUS_SCHEMA_REGISTRY", "confluent", "NEXUS_SCHEMA_REGISTRY_URL", registry.uri().toString()));
            List<String> subjects = FulfilmentModule.eventTypes().all().stream().map(EventTypeInfo::name).sorted().toList();
            int requestsAfterFirstStart;
            try (RunningApp app = RunningApp.on(EngineProfiles.open("aws", env, System.out), HttpSettings.defaults(0, RunningApp.TOKEN),
                    Duration.ofMinutes(30))) {
                assertEquals(subjects, registry.subjects());
                assertEquals(CompatibilityMode.FULL, registry.subjectCompatibility("OrderPlaced"));
                expect(201, app.call("POST", "/orders", "{\"customerId\":\"c-1\",\"orderId\":\"r-1\"}"));
                RunningApp.Reply ready = expect(200, app.call("GET", "/health/ready", null));
                assertEquals("UP", ready.json().path("engines").path("schema-registry").path("status").asText(), ready.raw().body());
                assertTrue(ready.raw().body().contains("confluent:" + registry.uri()), ready.raw().body());

                PolicyDeniedException refused = assertThrows(PolicyDeniedException.class, () -> PolicyDecisionPoint.enforce(
                        app.app.nexus().policy(), PolicyRequest.append("Order", "r-1",
                                List.of(NewEvent.of("OrderArchived", 1, EventPayload.ofJson("{}"))), CommandMetadata.create())));
                assertEquals("schema-required", refused.rule());
                assertFalse(registry.subjects().contains("OrderArchived"));
                requestsAfterFirstStart = registry.requests();
            }
            try (RunningApp again = RunningApp.on(EngineProfiles.open("aws", env, System.out), HttpSettings.defaults(0, RunningApp.TOKEN),
                    Duration.ofMinutes(30))) {
                assertEquals(subjects, registry.subjects());
                assertEquals("OrderPlaced", expect(200, again.operator("GET", "/orders/r-1/history")).json().path("events")
                        .findValuesAsText("type").get(0));
                assertTrue(registry.requests() > requestsAfterFirstStart);
            }
            ConfluentSchemaRegistry client = ConfluentSchemaRegistry.builder(registry.uri()).build();
            for (String subject : subjects) {
                assertEquals(List.of(1), client.versions(subject), subject + " registered once across two starts");
            }
        }
    }

    private static List<String> lagEventsLines(RunningApp app) {
        try {
            return expect(200, app.call("GET", "/metrics", null)).raw().body().lines()
                    .filter(line -> line.startsWith("nexus_bus_consumer_lag_events{")).toList();
        } catch (Exception e) {
            throw new AssertionError("could not scrape /metrics", e);
        }
    }

    private static RunningApp.Reply awaitSearch(RunningApp app, String words, String orderId) throws Exception {
        RunningApp.Reply[] reply = new RunningApp.Reply[1];
        try {
            Await.until("a search for '" + words + "' finds " + orderId, WAIT, () -> {
                reply[0] = expect(200, app.call("GET", "/orders/search?q=" + words, null));
                return reply[0].json().path("orders").findValuesAsText("orderId").contains(orderId);
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last answer: " + (reply[0] == null ? "none" : reply[0].raw().body()), e);
        }
        return reply[0];
    }
}
