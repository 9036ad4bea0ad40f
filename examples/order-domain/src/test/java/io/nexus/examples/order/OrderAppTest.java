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
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
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

        Matcher listening = Pattern.compile("Order app listening on http://localhost:(\\d+)/orders").matcher(out);
        assertTrue(listening.find(), out);
        int port = Integer.parseInt(listening.group(1));
        assertTrue(port > 0, out);
        assertTrue(out.contains("> POST /orders {\"customerId\":\"customer-42\"}"), out);
        assertTrue(out.contains("< 201 {\"orderId\":\"order-"), out);
        assertTrue(out.contains("/confirm" + System.lineSeparator() + "< 200 "), out);
        assertTrue(out.contains("< 409 {\"error\":\"rejected\""), out);
        assertTrue(out.contains("\"rule\":\"ORDER_NOT_OPEN\""), out);
        assertTrue(out.contains("\"status\":\"CONFIRMED\",\"lineCount\":2,\"totalCents\":6899"), out);
        assertTrue(out.contains("--- Demo done ---"), out);
        assertFalse(out.contains("Serving on"), out);
        // The server is gone: its port can be bound again.
        try (ServerSocket socket = new ServerSocket(port)) {
            assertEquals(port, socket.getLocalPort());
        }
    }

    /** The assembled app: the read model, notifications, billing on the bus and the saga all follow one confirmed order. */
    @Test
    void theAssembledAppRunsTheReadModelBillingAndTheSagaForAConfirmedOrder() throws Exception {
        Billing billing = new Billing();
        try (Nexus nexus = OrderApp.assemble(Nexus.builder(), billing, Duration.ofMinutes(30)).build()) {
            nexus.start();
            assertEquals(List.of("order-summaries", "event-bus", "event-router", "saga/order-fulfilment"),
                    nexus.components().stream().map(c -> c.name()).toList());
            nexus.commands().send(new PlaceOrder("order-1", "customer-7"));
            nexus.commands().send(new AddLine("order-1", "apple", 2, 250));
            CommandResult confirmed = nexus.commands().send(new ConfirmOrder("order-1"));
            nexus.notifications().waitForVersion("order-1", confirmed.version(), Duration.ofSeconds(10));
            assertEquals(OrderStatus.CONFIRMED, OrderSummaries.of(nexus).find("order-1").orElseThrow().status());

            @SuppressWarnings("unchecked")
            SagaComponent<OrderConfirmed> fulfilment = nexus.component(SagaComponent.class).orElseThrow();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while ((!billing.invoiced().contains("order-1") || fulfilment.status("order-1").isEmpty())
                    && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
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
        assertEquals(new OrderApp.Options(8080, false, false), OrderApp.Options.parse(new String[0], null));
        assertEquals(new OrderApp.Options(9000, false, false), OrderApp.Options.parse(new String[0], "9000"));
        assertEquals(new OrderApp.Options(0, true, false), OrderApp.Options.parse(new String[]{"--port", "0", "--demo-only"}, "9000"));
        assertEquals(new OrderApp.Options(7070, false, false), OrderApp.Options.parse(new String[]{"--port=7070"}, null));
        assertEquals(new OrderApp.Options(8080, false, true), OrderApp.Options.parse(new String[]{"--help"}, " "));
    }

    @Test
    void badArgumentsAreNamed() {
        assertEquals("--port must be a port number 0..65535, but was '70000'",
                assertThrows(IllegalArgumentException.class, () -> OrderApp.Options.parse(new String[]{"--port", "70000"}, null)).getMessage());
        assertEquals("--port must be a port number 0..65535, but was 'http'",
                assertThrows(IllegalArgumentException.class, () -> OrderApp.Options.parse(new String[]{"--port=http"}, null)).getMessage());
        assertEquals("--port needs a value, 0..65535",
                assertThrows(IllegalArgumentException.class, () -> OrderApp.Options.parse(new String[]{"--port"}, null)).getMessage());
        assertEquals("PORT must be a port number 0..65535, but was '-1'",
                assertThrows(IllegalArgumentException.class, () -> OrderApp.Options.parse(new String[0], "-1")).getMessage());
        assertEquals("unknown argument '--verbose'",
                assertThrows(IllegalArgumentException.class, () -> OrderApp.Options.parse(new String[]{"--verbose"}, null)).getMessage());
    }
}
