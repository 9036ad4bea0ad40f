package io.nexus.examples.order.search;

import io.nexus.core.Nexus;
import io.nexus.core.command.CommandResult;
import io.nexus.core.projection.ProjectionProcessor;
import io.nexus.examples.order.OrderModule;
import io.nexus.examples.order.domain.AddLine;
import io.nexus.examples.order.domain.CancelOrder;
import io.nexus.examples.order.domain.ConfirmOrder;
import io.nexus.examples.order.domain.OrderStatus;
import io.nexus.examples.order.domain.PlaceOrder;
import io.nexus.examples.order.domain.RemoveLine;
import io.nexus.opensearch.EmbeddedOpenSearch;
import io.nexus.opensearch.Page;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example's order list and search, fed by real commands, against a real OpenSearch node in this JVM. */
class OrderSearchTest {

    @Test
    void commandsBecomeSearchableOrders() {
        OrderSearch search = new OrderSearch(EmbeddedOpenSearch.get().client(), "example-orders");
        try (Nexus nexus = Nexus.builder().module(new OrderModule()).build();
             ProjectionProcessor processor = ProjectionProcessor.builder(search.projection(), nexus.eventStore(), nexus.codec())
                     .pollInterval(Duration.ofMillis(50)).build()) {
            processor.start();
            nexus.commands().send(new PlaceOrder("order-1", "c-1"));
            nexus.commands().send(new AddLine("order-1", "green-apples", 3, 250));
            nexus.commands().send(new AddLine("order-1", "pear", 1, 100));
            nexus.commands().send(new AddLine("order-1", "green-apples", 1, 250));
            CommandResult confirmed = nexus.commands().send(new ConfirmOrder("order-1"));
            nexus.commands().send(new PlaceOrder("order-2", "c-1"));
            nexus.commands().send(new AddLine("order-2", "red-shoes", 1, 5_000));
            nexus.commands().send(new RemoveLine("order-2", "red-shoes"));
            nexus.commands().send(new AddLine("order-2", "blue-shoes", 2, 4_000));
            nexus.commands().send(new PlaceOrder("order-3", "c-2"));
            CommandResult cancelled = nexus.commands().send(new CancelOrder("order-3"));

            assertTrue(search.orders().awaitVersion("order-1", confirmed.version(), Duration.ofSeconds(30)),
                    () -> processor.health() + " " + processor.deadLetters());
            assertTrue(search.orders().awaitVersion("order-2", 4, Duration.ofSeconds(30)));
            assertTrue(search.orders().awaitVersion("order-3", cancelled.version(), Duration.ofSeconds(30)));
            search.orders().refresh();

            OrderDocument one = search.orders().get("order-1").orElseThrow().document();
            assertEquals(OrderStatus.CONFIRMED, one.status());
            assertEquals(1_100, one.totalCents());
            assertEquals(List.of(new OrderDocument.Line("pear", 1, 100), new OrderDocument.Line("green-apples", 4, 250)), one.lines());

            Page<OrderDocument> customer = search.list("c-1", null, 0, 10);
            assertEquals(List.of("order-2", "order-1"), customer.hits().stream().map(h -> h.document().orderId()).toList(),
                    "sorted by total, highest first");
            assertEquals(List.of("order-3"), search.list(null, OrderStatus.CANCELLED, 0, 10).hits().stream()
                    .map(h -> h.document().orderId()).toList());

            Page<OrderDocument> shoes = search.search("shoe", 10);
            assertEquals(List.of("order-2"), shoes.hits().stream().map(h -> h.document().orderId()).toList(),
                    "the removed red shoes no longer match; the blue ones do, stemmed");
            assertTrue(shoes.highlights().get("order-2").get("products").get(0).contains("<em>shoes</em>"),
                    shoes.highlights().toString());
            assertEquals(Map.of("CONFIRMED", 1L, "OPEN", 1L, "CANCELLED", 1L), search.countByStatus());
        }
    }
}
