package io.nexus.opensearch;

import io.nexus.core.Nexus;
import io.nexus.core.aggregate.Aggregate;
import io.nexus.core.aggregate.AggregateDefinition;
import io.nexus.core.aggregate.EventSourcingHandler;
import io.nexus.core.command.CommandResult;
import io.nexus.core.projection.ProjectionProcessor;
import io.nexus.core.serialization.EventType;
import io.nexus.core.serialization.EventTypes;
import org.junit.jupiter.api.Test;
import org.opensearch.client.opensearch.OpenSearchClient;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The code of docs/opensearch.md, run against an embedded OpenSearch node. */
class OpenSearchDocTest {

    @EventType("OrderPlaced")
    record OrderPlaced(String orderId, String customerId, String note) { }

    @EventType("LineAdded")
    record LineAdded(String orderId, int quantity, long unitPriceCents) { }

    @EventType("OrderConfirmed")
    record OrderConfirmed(String orderId) { }

    record PlaceOrder(String orderId, String customerId, String note) { }

    record AddLine(String orderId, int quantity, long unitPriceCents) { }

    record ConfirmOrder(String orderId) { }

    /** The document the page's read model holds. */
    record OrderDoc(String customer, String status, String description, long totalCents) {
        OrderDoc withTotal(long cents) {
            return new OrderDoc(customer, status, description, cents);
        }

        OrderDoc withStatus(String value) {
            return new OrderDoc(customer, value, description, totalCents);
        }
    }

    /** An order that accepts lines until it is confirmed. */
    public static final class Order extends Aggregate {
        private boolean confirmed;

        void place(PlaceOrder command) {
            apply(new OrderPlaced(command.orderId(), command.customerId(), command.note()));
        }

        void add(AddLine command) {
            if (confirmed) {
                throw new IllegalStateException("order '" + command.orderId() + "' is confirmed");
            }
            apply(new LineAdded(command.orderId(), command.quantity(), command.unitPriceCents()));
        }

        void confirm(ConfirmOrder command) {
            apply(new OrderConfirmed(command.orderId()));
        }

        @EventSourcingHandler
        private void on(OrderPlaced event) {
        }

        @EventSourcingHandler
        private void on(LineAdded event) {
        }

        @EventSourcingHandler
        private void on(OrderConfirmed event) {
            confirmed = true;
        }
    }

    @Test
    void aSearchableReadModelFollowsTheCommands() {
        OpenSearchClient client = EmbeddedOpenSearch.get().client();
        try (Nexus nexus = Nexus.builder()
                .eventTypes(EventTypes.builder().register(OrderPlaced.class).register(LineAdded.class)
                        .register(OrderConfirmed.class).build())
                .aggregate(AggregateDefinition.builder(Order.class, Order::new).build(), routes -> routes
                        .create(PlaceOrder.class, PlaceOrder::orderId, Order::place)
                        .update(AddLine.class, AddLine::orderId, Order::add)
                        .update(ConfirmOrder.class, ConfirmOrder::orderId, Order::confirm))
                .build()) {
            nexus.start();
            // tag::read-model[]
            OpenSearchReadModel<OrderDoc> orders = OpenSearchReadModel.builder(client, "orders", OrderDoc.class)
                    .mapping("""
                        {"properties": {
                          "customer": {"type": "keyword"}, "status": {"type": "keyword"},
                          "description": {"type": "text", "analyzer": "english"}, "totalCents": {"type": "long"}}}""")
                    .settings("{\"number_of_shards\": 1}")
                    .build();
            orders.createIfMissing();   // index orders-000001 with the mapping, alias "orders" pointing at it

            OpenSearchProjection<OrderDoc> projection = OpenSearchProjection.perAggregate("order-search",
                    Set.of("OrderPlaced", "LineAdded", "OrderConfirmed"), orders,
                    (current, event, envelope) -> {
                        if (event instanceof OrderPlaced p) {
                            return new OrderDoc(p.customerId(), "PLACED", p.note(), 0);
                        }
                        if (event instanceof LineAdded l) {
                            return current.withTotal(current.totalCents() + l.quantity() * l.unitPriceCents());
                        }
                        return current.withStatus("CONFIRMED");
                    });

            ProjectionProcessor processor = ProjectionProcessor.builder(projection, nexus.eventStore(), nexus.codec()).build();
            processor.start();
            // end::read-model[]
            try (processor) {
                nexus.commands().send(new PlaceOrder("order-42", "customer-7", "blue shoes, gift wrapped"));
                nexus.commands().send(new AddLine("order-42", 2, 1_500));
                nexus.commands().send(new PlaceOrder("order-43", "customer-8", "red hat"));
                // tag::read-your-writes[]
                CommandResult result = nexus.commands().send(new ConfirmOrder("order-42"));
                boolean visible = orders.awaitVersion("order-42", result.version(), Duration.ofSeconds(2));
                // end::read-your-writes[]
                assertTrue(visible || orders.awaitVersion("order-42", result.version(), Duration.ofSeconds(30)),
                        "the confirmation reached the read model");
                assertTrue(orders.awaitVersion("order-43", 1, Duration.ofSeconds(30)));
                orders.refresh();

                // tag::queries[]
                Optional<Versioned<OrderDoc>> one = orders.get("order-42");                 // real time, with version
                Page<OrderDoc> page = orders.search(Query.all().filter("status", "CONFIRMED")
                        .sortBy("totalCents", false).page(0, 20));
                Page<OrderDoc> hits = orders.search(Query.all().text("blue shoes", "description").highlighted());
                hits.highlights().get("order-42").get("description");                        // ["<em>blue</em> <em>shoes</em> ..."]
                Map<String, Long> byStatus = orders.countBy("status", Query.all(), 10);      // terms aggregation
                // end::queries[]

                assertEquals(new OrderDoc("customer-7", "CONFIRMED", "blue shoes, gift wrapped", 3_000), one.orElseThrow().document());
                assertEquals(3, one.orElseThrow().version());
                assertEquals(List.of("order-42"), page.hits().stream().map(Versioned::id).toList());
                assertEquals(List.of("order-42"), hits.hits().stream().map(Versioned::id).toList());
                assertTrue(hits.highlights().get("order-42").get("description").get(0).contains("<em>blue</em>"));
                assertEquals(Map.of("CONFIRMED", 1L, "PLACED", 1L), byStatus);
            }
        }
    }
}
