package io.nexus.core;

import io.nexus.core.bus.BusPath;
import io.nexus.core.bus.InMemoryEventBus;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.lease.InMemoryLeaseStore;
import io.nexus.core.projection.Projection;
import io.nexus.core.projection.ProjectionHealth;
import io.nexus.core.projection.TypedProjection;
import io.nexus.core.readmodel.InMemoryReadModelStores;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.testdomain.Account;
import io.nexus.core.testdomain.Accounts;
import io.nexus.core.tracking.LogTracker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two instances of one application on shared stores (as two processes on a shared engine would be): each projection
 * and the event router run in one instance at a time, and the other takes over when that one closes.
 */
class NexusInstancesShareConsumersTest {

    private final InMemoryEventStore store = InMemoryEventStore.builder().build();
    private final InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
    private final InMemoryReadModelStores readModels = new InMemoryReadModelStores();
    private final InMemoryLeaseStore leases = new InMemoryLeaseStore();
    /** "instance:position" for every event a projection handled, in either instance. */
    private final List<String> projected = Collections.synchronizedList(new ArrayList<>());
    /** "instance:key" for every event a bus consumer received, in either instance. */
    private final List<String> billed = Collections.synchronizedList(new ArrayList<>());

    private TypedProjection ledger(String id) {
        return Projection.handling("ledger")
                .on(Account.Opened.class, (event, envelope) -> projected.add(id + ":" + envelope.globalPosition()))
                .on(Account.Deposited.class, (event, envelope) -> projected.add(id + ":" + envelope.globalPosition()))
                .build();
    }

    private Nexus instance(String id) {
        TypedProjection ledger = ledger(id);
        return Accounts.nexus().eventStore(store).checkpointStore(checkpoints).readModels(readModels)
                .leaseStore(leases).instanceId(id).leaseDuration(Duration.ofSeconds(3))
                .projection(ledger)
                .eventBus(InMemoryEventBus.create(), consumers -> consumers.consumer("billing", BusPath.PRIMARY,
                        e -> billed.add(id + ":" + e.idempotencyKey())))
                .build();
    }

    /** The positions handled, each with the instances that handled it. */
    private static Map<Long, List<String>> byPosition(List<String> handled) {
        Map<Long, List<String>> positions = new TreeMap<>();
        synchronized (handled) {
            for (String entry : handled) {
                String[] parts = entry.split(":");
                long position = parts[1].contains("@") ? -1 : Long.parseLong(parts[1]);
                positions.computeIfAbsent(position, p -> new ArrayList<>()).add(parts[0]);
            }
        }
        return positions;
    }

    private static List<Long> range(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().toList();
    }

    @Test
    void eachConsumerRunsInOneInstanceAndTheOtherTakesOverWhenItCloses() throws Exception {
        Nexus a = instance("instance-a");
        Nexus b = instance("instance-b");
        try (b) {
            try (a) {
                a.start();
                b.start();
                assertEquals(ProjectionHealth.Status.RUNNING, a.projection("ledger").health().status());
                assertEquals(ProjectionHealth.Status.STANDBY, b.projection("ledger").health().status());
                assertTrue(b.projection("ledger").health().healthy(), "standing by needs no attention");
                assertEquals("instance-a", leases.current("ledger").orElseThrow().owner());
                assertEquals("instance-a", leases.current("event-router/default").orElseThrow().owner());
                IllegalStateException elsewhere = assertThrows(IllegalStateException.class,
                        () -> b.projection("ledger").retryDeadLetter(UUID.randomUUID()));
                assertEquals("Projection 'ledger' is standing by: instance 'instance-a' holds its lease and runs it; "
                        + "retry its dead letters on that instance", elsewhere.getMessage());
                assertThrows(IllegalStateException.class, () -> b.projection("ledger").rebuild(
                        ledger("instance-b").bind(b.codec().types()), 0), "a rebuild starts where the projection runs");

                a.commands().send(new Account.Open("acc-1", "ann"));
                b.commands().send(new Account.Open("acc-2", "bob"));
                b.commands().send(new Account.Deposit("acc-1", 10));
                a.commands().send(new Account.Deposit("acc-2", 5));
                Awaiting.until("the holder projected and published all four events",
                        () -> projected.size() >= 4 && billed.size() >= 4);
                // a marker: anything handled twice would have arrived before it
                b.commands().send(new Account.Deposit("acc-1", 1));
                Awaiting.until("the marker is projected and published", () -> projected.size() >= 5 && billed.size() >= 5);
                assertEquals(range(1, 5), List.copyOf(byPosition(projected).keySet()));
                assertTrue(byPosition(projected).values().stream().allMatch(List.of("instance-a")::equals),
                        "each event projected once, by the instance holding the lease: " + projected);
                assertEquals(5, billed.size(), billed.toString());
                assertTrue(billed.stream().allMatch(e -> e.startsWith("instance-a:")), billed.toString());
            }

            // closing the holder released its leases: the other instance takes over from the checkpoints
            Awaiting.until("instance-b runs the projection", () -> b.projection("ledger").health().status() == ProjectionHealth.Status.RUNNING);
            Awaiting.until("instance-b runs the router", () -> leases.current("event-router/default")
                    .map(l -> l.owner().equals("instance-b")).orElse(false));
            b.commands().send(new Account.Deposit("acc-2", 2));
            b.commands().send(new Account.Open("acc-3", "cid"));
            Awaiting.until("the new holder projected and published both", () -> projected.size() >= 7 && billed.size() >= 7);
            b.commands().send(new Account.Deposit("acc-3", 3));
            Awaiting.until("the marker is projected and published", () -> projected.size() >= 8 && billed.size() >= 8);

            Map<Long, List<String>> positions = byPosition(projected);
            assertEquals(range(1, 8), List.copyOf(positions.keySet()), "nothing lost: " + projected);
            assertEquals(List.of("instance-b"), positions.get(6L), "nothing handled twice: " + projected);
            assertEquals(List.of("instance-b"), positions.get(8L));
            assertEquals(8, projected.size(), projected.toString());
            assertEquals(8, billed.size(), billed.toString());
            // the bus delivers different aggregates in parallel: their order is not the log's
            assertEquals(List.of("instance-b:acc-2@3", "instance-b:acc-3@1", "instance-b:acc-3@2"),
                    billed.subList(5, 8).stream().sorted().toList());
        }
    }

