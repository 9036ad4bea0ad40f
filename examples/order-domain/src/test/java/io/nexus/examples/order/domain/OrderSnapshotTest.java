package io.nexus.examples.order.domain;

import io.nexus.core.Nexus;
import io.nexus.core.snapshot.Snapshot;
import io.nexus.examples.order.OrderModule;
import io.nexus.testkit.ControllableClock;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The app's snapshot setting at work: snapshots are taken every 50 events and loads from them match a full replay. */
class OrderSnapshotTest {

    @Test
    void snapshotsEveryFiftyEventsAndLoadsFromThemToTheReplayedState() {
        try (Nexus nexus = Nexus.builder().module(new OrderModule()).clock(ControllableClock.standard())
                .snapshotExecutor(Runnable::run).build()) {
            nexus.commands().send(new PlaceOrder("order-1", "customer-7"));
            for (int i = 0; i < 60; i++) {
                nexus.commands().send(new AddLine("order-1", "sku-" + (i % 7), 1, 100 + (i % 7)));
                if (i % 5 == 4) {
                    nexus.commands().send(new RemoveLine("order-1", "sku-" + (i % 7)));
                }
            }
            long version = nexus.eventStore().currentVersion("order-1");
            assertEquals(73, version);

            Snapshot snapshot = nexus.snapshotStore().latest("order-1").orElseThrow();
            assertEquals(OrderModule.SNAPSHOT_EVERY_EVENTS, snapshot.version(), "first snapshot after 50 events");
            assertEquals(OrderModule.STATE_SCHEMA_VERSION, snapshot.stateSchemaVersion());

            Order fromSnapshot = nexus.repository(Order.class).load("order-1");
            Order replayed = nexus.repository(Order.class).loadAsOf("order-1", nexus.clock().instant(), Integer.MAX_VALUE);
            assertEquals(version, fromSnapshot.version());
            assertEquals(replayed.state(), fromSnapshot.state());
            assertTrue(fromSnapshot.totalCents() > 0);
        }
    }
}
