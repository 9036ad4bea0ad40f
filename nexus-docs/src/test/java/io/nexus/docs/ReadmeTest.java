package io.nexus.docs;

import io.nexus.core.Nexus;
import io.nexus.core.aggregate.Aggregate;
import io.nexus.core.aggregate.AggregateDefinition;
import io.nexus.core.aggregate.EventSourcingHandler;
import io.nexus.core.command.CommandResult;
import io.nexus.core.serialization.EventType;
import io.nexus.core.serialization.EventTypes;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The code of README.md. */
class ReadmeTest {

    // tag::domain[]
    @EventType("OrderPlaced") record OrderPlaced(String customerId) { }

    record PlaceOrder(String orderId, String customerId) { }

    public static final class Order extends Aggregate {
        private boolean placed;

        public void place(PlaceOrder command) {
            apply(new OrderPlaced(command.customerId()));
        }

        @EventSourcingHandler
        private void on(OrderPlaced event) { placed = true; }
    }
    // end::domain[]

    @Test
    void anOrderIsPlaced() {
        // tag::wiring[]
        Nexus nexus = Nexus.builder()
                .eventTypes(EventTypes.builder().register(OrderPlaced.class).build())
                .aggregate(AggregateDefinition.of(Order.class, Order::new), routes -> routes
                        .create(PlaceOrder.class, PlaceOrder::orderId, Order::place))
                .build();
        CommandResult result = nexus.commands().send(new PlaceOrder("order-1", "customer-7"));
        // end::wiring[]
        assertEquals(1, result.version());
        assertTrue(nexus.repository(Order.class).load("order-1").placed);
        nexus.close();
    }
}
