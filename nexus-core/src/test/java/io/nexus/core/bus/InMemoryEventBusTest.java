package io.nexus.core.bus;

import io.nexus.core.Awaiting;
import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.store.Subscription;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the embedded bus adds to the bus contract (which runs in nexus-test-kit). */
@SuppressWarnings("removal")
class InMemoryEventBusTest {

    @Test
    void connectedToAStorePublishesEveryCommittedAppendInCommitOrder() throws Exception {
        InMemoryEventStore store = InMemoryEventStore.create();
        InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
        try (InMemoryEventBus bus = InMemoryEventBus.builder().checkpoints(checkpoints).partitions(2)
                .routing(RoutingRule.secondaryFor(Set.of("Audited"))).build()) {
            Subscription connection = bus.connect(store);
            List<String> primary = Collections.synchronizedList(new ArrayList<>());
            List<String> secondary = Collections.synchronizedList(new ArrayList<>());
            bus.subscribe("reader", BusPath.PRIMARY, e -> primary.add(e.idempotencyKey()));
            bus.subscribe("reader", BusPath.SECONDARY, e -> secondary.add(e.idempotencyKey()));
            store.append("order-1", "Order", ExpectedVersion.noStream(), List.of(
                    NewEvent.of("Placed", 1, EventPayload.ofJson("{}")), NewEvent.of("Audited", 1, EventPayload.ofJson("{}"))));
            store.append("order-1", "Order", ExpectedVersion.exactly(2), List.of(NewEvent.of("Shipped", 1, EventPayload.ofJson("{}"))));
            Awaiting.until("the primary path has 2 events and the secondary 1", () -> primary.size() == 2 && secondary.size() == 1);
            assertEquals(List.of("order-1@1", "order-1@3"), primary);
            assertEquals(List.of("order-1@2"), secondary);

            int partition = bus.partitionOf("order-1");
            Awaiting.until("the primary group checkpointed", () -> checkpoints.load("reader/primary", "p-" + partition).isPresent()
                    && checkpoints.load("reader/primary", "p-" + partition).get().positionAsLong() == 2);
            Awaiting.until("the secondary group checkpointed at 1", () -> checkpoints.load("reader/secondary", "p-" + partition).map(Checkpoint::positionAsLong).orElse(0L) == 1);

            connection.close();
            store.append("order-2", "Order", ExpectedVersion.noStream(), List.of(NewEvent.of("Placed", 1, EventPayload.ofJson("{}"))));
            // A marker of the same aggregate, published by hand: had the append above been published, it would
            // arrive first (same partition, publish order), so once the marker is in, absence is proven.
            bus.publish(List.of(io.nexus.core.event.EventEnvelope.stored(NewEvent.of("Shipped", 1, EventPayload.ofJson("{}")),
                    "order-2", "Order", 2, 99, java.time.Instant.now())));
            Awaiting.until("the primary path has order-2@2", () -> primary.contains("order-2@2"));
            assertEquals(List.of("order-1@1", "order-1@3", "order-2@2"), primary, "a closed connection publishes nothing more");
        }
    }

    @Test
    void refusesASecondConsumerOfTheSameGroupAndPathAndUseAfterClose() {
        InMemoryEventBus bus = InMemoryEventBus.create();
        Subscription first = bus.subscribe("g", BusPath.PRIMARY, e -> { });
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> bus.subscribe("g", BusPath.PRIMARY, e -> { }));
        assertTrue(twice.getMessage().contains("'g'"), twice.getMessage());
        bus.subscribe("g", BusPath.SECONDARY, e -> { }).close();
        first.close();
        bus.subscribe("g", BusPath.PRIMARY, e -> { });
        bus.close();
        assertThrows(IllegalStateException.class, () -> bus.publish(List.of()));
        assertThrows(IllegalStateException.class, () -> bus.subscribe("h", BusPath.PRIMARY, e -> { }));
        assertThrows(IllegalArgumentException.class, () -> InMemoryEventBus.builder().partitions(0));
    }
}
