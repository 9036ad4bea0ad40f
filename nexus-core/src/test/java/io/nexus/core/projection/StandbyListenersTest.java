package io.nexus.core.projection;

import io.nexus.core.CountingCheckpoints;
import io.nexus.core.LogCapture;
import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.deadletter.InMemoryDeadLetterQueue;
import io.nexus.core.lease.ConsumerLease;
import io.nexus.core.lease.InMemoryLeaseStore;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.store.InMemoryEventStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static io.nexus.core.projection.Fixtures.CODEC;
import static io.nexus.core.projection.Fixtures.add;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A processor with listeners that stands by tells them of the events the holder of the lease applied, once the holder's
 * checkpoint has passed them, and stops doing so when it runs the projection itself. Each instance runs on a scheduler
 * of its own, so the test decides when the holder applies and when the standing-by instance looks.
 */
class StandbyListenersTest {

    private static final Duration LEASE = Duration.ofSeconds(15);
    private static final Duration INTERVAL = Duration.ofMillis(25);
    private static final Duration POLL = Duration.ofSeconds(1);

    private final ManualScheduler holderScheduler = new ManualScheduler();
    private final ManualScheduler standbyScheduler = new ManualScheduler();
    private final InMemoryEventStore store = InMemoryEventStore.builder().clock(holderScheduler).build();
    private final InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore(holderScheduler);
    private final InMemoryLeaseStore leases = new InMemoryLeaseStore(standbyScheduler);
    /** Shared by the instances, as a queue that outlives the process would be. */
    private final InMemoryDeadLetterQueue deadLetters = new InMemoryDeadLetterQueue();
    private final List<ProjectionProcessor> processors = new ArrayList<>();
    private final LogCapture logs = LogCapture.start();
    /** "stream@version" for every event the standing-by instance's listener heard of. */
    private final List<String> heard = Collections.synchronizedList(new ArrayList<>());
    /** The holder's checkpoint each time the listener heard of an event, beside the event's position. */
    private final List<String> checkpointWhenHeard = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stopAll() {
        processors.forEach(ProjectionProcessor::close);
        logs.close();
    }

    private ProjectionProcessor processor(ManualScheduler scheduler, CheckpointStore checkpointStore, String owner,
                                          boolean listening) {
        return processor(new Fixtures.Recorder("carts"), scheduler, checkpointStore, owner, listening);
    }

    private ProjectionProcessor processor(Projection projection, ManualScheduler scheduler, CheckpointStore checkpointStore,
                                          String owner, boolean listening) {
        ProjectionProcessor.Builder builder = ProjectionProcessor.builder(projection, store, CODEC)
                .checkpoints(checkpointStore).deadLetters(deadLetters).checkpointPastVolatileDeadLetters()
                .retry(RetryPolicy.attempts(1)).scheduler(scheduler).clock(scheduler)
                .pollInterval(POLL).standbyNotificationInterval(INTERVAL).lease(new ConsumerLease(leases, owner, LEASE));
        if (listening) {
            builder.listener((name, event) -> {
                heard.add(event.streamId() + "@" + event.version());
                checkpointWhenHeard.add(event.globalPosition() + "<=" + checkpoints.load("carts", Checkpoint.GLOBAL)
                        .map(Checkpoint::positionAsLong).orElse(0L));
            });
        }
        ProjectionProcessor p = builder.build();
        processors.add(p);
        return p;
    }

