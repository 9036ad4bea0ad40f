package io.nexus.postgresql;

import io.nexus.core.Nexus;
import io.nexus.core.NexusModule;
import io.nexus.core.aggregate.Aggregate;
import io.nexus.core.aggregate.AggregateDefinition;
import io.nexus.core.aggregate.EventSourcingHandler;
import io.nexus.core.serialization.EventType;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.store.StreamQuery;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The code of docs/postgresql.md, run against an embedded PostgreSQL server. */
class PostgresDocTest {

    @EventType("OrderPlaced")
    record OrderPlaced(String orderId) { }

    record PlaceOrder(String orderId) { }

    /** An order that is placed once. */
    public static final class Order extends Aggregate {
        void place(PlaceOrder command) {
            apply(new OrderPlaced(command.orderId()));
        }

        @EventSourcingHandler
        private void on(OrderPlaced event) {
        }
    }

    /** The application's event types and aggregate, as the page's {@code OrderModule}. */
    static final class OrderModule implements NexusModule {
        @Override
        public void configure(Nexus.Builder builder) {
            builder.eventTypes(EventTypes.builder().register(OrderPlaced.class).build())
                    .aggregate(AggregateDefinition.builder(Order.class, Order::new).build(),
                            routes -> routes.create(PlaceOrder.class, PlaceOrder::orderId, Order::place));
        }
    }

    @Test
    void oneCallPutsEveryPortOnPostgres() {
        String url = EmbeddedPostgresServer.jdbcUrl();
        String user = "postgres";
        String secret = null;
        // tag::engines[]
        // url: e.g. "jdbc:postgresql://localhost:5432/shop"
        try (PostgresEngines postgres = PostgresEngines.builder(url, user, secret)
                     .schema("nexus")            // default "nexus"
                     .poolSize(16)               // default 16; one connection LISTENs while projections run
                     .build();                   // creates the pool, migrates the schema, builds the ports
             Nexus nexus = Nexus.builder().engines(postgres).module(new OrderModule()).build()) {
            nexus.start();
            nexus.commands().send(new PlaceOrder("order-42"));
        }
        // end::engines[]
        PostgresEventStore store = PostgresEventStore.builder(EmbeddedPostgresServer.dataSource()).schema("nexus").build();
        assertEquals(1, store.currentVersion("order-42"));
        assertEquals("OrderPlaced", store.read(StreamQuery.stream("order-42")).get(0).eventType());
    }
}
