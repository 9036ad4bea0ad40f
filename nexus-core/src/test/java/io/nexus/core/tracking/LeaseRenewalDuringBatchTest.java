package io.nexus.core.tracking;

import io.nexus.core.Awaiting;
import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.lease.ConsumerLease;
import io.nexus.core.lease.InMemoryLeaseStore;
import io.nexus.core.lease.Lease;
import io.nexus.core.lease.LeaseStore;
import io.nexus.core.projection.TaskScheduler;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.InMemoryEventStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A batch that lasts longer than the lease: with renewals on a scheduler of their own (as Nexus gives its consumers),
 * the holder renews while the batch runs, keeps its term and stores the batch's checkpoint. On the tracker's own
 * scheduler no renewal could run before the batch ends, and the term would end under it.
 */
class LeaseRenewalDuringBatchTest {

    private static final Duration LEASE = Duration.ofMillis(300);

    @Test
    void aBatchLongerThanTheLeaseKeepsTheTermWhenRenewalsRunOnTheirOwnScheduler() throws Exception {
        InMemoryEventStore store = InMemoryEventStore.builder().build();
        InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
        Renewals leases = new Renewals(new InMemoryLeaseStore());
        store.append("s-1", "Note", ExpectedVersion.any(), List.of(NewEvent.of("Noted", 1, EventPayload.ofJson("{}"))));
        CountDownLatch inBatch = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        try (TaskScheduler renewals = TaskScheduler.singleThread("test-lease-renewals");
             LogTracker tracker = LogTracker.builder("slow", store, store, checkpoints)
                     .lease(new ConsumerLease(leases, "owner-a", LEASE, renewals)).build()) {
            tracker.start(batch -> {
                inBatch.countDown();
                try {
                    assertTrue(finish.await(30, TimeUnit.SECONDS), "the test lets the batch finish");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return batch.get(batch.size() - 1).globalPosition();
            });
            assertTrue(inBatch.await(10, TimeUnit.SECONDS), "the batch started");
            int before = leases.renewed.get();
            // Three renewals take at least a whole lease duration: the term would have ended without them.
            Awaiting.until("three renewals while the batch runs", () -> leases.renewed.get() >= before + 3);
            finish.countDown();
            Awaiting.until("the batch's checkpoint is stored", () -> checkpoints.load("slow", Checkpoint.GLOBAL).isPresent());
            assertEquals("1", checkpoints.load("slow", Checkpoint.GLOBAL).orElseThrow().position());
            assertFalse(tracker.isStandingBy(), "the tracker kept its term");
            assertEquals(1, leases.current("slow").orElseThrow().token(), "one term from the start: the lease never moved");
        }
    }

    /** Counts the renewals it grants. */
    private static final class Renewals implements LeaseStore {
        private final LeaseStore delegate;
        final AtomicInteger renewed = new AtomicInteger();

        Renewals(LeaseStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<Lease> tryAcquire(String name, String owner, Duration duration) {
            return delegate.tryAcquire(name, owner, duration);
        }

        @Override
        public Optional<Lease> renew(Lease lease, Duration duration) {
            Optional<Lease> renewedLease = delegate.renew(lease, duration);
            renewedLease.ifPresent(l -> renewed.incrementAndGet());
            return renewedLease;
        }

        @Override
        public void release(Lease lease) {
            delegate.release(lease);
        }

        @Override
        public Optional<Lease> current(String name) {
            return delegate.current(name);
        }
    }
}
