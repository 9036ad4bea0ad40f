package io.nexus.core.projection;

import io.nexus.core.LogCapture;
import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.deadletter.InMemoryDeadLetterQueue;
import io.nexus.core.lease.ConsumerLease;
import io.nexus.core.lease.InMemoryLeaseStore;
import io.nexus.core.lease.Lease;
import io.nexus.core.lease.LeaseStore;
import io.nexus.core.store.InMemoryEventStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.nexus.core.projection.Fixtures.CODEC;
import static io.nexus.core.projection.Fixtures.add;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Processors of one projection in two instances: the one holding the lease applies, and one that gets it back starts afresh. */
class ProjectionProcessorLeaseTest {

    private static final Duration LEASE = Duration.ofSeconds(15);

    private final ManualScheduler scheduler = new ManualScheduler();
    private final InMemoryEventStore store = InMemoryEventStore.builder().clock(scheduler).build();
    private final InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore(scheduler);
    private final InMemoryDeadLetterQueue deadLetters = new InMemoryDeadLetterQueue();
    private final InMemoryLeaseStore leases = new InMemoryLeaseStore(scheduler);
    private final List<ProjectionProcessor> processors = new ArrayList<>();
    private final LogCapture logs = LogCapture.start();

    @AfterEach
    void stopAll() {
        processors.forEach(ProjectionProcessor::close);
        logs.close();
    }

    private ProjectionProcessor processor(Projection projection, LeaseStore leaseStore, String owner) {
        ProjectionProcessor p = ProjectionProcessor.builder(projection, store, CODEC).checkpoints(checkpoints)
                .deadLetters(deadLetters).scheduler(scheduler).clock(scheduler).pollInterval(Duration.ofHours(1))
                .lease(new ConsumerLease(leaseStore, owner, LEASE)).build();
        processors.add(p);
        return p;
    }

    @Test
    void aProcessorThatGetsItsLeaseBackForgetsWhatItSawBeforeAndGoesOnFromTheCheckpoint() {
        Refusing leaseOfA = new Refusing(leases);
        Fixtures.Recorder inA = new Fixtures.Recorder("carts");
        Fixtures.Recorder inB = new Fixtures.Recorder("carts");
        ProjectionProcessor a = processor(inA, leaseOfA, "instance-a");
        ProjectionProcessor b = processor(inB, leases, "instance-b");
        a.start();
        b.start();
        add(store, "cart-1", "apple");
        scheduler.runDue();
        assertEquals(List.of("cart-1@1"), inA.deliveries);
        assertEquals(ProjectionHealth.Status.STANDBY, b.health().status());

        // instance-a loses its lease; once it runs out, instance-b takes it and goes on
        leaseOfA.refusing = true;
        scheduler.advance(LEASE.plus(LEASE));
        assertEquals(ProjectionHealth.Status.STANDBY, a.health().status());
        assertEquals(ProjectionHealth.Status.RUNNING, b.health().status());
        add(store, "cart-1", "pear", "plum");
        scheduler.runDue();
        assertEquals(List.of("cart-1@2", "cart-1@3"), inB.deliveries);

        // instance-b stops; instance-a gets the lease back without a restart
        b.stop();
        leaseOfA.refusing = false;
        scheduler.advance(LEASE);
        assertEquals(ProjectionHealth.Status.RUNNING, a.health().status());
        add(store, "cart-1", "fig");
        scheduler.runDue();

        assertEquals(List.of("cart-1@1", "cart-1@4"), inA.deliveries,
                "what instance-b applied meanwhile is not read back as a gap: the new term starts afresh");
        assertEquals(4, checkpoints.load("carts", Checkpoint.GLOBAL).orElseThrow().positionAsLong());
    }

    /** A lease store that acts, while {@code refusing}, as if another instance held the lease. */
    private static final class Refusing implements LeaseStore {
        private final LeaseStore delegate;
        volatile boolean refusing;

        Refusing(LeaseStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<Lease> tryAcquire(String name, String owner, Duration duration) {
            return refusing ? Optional.empty() : delegate.tryAcquire(name, owner, duration);
        }

        @Override
        public Optional<Lease> renew(Lease lease, Duration duration) {
            return refusing ? Optional.empty() : delegate.renew(lease, duration);
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
