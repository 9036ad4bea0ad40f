package io.nexus.core;

import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.lease.InMemoryLeaseStore;
import io.nexus.core.notification.Notification;
import io.nexus.core.projection.ProcessingMode;
import io.nexus.core.projection.Projection;
import io.nexus.core.projection.ProjectionHealth;
import io.nexus.core.projection.TypedProjection;
import io.nexus.core.readmodel.InMemoryReadModelStores;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.testdomain.Account;
import io.nexus.core.testdomain.Accounts;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two instances of one application on shared stores, one running the projection and one standing by for it: the
 * standing-by instance's notification hub still hears of each event, once the running instance has applied it, so
 * read-your-writes and subscriptions work on either instance.
 */
class NexusStandbyNotificationsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final InMemoryEventStore store = InMemoryEventStore.builder().build();
    private final InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
    private final InMemoryReadModelStores readModels = new InMemoryReadModelStores();
    private final InMemoryLeaseStore leases = new InMemoryLeaseStore();
    /** While armed, instance-a's projection waits at its handler until the gate opens. */
    private volatile boolean holding;
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch gate = new CountDownLatch(1);

    private Nexus instance(String id, ProcessingMode mode, CheckpointStore checkpointStore) {
        TypedProjection balances = Projection.handling("balances")
                .on(Account.Opened.class, (event, envelope) -> hold(id))
                .on(Account.Deposited.class, (event, envelope) -> hold(id))
                .build();
        return Accounts.nexus().eventStore(store).checkpointStore(checkpointStore).readModels(readModels)
                .leaseStore(leases).instanceId(id).leaseDuration(Duration.ofSeconds(3)).notifications()
                .projection(balances, options -> options.mode(mode).notifications())
                .build();
    }

    private void hold(String id) {
        if (holding && id.equals("instance-a")) {
            entered.countDown();
            try {
                assertTrue(gate.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the gate opens");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private long checkpoint() {
        return checkpoints.load("balances", Checkpoint.GLOBAL).map(Checkpoint::positionAsLong).orElse(0L);
    }

    @Test
    void anAppendThroughTheStandingByInstanceBecomesVisibleThereOnceTheHolderHasAppliedIt() throws Exception {
        CountingCheckpoints countedForB = new CountingCheckpoints(checkpoints);
        try (Nexus a = instance("instance-a", ProcessingMode.ASYNC, checkpoints);
             Nexus b = instance("instance-b", ProcessingMode.ASYNC, countedForB)) {
            a.start();
            b.start();
            assertEquals(ProjectionHealth.Status.STANDBY, b.projection("balances").health().status());
            List<String> heard = Collections.synchronizedList(new ArrayList<>());
            b.notifications().subscribe("client-1", "acc-1", 0, n -> heard.add(n.aggregateId() + "@" + n.version()));

            b.commands().send(new Account.Open("acc-1", "ann"));
            CompletableFuture<Notification> opened = b.notifications().awaitVersion("acc-1", 1, WAIT);
            Awaiting.until("instance-b's hub hears of the opening", opened::isDone);
            assertEquals(1, opened.join().version());

            holding = true;
            b.commands().send(new Account.Deposit("acc-1", 10));
            CompletableFuture<Notification> deposited = b.notifications().awaitVersion("acc-1", 2, WAIT);
            assertTrue(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS), "instance-a is applying the deposit");
            int looked = countedForB.loads.get();
            Awaiting.until("instance-b looked at the holder's checkpoint twice more", () -> countedForB.loads.get() >= looked + 2);
            assertFalse(deposited.isDone(), "not visible before the holder has applied it");
            assertEquals(1, checkpoint());

            gate.countDown();
            Awaiting.until("instance-b's hub hears of the deposit", deposited::isDone);
            assertEquals(2, deposited.join().version());
            assertEquals(2, checkpoint(), "heard of once the holder's checkpoint passed it");
            Awaiting.until("the subscriber heard of both", () -> heard.size() >= 2);
            assertEquals(List.of("acc-1@1", "acc-1@2"), heard);
        }
    }

    @Test
    void anInlineProjectionNotifiesOnBothInstancesAndOnceOnTheOneThatTakesOver() throws Exception {
        Nexus a = instance("instance-a", ProcessingMode.INLINE, checkpoints);
        try (Nexus b = instance("instance-b", ProcessingMode.INLINE, checkpoints)) {
            List<String> heard = Collections.synchronizedList(new ArrayList<>());
            b.notifications().subscribeToProjection("client-1", "balances", n -> heard.add(n.aggregateId() + "@" + n.version()));
            try (a) {
                a.start();
                b.start();
                assertEquals(ProjectionHealth.Status.STANDBY, b.projection("balances").health().status());

                b.commands().send(new Account.Open("acc-1", "ann"));
                assertTrue(a.notifications().awaitVersion("acc-1", 1, WAIT).isDone(), "the holder applied it inline");
                CompletableFuture<Notification> opened = b.notifications().awaitVersion("acc-1", 1, WAIT);
                Awaiting.until("instance-b's hub hears of it", opened::isDone);
                a.commands().send(new Account.Open("acc-2", "bob"));
            }

            // the holder closed: instance-b runs the projection, tells its hub itself, and its relay is stopped
            Awaiting.until("instance-b runs the projection",
                    () -> b.projection("balances").health().status() == ProjectionHealth.Status.RUNNING);
            b.commands().send(new Account.Deposit("acc-1", 5));
            CompletableFuture<Notification> deposited = b.notifications().awaitVersion("acc-1", 2, WAIT);
            Awaiting.until("instance-b applied its deposit", deposited::isDone);
            // a marker: a second notification of anything would come before it
            b.commands().send(new Account.Deposit("acc-2", 1));
            b.commands().send(new Account.Deposit("acc-2", 1));
            Awaiting.until("the marker is heard of", () -> heard.contains("acc-2@3"));
            assertEquals(List.of("acc-1@1", "acc-1@2", "acc-2@1", "acc-2@2", "acc-2@3"), heard.stream().sorted().toList(),
                    "each event heard of once: " + heard);
        }
    }
}
