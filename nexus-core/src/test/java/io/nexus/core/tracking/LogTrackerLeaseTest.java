package io.nexus.core.tracking;

import io.nexus.core.NexusException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.lease.InMemoryLeaseStore;
import io.nexus.core.lease.Lease;
import io.nexus.core.lease.LeaseStore;
import io.nexus.core.projection.ManualScheduler;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.InMemoryEventStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.LongSupplier;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Trackers of one consumer in several processes (owners) sharing one lease store: one handles, the others stand by. */
class LogTrackerLeaseTest {

    private static final Duration LEASE = Duration.ofSeconds(15);
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    private final ManualScheduler scheduler = new ManualScheduler();
    private final InMemoryEventStore store = InMemoryEventStore.builder().clock(scheduler).build();
    private final InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore(scheduler);
    private final List<LogTracker> trackers = new ArrayList<>();
    /** Every position any tracker handled, in order, duplicates included. */
    private final List<Long> handled = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void closeAll() {
        trackers.forEach(LogTracker::close);
    }

    private static LongSupplier ticker(ManualScheduler clock) {
        return () -> Duration.between(EPOCH, clock.instant()).toNanos();
    }

    private LogTracker tracker(String owner, LeaseStore leases, ManualScheduler tasks) {
        return tracker(owner, leases, tasks, new SimpleMeterRegistry());
    }

    private LogTracker tracker(String owner, LeaseStore leases, ManualScheduler tasks, MeterRegistry meters) {
        LogTracker tracker = LogTracker.builder("summaries", store, store, checkpoints).scheduler(tasks).pollInterval(POLL)
                .batchSize(3).random(new Random(7)).lease(leases, owner).leaseDuration(LEASE).ticker(ticker(tasks))
                .meterRegistry(meters).build();
        trackers.add(tracker);
        return tracker;
    }

    /** Records what it is handed, in the shared list and its own, and declares each batch done. */
    private final class Recording implements LogHandler {
        final List<Long> positions = Collections.synchronizedList(new ArrayList<>());

        @Override
        public long handle(List<EventEnvelope> batch) {
            batch.forEach(e -> {
                positions.add(e.globalPosition());
                handled.add(e.globalPosition());
            });
            return batch.get(batch.size() - 1).globalPosition();
        }
    }

