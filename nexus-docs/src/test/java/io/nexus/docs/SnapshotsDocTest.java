package io.nexus.docs;

import io.nexus.core.Nexus;
import io.nexus.core.aggregate.Aggregate;
import io.nexus.core.aggregate.AggregateDefinition;
import io.nexus.core.aggregate.EventSourcingHandler;
import io.nexus.core.aggregate.Snapshottable;
import io.nexus.core.serialization.EventType;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.snapshot.SnapshotTrigger;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The code of docs/write-side.md's section on snapshots. */
class SnapshotsDocTest {

    @EventType("Counted")
    record Counted(int by) { }

    record Start(String id) { }

    record Count(String id, int by) { }

    /** An aggregate with snapshots: its state as a record, restored without replaying the events before it. */
    public static final class Tally extends Aggregate implements Snapshottable<Tally.State> {

        /** The snapshot state. */
        public record State(long total, long counts) { }

        private long total;
        private long counts;

        void start(Start command) {
            apply(new Counted(0));
        }

        void count(Count command) {
            apply(new Counted(command.by()));
        }

        @EventSourcingHandler
        private void on(Counted event) {
            total += event.by();
            counts++;
        }

        @Override
        public State snapshotState() {
            return new State(total, counts);
        }

        @Override
        public void restoreSnapshotState(State state) {
            total = state.total();
            counts = state.counts();
        }
    }

    @Test
    void aSnapshotIsTakenByTheHundredthEventAtTheLatest() {
        // tag::snapshots[]
        AggregateDefinition<Tally> tallies = AggregateDefinition.builder(Tally.class, Tally::new)
                .snapshots(Tally.State.class, 1, SnapshotTrigger.everyEvents(100).or(SnapshotTrigger.loadTimeOver(Duration.ofMillis(5))))
                .build();
        // end::snapshots[]
        try (Nexus nexus = Nexus.builder().eventTypes(EventTypes.builder().register(Counted.class).build())
                .snapshotExecutor(Runnable::run)
                .aggregate(tallies, routes -> routes.create(Start.class, Start::id, Tally::start).update(Count.class, Count::id, Tally::count))
                .build()) {
            nexus.commands().send(new Start("t-1"));
            for (int i = 0; i < 150; i++) {
                nexus.commands().send(new Count("t-1", 2));
            }
            assertEquals(300, nexus.repository(Tally.class).load("t-1").snapshotState().total());
            // every 100 events at the latest; earlier when a load took more than 5 ms
            assertTrue(nexus.snapshotStore().latest("t-1").isPresent(), "a snapshot was taken");
        }
    }
}
