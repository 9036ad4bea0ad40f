package io.nexus.core.snapshot;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nexus.core.Nexus;
import io.nexus.core.aggregate.AggregateDefinition;
import io.nexus.core.testdomain.Account;
import io.nexus.core.testdomain.Accounts;
import io.nexus.core.testdomain.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotTest {

    private static AggregateDefinition<Account> everyEvents(int n, int stateVersion) {
        return AggregateDefinition.builder(Account.class, Account::new)
                .snapshots(Account.State.class, stateVersion, SnapshotTrigger.everyEvents(n)).build();
    }

    @Test
    void triggersCombineMetrics() {
        SnapshotMetrics m = new SnapshotMetrics(10, Duration.ofMinutes(5), 2_000, Duration.ofMillis(3));
        assertTrue(SnapshotTrigger.everyEvents(10).shouldSnapshot(m));
        assertFalse(SnapshotTrigger.everyEvents(11).shouldSnapshot(m));
        assertTrue(SnapshotTrigger.olderThan(Duration.ofMinutes(5)).shouldSnapshot(m));
        assertTrue(SnapshotTrigger.stateLargerThan(2_000).shouldSnapshot(m));
        assertFalse(SnapshotTrigger.loadTimeOver(Duration.ofMillis(4)).shouldSnapshot(m));
        assertFalse(SnapshotTrigger.everyEvents(100).and(SnapshotTrigger.olderThan(Duration.ofMinutes(1))).shouldSnapshot(m));
        assertTrue(SnapshotTrigger.everyEvents(100).or(SnapshotTrigger.olderThan(Duration.ofMinutes(1))).shouldSnapshot(m));
        assertFalse(SnapshotTrigger.never().shouldSnapshot(m));
        assertThrows(IllegalArgumentException.class, () -> SnapshotTrigger.everyEvents(0));
        assertThrows(IllegalArgumentException.class, () -> SnapshotTrigger.olderThan(Duration.ZERO));
    }

    @Test
    void aSnapshotIsTakenWhenTheTriggerFiresAndLoadsReplayOnlyTheTail() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Nexus nexus = Accounts.nexus(everyEvents(5, 1)).meterRegistry(registry).build()) {
            nexus.commands().send(new Account.Open("acc-1", "ann"));
            for (int i = 0; i < 6; i++) {
                nexus.commands().send(new Account.Deposit("acc-1", 1));
            }
            Optional<Snapshot> snapshot = nexus.snapshotStore().latest("acc-1");
            assertTrue(snapshot.isPresent());
            assertEquals(5, snapshot.get().version());
            assertEquals(1, snapshot.get().stateSchemaVersion());
            double before = registry.get("nexus.aggregate.load.events").summary().totalAmount();
            Account loaded = nexus.repository(Account.class).load("acc-1");
            double replayed = registry.get("nexus.aggregate.load.events").summary().totalAmount() - before;
            assertEquals(2, replayed, "versions 6 and 7 replayed on top of the snapshot at 5");
            assertEquals(new Account.State("ann", 6, 6), loaded.state());
            assertEquals(7, loaded.version());
        }
    }

    @Test
    void aSnapshotOfAnotherStateSchemaVersionIsIgnoredAndRebuilt() {
        InMemorySnapshotStore snapshots = new InMemorySnapshotStore();
        io.nexus.core.store.InMemoryEventStore store = io.nexus.core.store.InMemoryEventStore.create();
        try (Nexus v1 = Accounts.nexus(everyEvents(2, 1)).eventStore(store).snapshotStore(snapshots).build()) {
            v1.commands().send(new Account.Open("acc-1", "ann"));
            v1.commands().send(new Account.Deposit("acc-1", 4));
        }
        assertEquals(1, snapshots.latest("acc-1").orElseThrow().stateSchemaVersion());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Nexus v2 = Accounts.nexus(everyEvents(2, 2)).eventStore(store).snapshotStore(snapshots).meterRegistry(registry).build()) {
            Account loaded = v2.repository(Account.class).load("acc-1");
            assertEquals(4, loaded.balance());
            assertEquals(2, registry.get("nexus.aggregate.load.events").summary().totalAmount(), "full replay");
            v2.commands().send(new Account.Deposit("acc-1", 1));
            assertEquals(2, snapshots.latest("acc-1").orElseThrow().stateSchemaVersion(), "rebuilt at the new version");
        }
    }

    @Test
    void aFailingSnapshotStoreNeverFailsACommand() {
        SnapshotStore broken = new SnapshotStore() {
            @Override
            public void save(Snapshot snapshot) {
                throw new IllegalStateException("disk full");
            }

            @Override
            public Optional<Snapshot> latest(String streamId) {
                throw new IllegalStateException("disk gone");
            }

            @Override
            public void delete(String streamId) {
            }
        };
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Nexus nexus = Accounts.nexus(everyEvents(1, 1)).snapshotStore(broken).meterRegistry(registry).build()) {
            nexus.commands().send(new Account.Open("acc-1", "ann"));
            nexus.commands().send(new Account.Deposit("acc-1", 2));
            assertEquals(2, nexus.repository(Account.class).load("acc-1").balance());
            assertTrue(registry.get("nexus.snapshot.failures").tags("stage", "write").counter().count() >= 1);
            assertTrue(registry.get("nexus.snapshot.failures").tags("stage", "read").counter().count() >= 1);
        }
    }

    @Test
    void snapshotsAreWrittenInTheBackgroundByDefault() throws Exception {
        InMemorySnapshotStore snapshots = new InMemorySnapshotStore();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        SnapshotStore slow = new SnapshotStore() {
            @Override
            public void save(Snapshot snapshot) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                snapshots.save(snapshot);
            }

            @Override
            public Optional<Snapshot> latest(String streamId) {
                return snapshots.latest(streamId);
            }

            @Override
            public void delete(String streamId) {
                snapshots.delete(streamId);
            }
        };
        Nexus nexus = Nexus.builder().eventTypes(Account.eventTypes()).snapshotStore(slow)
                .aggregate(everyEvents(1, 1), Accounts::routes).build();
        nexus.commands().send(new Account.Open("acc-1", "ann"));
        assertTrue(snapshots.latest("acc-1").isEmpty(), "the command returned while the snapshot write is still blocked");
        release.countDown();
        nexus.close();
        assertEquals(1, snapshots.latest("acc-1").orElseThrow().version());
    }

    @Test
    void olderThanTriggerUsesTheApplicationClock() {
        MutableClock clock = new MutableClock();
        AggregateDefinition<Account> def = AggregateDefinition.builder(Account.class, Account::new)
                .snapshots(Account.State.class, 1, SnapshotTrigger.olderThan(Duration.ofHours(1))).build();
        try (Nexus nexus = Accounts.nexus(def).clock(clock).build()) {
            nexus.commands().send(new Account.Open("acc-1", "ann"));
            nexus.commands().send(new Account.Deposit("acc-1", 1));
            assertTrue(nexus.snapshotStore().latest("acc-1").isEmpty());
            clock.advance(Duration.ofMinutes(61));
            nexus.commands().send(new Account.Deposit("acc-1", 1));
            assertEquals(3, nexus.snapshotStore().latest("acc-1").orElseThrow().version());
        }
    }

    @Test
    void theStoreKeepsOnlyNewerSnapshots() {
        InMemorySnapshotStore store = new InMemorySnapshotStore(100);
        store.save(new Snapshot("s", "A", 5, 1, java.time.Instant.EPOCH, io.nexus.core.event.EventPayload.ofJson("{}")));
        store.save(new Snapshot("s", "A", 3, 1, java.time.Instant.EPOCH, io.nexus.core.event.EventPayload.ofJson("{}")));
        assertEquals(5, store.latest("s").orElseThrow().version());
        assertThrows(SnapshotTooLargeException.class, () -> store.save(new Snapshot("s", "A", 9, 1, java.time.Instant.EPOCH,
                io.nexus.core.event.EventPayload.ofJson("{\"x\":\"" + "y".repeat(200) + "\"}"))));
        assertEquals(5, store.latest("s").orElseThrow().version());
    }
}