    private void append(int count) {
        List<NewEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(NewEvent.of("Noted", 1, EventPayload.ofJson("{}")));
        }
        store.append("s-" + store.headPosition(), "Note", ExpectedVersion.any(), events);
    }

    private long checkpoint() {
        return checkpoints.load("summaries", Checkpoint.GLOBAL).map(Checkpoint::positionAsLong).orElse(-1L);
    }

    private static double held(MeterRegistry meters) {
        return meters.get("nexus.tracker.lease.held").tag("consumer", "summaries").gauge().value();
    }

    private static List<Long> range(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().toList();
    }

    @Test
    void oneOwnerHandlesWhileTheOtherStandsByAndTakesOverFromTheCheckpointWhenTheHolderStops() {
        InMemoryLeaseStore leases = new InMemoryLeaseStore(scheduler);
        Recording first = new Recording();
        Recording second = new Recording();
        SimpleMeterRegistry metersA = new SimpleMeterRegistry();
        SimpleMeterRegistry metersB = new SimpleMeterRegistry();
        LogTracker a = tracker("instance-a", leases, scheduler, metersA);
        LogTracker b = tracker("instance-b", leases, scheduler, metersB);
        a.start(first);
        b.start(second);
        assertEquals(1.0, held(metersA));
        assertEquals(0.0, held(metersB));
        assertTrue(a.lease().isPresent(), "the first to ask holds the lease");
        assertFalse(a.isStandingBy());
        assertTrue(b.isStandingBy(), "the second stands by");
        assertTrue(b.isRunning(), "started, though standing by");
        assertEquals(Optional.of("instance-a"), b.lastKnownHolder());

        append(5);
        scheduler.runDue();
        // a minute of renewals and of the other's attempts to take the lease
        scheduler.advance(Duration.ofSeconds(60));
        append(2);
        scheduler.advance(Duration.ofSeconds(30));
        assertEquals(range(1, 7), handled, "every event handled once, by the holder");
        assertEquals(List.of(), second.positions);
        assertEquals(7, checkpoint());
        assertEquals(1, a.lease().orElseThrow().token(), "renewals keep the term");

        a.stop();
        assertTrue(leases.current("summaries").isEmpty(), "stopping releases the lease");
        // the standing-by tracker asks again within half a lease duration
        scheduler.advance(LEASE.dividedBy(2));
        assertFalse(b.isStandingBy(), "the other took over");
        assertEquals(1.0, held(metersB));
        assertTrue(metersA.find("nexus.tracker.lease.held").gauges().isEmpty(), "a stopped tracker's gauge is removed");
        assertEquals("instance-b", leases.current("summaries").orElseThrow().owner());
        append(3);
        scheduler.runDue();

        assertEquals(range(1, 10), handled, "nothing lost, nothing handled twice");
        assertEquals(range(8, 10), second.positions, "the new holder continues from the checkpoint");
        assertEquals(10, checkpoint());
        assertEquals(2, b.lease().orElseThrow().token(), "a new term has a greater token");
    }

    @Test
    void aHolderWhoseTermRunsOutDuringABatchStoresNoCheckpointAndTheNextHolderHandlesTheBatchAgain() {
        ManualScheduler storeClock = new ManualScheduler();
        ManualScheduler otherProcess = new ManualScheduler();
        InMemoryLeaseStore leases = new InMemoryLeaseStore(storeClock);
        LogTracker a = tracker("instance-a", leases, scheduler);
        LogTracker b = tracker("instance-b", leases, otherProcess);
        Recording second = new Recording();
        append(3);
        a.start(batch -> {
            batch.forEach(e -> handled.add(e.globalPosition()));
            if (batch.get(0).globalPosition() == 4) {
                // the holder stalls in this batch past its term: the store lets the other process take the lease
                scheduler.skip(LEASE.plusSeconds(1));
                storeClock.skip(LEASE.plusSeconds(1));
                otherProcess.advance(LEASE.dividedBy(2));
            }
            return batch.get(batch.size() - 1).globalPosition();
        });
        b.start(second);
        scheduler.runDue();
        assertEquals(3, checkpoint());

        append(3);
        scheduler.runDue();

        assertTrue(a.isStandingBy(), "the stalled holder noticed its term ended and stands by");
        assertTrue(a.lease().isEmpty());
        assertEquals(3, a.checkpointedPosition(), "the stalled holder stored nothing after its term");
        assertEquals(range(4, 6), second.positions, "the new holder started from the last checkpoint of the old term");
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 4L, 5L, 6L), handled,
                "only the batch in progress when the term ended is handled twice");
        assertEquals(6, checkpoint(), "stored by the new holder");
        assertEquals("instance-b", leases.current("summaries").orElseThrow().owner());
    }

    @Test
    void aRefusedRenewalEndsTheTermAndNothingIsStoredUnderItAfterwards() {
        Flaky leases = new Flaky(new InMemoryLeaseStore(scheduler));
        LogTracker a = tracker("instance-a", leases, scheduler);
        List<Long> positions = new ArrayList<>();
        a.start(batch -> {
            batch.forEach(e -> positions.add(e.globalPosition()));
            // like a projection whose event is being retried: the checkpoint is declared later
            return batch.get(0).globalPosition() == 1 ? batch.get(batch.size() - 1).globalPosition() : LogTracker.NO_CHECKPOINT;
        });
        append(3);
        scheduler.runDue();
        append(2);
        scheduler.runDue();
        assertEquals(3, checkpoint());

        leases.takenByOther = true;
        scheduler.advance(LEASE.dividedBy(3));
        assertTrue(a.isStandingBy(), "a refused renewal ends the term at once");
        a.checkpoint(5);
        assertEquals(3, checkpoint(), "no checkpoint is stored after the term");
        append(1);
        scheduler.advance(LEASE.dividedBy(2));
        assertEquals(range(1, 5), positions, "nothing is handled after the term");
        assertEquals(Optional.of("instance-b"), a.lastKnownHolder());
    }

    @Test
    void aHolderThatCannotReachTheLeaseStoreStopsWhenItsTermRunsOutAndResumesFromTheCheckpointLater() {
        Flaky leases = new Flaky(new InMemoryLeaseStore(scheduler));
        LogTracker a = tracker("instance-a", leases, scheduler);
        Recording handler = new Recording();
        a.start(handler);
        append(2);
        scheduler.runDue();

        leases.unreachable = true;
        // renewals fail; the term ends 15 s after the last successful renewal was sent
        scheduler.advance(LEASE.plusSeconds(1));
        assertTrue(a.isStandingBy());
        append(1);
        scheduler.advance(POLL.multipliedBy(3));
        assertEquals(range(1, 2), handler.positions, "nothing handled once the term ran out");
        assertEquals(2, checkpoint());

        leases.unreachable = false;
        scheduler.advance(LEASE);
        assertFalse(a.isStandingBy(), "took the lease again once the store answered");
        scheduler.runDue();
        assertEquals(range(1, 3), handler.positions);
        assertEquals(3, checkpoint());
    }

    @Test
    void aLeasedTrackerRefusesToMoveItsCheckpointWhileStandingBy() {
        InMemoryLeaseStore leases = new InMemoryLeaseStore(scheduler);
        tracker("instance-a", leases, scheduler).start(batch -> LogTracker.NO_CHECKPOINT);
        LogTracker b = tracker("instance-b", leases, scheduler);
        b.start(batch -> LogTracker.NO_CHECKPOINT);
        assertThrows(IllegalStateException.class, () -> b.resetTo(0));
        assertThrows(IllegalStateException.class, () -> b.start(batch -> LogTracker.NO_CHECKPOINT));
    }

    /** A lease store that can act as if another owner took the lease, or be unreachable. */
    private static final class Flaky implements LeaseStore {
        private final LeaseStore delegate;
        volatile boolean takenByOther;
        volatile boolean unreachable;

        Flaky(LeaseStore delegate) {
            this.delegate = delegate;
        }

        private void reach() {
            if (unreachable) {
                throw new NexusException("lease store down", null, true);
            }
        }

        @Override
        public Optional<Lease> tryAcquire(String name, String owner, Duration duration) {
            reach();
            return takenByOther ? Optional.empty() : delegate.tryAcquire(name, owner, duration);
        }

        @Override
        public Optional<Lease> renew(Lease lease, Duration duration) {
            reach();
            return takenByOther ? Optional.empty() : delegate.renew(lease, duration);
        }

        @Override
        public void release(Lease lease) {
            reach();
            delegate.release(lease);
        }

        @Override
        public Optional<Lease> current(String name) {
            reach();
            return takenByOther ? Optional.of(new Lease(name, "instance-b", 2, Instant.MAX)) : delegate.current(name);
        }
    }
}