    @Test
    void theStandingByInstanceHearsOfAnEventOnlyOnceTheHolderStoredItsCheckpointAndNotAgainWhenItTakesOver() {
        CountingCheckpoints counted = new CountingCheckpoints(checkpoints);
        ProjectionProcessor holder = processor(holderScheduler, checkpoints, "instance-a", false);
        ProjectionProcessor standby = processor(standbyScheduler, counted, "instance-b", true);
        holder.start();
        standby.start();
        assertEquals(ProjectionHealth.Status.STANDBY, standby.health().status());

        add(store, "cart-1", "apple");
        standbyScheduler.advance(INTERVAL.multipliedBy(3));
        assertEquals(List.of(), heard, "the holder has not applied it yet");
        int looked = counted.loads.get();
        assertEquals(true, looked >= 2, "it looked at the checkpoint while the event was pending: " + looked);

        holderScheduler.runDue();
        assertEquals(1, checkpoints.load("carts", Checkpoint.GLOBAL).orElseThrow().positionAsLong());
        standbyScheduler.advance(POLL);
        assertEquals(List.of("cart-1@1"), heard);
        assertEquals(List.of("1<=1"), checkpointWhenHeard);

        // nothing pending: no checkpoint is read, however long it waits
        int before = counted.loads.get();
        standbyScheduler.advance(POLL.multipliedBy(5));
        assertEquals(before, counted.loads.get(), "no checkpoint read while nothing is pending");

        // the holder applies the next event and stops before the standing-by instance looked: taking over, it
        // tells its listeners of what the previous holder applied, then applies and tells of the rest itself
        add(store, "cart-1", "pear");
        holderScheduler.runDue();
        holder.stop();
        add(store, "cart-2", "plum");
        standbyScheduler.advance(LEASE);
        assertEquals(ProjectionHealth.Status.RUNNING, standby.health().status());
        add(store, "cart-1", "fig");
        standbyScheduler.advance(POLL.multipliedBy(3));

        assertEquals(List.of("cart-1@1", "cart-1@2", "cart-2@1", "cart-1@3"), heard, "each event heard of once, in order");
        // relayed: never before the holder stored its checkpoint; applied in this instance: told before the batch's save
        assertEquals(List.of("1<=1", "2<=2", "3<=2", "4<=3"), checkpointWhenHeard);
    }

    @Test
    void aStandingByInstanceThatFallsBackToStandingByHearsOfWhatTheNewHolderApplies() {
        ProjectionProcessor standby = processor(standbyScheduler, checkpoints, "instance-b", true);
        standby.start();
        assertEquals(ProjectionHealth.Status.RUNNING, standby.health().status(), "it is alone: it runs the projection");
        add(store, "cart-1", "apple");
        standbyScheduler.runDue();
        assertEquals(List.of("cart-1@1"), heard);

        // it stops and starts again while another instance holds the lease: it stands by and follows the holder
        standby.stop();
        ProjectionProcessor holder = processor(holderScheduler, checkpoints, "instance-a", false);
        holder.start();
        standby.start();
        assertEquals(ProjectionHealth.Status.STANDBY, standby.health().status());
        add(store, "cart-1", "pear");
        standbyScheduler.advance(POLL);
        assertEquals(List.of("cart-1@1"), heard, "the holder has not applied it yet");
        holderScheduler.runDue();
        standbyScheduler.advance(POLL);
        assertEquals(List.of("cart-1@1", "cart-1@2"), heard);

        // stopped, it tells nothing more
        standby.stop();
        add(store, "cart-1", "plum");
        holderScheduler.runDue();
        standbyScheduler.advance(POLL.multipliedBy(2));
        assertEquals(List.of("cart-1@1", "cart-1@2"), heard);
    }

    @Test
    void theStandingByInstanceDoesNotTellOfADeadLetterNorOfTheEventsParkedBehindIt() {
        Fixtures.Recorder failing = new Fixtures.Recorder("carts");
        failing.failWhen = event -> event.streamId().equals("cart-1") && event.version() == 2;
        ProjectionProcessor holder = processor(failing, holderScheduler, checkpoints, "instance-a", false);
        ProjectionProcessor standby = processor(standbyScheduler, checkpoints, "instance-b", true);
        holder.start();
        standby.start();

        add(store, "cart-1", "apple", "rotten", "pear");
        add(store, "cart-2", "plum");
        holderScheduler.runDue();
        assertEquals(1, holder.deadLetters().size());
        assertEquals(4, checkpoints.load("carts", Checkpoint.GLOBAL).orElseThrow().positionAsLong(),
                "the checkpoint passed the dead letter");
        standbyScheduler.advance(POLL);

        assertEquals(List.of("cart-1@1", "cart-2@1"), heard, "the holder applied only these");
    }
}