    @Test
    void aPerInstanceProjectionRunsInEveryInstanceOnCheckpointsOfItsOwn() throws Exception {
        List<String> viewed = Collections.synchronizedList(new ArrayList<>());
        Nexus[] instances = new Nexus[2];
        for (int i = 0; i < 2; i++) {
            String id = "instance-" + i;
            TypedProjection view = Projection.handling("local-view")
                    .on(Account.Opened.class, (event, envelope) -> viewed.add(id + ":" + envelope.globalPosition()))
                    .build();
            instances[i] = Accounts.nexus().eventStore(store).checkpointStore(checkpoints).leaseStore(leases).instanceId(id)
                    .projection(view, options -> options.perInstance()).build();
        }
        try (Nexus a = instances[0]; Nexus b = instances[1]) {
            a.start();
            b.start();
            a.commands().send(new Account.Open("acc-1", "ann"));
            b.commands().send(new Account.Open("acc-2", "bob"));
            Awaiting.until("both instances built their own view", () -> viewed.size() >= 4);
            assertEquals(List.of("instance-0:1", "instance-0:2", "instance-1:1", "instance-1:2"), viewed.stream().sorted().toList());
            assertEquals(ProjectionHealth.Status.RUNNING, b.projection("local-view").health().status());
            assertTrue(leases.current("local-view").isEmpty(), "no lease taken");
            assertTrue(checkpoints.load("local-view", io.nexus.core.checkpoint.Checkpoint.GLOBAL).isEmpty(),
                    "its position is kept in memory, not in the shared checkpoint store");
        }
    }

    @Test
    void withTheDefaultLeaseStoreEveryInstanceIsItsOwnArbiterAndRunsItsConsumersWithoutALease() throws Exception {
        try (Nexus nexus = Accounts.nexus().build()) {
            assertFalse(nexus.consumerLease().isPresent());
            assertFalse(nexus.instanceId().isBlank());
            try (LogTracker tracker = nexus.logTracker("plain").build()) {
                tracker.start(batch -> LogTracker.NO_CHECKPOINT);
                assertTrue(tracker.lease().isEmpty(), "no lease: it runs whenever it is started");
                assertFalse(tracker.isStandingBy());
            }
        }
        try (Nexus one = Accounts.nexus().leaseStore(leases).build(); Nexus two = Accounts.nexus().leaseStore(leases).build()) {
            assertFalse(one.instanceId().equals(two.instanceId()), "two instances in one process have different ids");
            try (LogTracker first = one.logTracker("shared").build(); LogTracker second = two.logTracker("shared").build();
                 LogTracker local = two.logTracker("shared").withoutLease().build()) {
                first.start(batch -> LogTracker.NO_CHECKPOINT);
                second.start(batch -> LogTracker.NO_CHECKPOINT);
                local.start(batch -> LogTracker.NO_CHECKPOINT);
                assertEquals(one.instanceId(), first.lease().orElseThrow().owner());
                assertTrue(second.isStandingBy(), "the context's trackers are exclusive across instances");
                assertFalse(local.isStandingBy(), "one built without a lease runs in every instance");
            }
        }
    }
}
