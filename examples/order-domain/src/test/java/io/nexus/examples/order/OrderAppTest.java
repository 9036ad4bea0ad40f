package io.nexus.examples.order;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexus.core.Nexus;
import io.nexus.core.command.CommandResult;
import io.nexus.examples.order.billing.Billing;
import io.nexus.examples.order.domain.AddLine;
import io.nexus.examples.order.domain.ConfirmOrder;
import io.nexus.examples.order.domain.OrderStatus;
import io.nexus.examples.order.domain.PlaceOrder;
import io.nexus.examples.order.domain.OrderConfirmed;
import io.nexus.saga.SagaComponent;
import io.nexus.examples.order.projection.OrderSummaries;
import io.nexus.examples.order.projection.OrderSummary;
import io.nexus.examples.order.engines.AwsEngines;
import io.nexus.examples.order.engines.EngineProfiles;
import io.nexus.examples.order.engines.SchemaRegistries;
import io.nexus.local.EngineEndpoints;
import io.nexus.testkit.Await;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The app's entry point: arguments, the scripted demo, and a clean exit in demo-only mode. */
class OrderAppTest {

    @Test
    void mainRunsTheDemoOnAFreePortPrintsEveryExchangeAndStops() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            OrderApp.main(new String[]{"--port", "0", "--demo-only"});
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);

        Matcher listening = Pattern.compile("Order app \\(embedded engines\\) listening on http://localhost:(\\d+)/orders").matcher(out);
        assertTrue(listening.find(), out);
        int port = Integer.parseInt(listening.group(1));
        assertTrue(port > 0, out);
        assertTrue(out.contains("> POST /orders {\"customerId\":\"customer-42\"}"), out);
        assertTrue(out.contains("< 201 {\"orderId\":\"order-"), out);
        assertTrue(out.contains("/confirm" + System.lineSeparator() + "< 200 "), out);
        assertTrue(out.contains("< 409 {\"error\":\"rejected\""), out);
        assertTrue(out.contains("\"rule\":\"ORDER_NOT_OPEN\""), out);
        assertTrue(out.contains("\"status\":\"CONFIRMED\",\"lineCount\":2,\"totalCents\":6899"), out);
        assertTrue(out.contains("> POST /orders/" ) && out.contains("/payment {\"outcome\":\"charged\"}"), out);
        assertTrue(out.contains("\"state\":\"COMPLETED\""), out);
        assertTrue(out.contains("--- Demo done ---"), out);
        assertFalse(out.contains("Serving on"), out);
        // The server is gone: its port can be bound again.
        try (ServerSocket socket = new ServerSocket(port)) {
            assertEquals(port, socket.getLocalPort());
        }
    }

    /** The getting-started guide's use of the assembled app: a command, then the read model that shows it. */
    @Test
    void theReadModelShowsAPlacedOrderOnceItsVersionIsNotified() {
        // tag::usage[]
        // The three-argument assemble uses the in-process bus and a simulator waiting for payments.
        try (Nexus nexus = OrderApp.assemble(Nexus.builder(), new Billing(), Duration.ofMinutes(30)).build()) {
            nexus.start();
            CommandResult placed = nexus.commands().send(new PlaceOrder("order-1", "customer-7"));
            nexus.notifications().waitForVersion("order-1", placed.version(), Duration.ofSeconds(5));
            OrderSummary summary = OrderSummaries.of(nexus).find("order-1").orElseThrow();   // the read model shows the command
            assertEquals(OrderStatus.OPEN, summary.status());
        }
        // end::usage[]
    }

    /** The assembled app: the read model, notifications, billing on the bus and the saga all follow one confirmed order. */
    @Test
    void theAssembledAppRunsTheReadModelBillingAndTheSagaForAConfirmedOrder() throws Exception {
        Billing billing = new Billing();
        try (Nexus nexus = OrderApp.assemble(Nexus.builder(), billing, Duration.ofMinutes(30)).build()) {
            nexus.start();
            assertEquals(List.of("order-summaries", "fulfilment-progress", "event-bus", "event-router", "fulfilment-simulator", "saga/order-fulfilment"),
                    nexus.components().stream().map(c -> c.name()).toList());
            nexus.commands().send(new PlaceOrder("order-1", "customer-7"));
            nexus.commands().send(new AddLine("order-1", "apple", 2, 250));
            CommandResult confirmed = nexus.commands().send(new ConfirmOrder("order-1"));
            nexus.notifications().waitForVersion("order-1", confirmed.version(), Duration.ofSeconds(10));
            assertEquals(OrderStatus.CONFIRMED, OrderSummaries.of(nexus).find("order-1").orElseThrow().status());

            @SuppressWarnings("unchecked")
            SagaComponent<OrderConfirmed> fulfilment = nexus.component(SagaComponent.class).orElseThrow();
            Await.until("billing invoices order-1 and the saga starts for it",
                    () -> billing.invoiced().contains("order-1") && fulfilment.status("order-1").isPresent());
            assertEquals(Set.of("order-1"), billing.invoiced(), "billing got the confirmation from the bus");
            assertTrue(fulfilment.status("order-1").isPresent(), "the saga started for the confirmed order");
        }
    }

    @Test
    void theDemoAnswersEachStepWithTheExpectedStatus() throws Exception {
        try (OrderApp.Running app = OrderApp.start(OrderApp.readSide(Nexus.builder().module(new OrderModule())).build(), 0)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            List<OrderDemo.Exchange> exchanges = OrderDemo.run(app.baseUri(), new PrintStream(out, true, StandardCharsets.UTF_8));
            assertEquals(List.of(201, 200, 200, 200, 200, 200, 409, 200, 200), exchanges.stream().map(OrderDemo.Exchange::status).toList());
            String orderId = new ObjectMapper().readTree(exchanges.get(0).responseBody()).path("orderId").asText();
            assertEquals(6, app.nexus().eventStore().currentVersion(orderId));
        }
    }

    @Test
    void thePortComesFromTheArgumentThenTheEnvironmentThenTheDefault() {
        assertEquals(8080, OrderApp.Options.parse(new String[0], Map.of()).port());
        assertEquals(9000, OrderApp.Options.parse(new String[0], Map.of("PORT", "9000")).port());
        OrderApp.Options demo = OrderApp.Options.parse(new String[]{"--port", "0", "--demo-only"}, Map.of("PORT", "9000"));
        assertEquals(0, demo.port());
        assertTrue(demo.demoOnly());
        assertEquals(7070, OrderApp.Options.parse(new String[]{"--port=7070"}, Map.of()).port());
        assertTrue(OrderApp.Options.parse(new String[]{"--help"}, Map.of("PORT", " ")).help());
    }

    @Test
    void theProfileAndTheOperatorTokenComeFromTheArgumentsThenTheEnvironment() {
        OrderApp.Options defaults = OrderApp.Options.parse(new String[0], Map.of());
        assertEquals("embedded", defaults.profile());
        assertFalse(defaults.tokenGiven());
        assertEquals(32, defaults.operatorToken().length(), "a random token is generated");
        OrderApp.Options env = OrderApp.Options.parse(new String[0], Map.of("ORDER_APP_PROFILE", "aws", "OPERATOR_TOKEN", "0123456789abcdef"));
        assertEquals("aws", env.profile());
        assertEquals("0123456789abcdef", env.operatorToken());
        assertTrue(env.tokenGiven());
        OrderApp.Options args = OrderApp.Options.parse(new String[]{"--profile=local", "--operator-token", "fedcba9876543210"},
                Map.of("ORDER_APP_PROFILE", "aws"));
        assertEquals("local", args.profile());
        assertEquals("fedcba9876543210", args.operatorToken());
    }

    @Test
    void badArgumentsAreNamed() {
        assertEquals("--port must be a port number 0..65535, but was '70000'",
                assertThrows(IllegalArgumentException.class, () -> OrderApp.Options.parse(new String[]{"--port", "70000"}, Map.of())).getMessage());
        assertEquals("--port must be a port number 0..65535, but was 'http'",
                assertThrows(IllegalArgumentException.class, () -> OrderApp.Options.parse(new String[]{"--port=http"}, Map.of())).getMessage());
        assertEquals("--port needs a value, 0..65535",
                assertThrows(IllegalArgumentException.class, () -> OrderApp.Options.parse(new String[]{"--port"}, Map.of())).getMessage());
        assertEquals("PORT must be a port number 0..65535, but was '-1'",
                assertThrows(IllegalArgumentException.class, () -> OrderApp.Options.parse(new String[0], Map.of("PORT", "-1"))).getMessage());
        assertEquals("unknown argument '--verbose'",
                assertThrows(IllegalArgumentException.class, () -> OrderApp.Options.parse(new String[]{"--verbose"}, Map.of())).getMessage());
        assertEquals("--profile must be one of [embedded, postgres, aws, local], but was 'cloud'",
                assertThrows(IllegalArgumentException.class, () -> OrderApp.Options.parse(new String[]{"--profile", "cloud"}, Map.of())).getMessage());
        assertEquals("the operator token must have at least 16 characters, but had 5",
                assertThrows(IllegalArgumentException.class, () -> OrderApp.Options.parse(new String[0], Map.of("OPERATOR_TOKEN", "short"))).getMessage());
    }

    @Test
    void theAwsProfileNamesEveryMissingEngineAndRegistrySettingAtOnce() {
        assertEquals("the aws profile is not configured: ORDER_APP_OPENSEARCH_ENDPOINT is required (e.g. http://localhost:9200); "
                        + "the schema registry is not configured: NEXUS_SCHEMA_REGISTRY_URL is required with NEXUS_SCHEMA_REGISTRY=confluent "
                        + "(e.g. http://localhost:8081)",
                assertThrows(IllegalArgumentException.class, () -> EngineProfiles.open("aws",
                        Map.of("NEXUS_SCHEMA_REGISTRY", "confluent"), System.out)).getMessage());
        assertEquals("the schema registry is not configured: NEXUS_SCHEMA_REGISTRY must be embedded, confluent or glue, but was 'etcd'",
                assertThrows(IllegalArgumentException.class, () -> SchemaRegistries.Settings.fromEnvironment(
                        Map.of("NEXUS_SCHEMA_REGISTRY", "etcd"))).getMessage());
        SchemaRegistries.Settings glue = SchemaRegistries.Settings.fromEnvironment(Map.of("NEXUS_SCHEMA_REGISTRY", "glue",
                "NEXUS_GLUE_REGISTRY", "orders", "AWS_REGION", "eu-west-1"));
        assertEquals(new SchemaRegistries.Settings(SchemaRegistries.Kind.GLUE, null, "eu-west-1", "orders"), glue);
    }

    /**
     * The aws profile runs the bus's groups leased unless told otherwise, the local profile (whose engines no second
     * instance can share) each in its own process unless told otherwise; malformed values are named with the others.
     */
    @Test
    void theAwsProfileLeasesItsConsumerGroupsByDefaultAndTheLocalProfileOnRequest() {
        Map<String, String> aws = Map.of("ORDER_APP_OPENSEARCH_ENDPOINT", "http://localhost:9200");
        AwsEngines.Settings defaults = AwsEngines.Settings.fromEnvironment(aws);
        assertTrue(defaults.leasedGroups());
        assertEquals(Duration.ofSeconds(10), defaults.leaseFailover());
        Map<String, String> single = new HashMap<>(aws);
        single.put("ORDER_APP_LEASED_GROUPS", "false");
        single.put("ORDER_APP_LEASE_FAILOVER", "PT30S");
        AwsEngines.Settings off = AwsEngines.Settings.fromEnvironment(single);
        assertFalse(off.leasedGroups());
        assertEquals(Duration.ofSeconds(30), off.leaseFailover());
        assertEquals("the aws profile is not configured: ORDER_APP_OPENSEARCH_ENDPOINT is required (e.g. http://localhost:9200); "
                        + "ORDER_APP_LEASED_GROUPS must be true or false, but was 'yes'; "
                        + "ORDER_APP_LEASE_FAILOVER must be an ISO-8601 duration of at least 1 s such as PT10S, but was '500ms'",
                assertThrows(IllegalArgumentException.class, () -> AwsEngines.Settings.fromEnvironment(
                        Map.of("ORDER_APP_LEASED_GROUPS", "yes", "ORDER_APP_LEASE_FAILOVER", "500ms"))).getMessage());

        EngineEndpoints local = new EngineEndpoints(URI.create("http://localhost:8000"), URI.create("http://localhost:4567"),
                URI.create("http://localhost:9200"));
        assertFalse(AwsEngines.Settings.of(local, Map.of()).leasedGroups());
        AwsEngines.Settings leased = AwsEngines.Settings.of(local, Map.of("ORDER_APP_LEASED_GROUPS", "true"));
        assertTrue(leased.leasedGroups());
        assertEquals(AwsEngines.Settings.of(local).withLeasedGroups(true, Duration.ofSeconds(10)), leased);
        assertEquals("the local profile is not configured: ORDER_APP_LEASE_FAILOVER must be an ISO-8601 duration of at least 1 s"
                        + " such as PT10S, but was 'PT0.5S'",
                assertThrows(IllegalArgumentException.class, () -> EngineProfiles.open("local",
                        Map.of("ORDER_APP_LEASE_FAILOVER", "PT0.5S"), System.out)).getMessage());
    }
}
