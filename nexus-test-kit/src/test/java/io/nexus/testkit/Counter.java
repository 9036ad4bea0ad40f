package io.nexus.testkit;

import io.nexus.core.aggregate.Aggregate;
import io.nexus.core.aggregate.AggregateDefinition;
import io.nexus.core.aggregate.EventSourcingHandler;
import io.nexus.core.aggregate.Snapshottable;
import io.nexus.core.command.CommandRejectedException;
import io.nexus.core.command.CommandRoutes;
import io.nexus.core.serialization.EventType;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.snapshot.SnapshotTrigger;

import java.time.Instant;

/** A bounded counter used to test the test kit itself. */
final class Counter extends Aggregate implements Snapshottable<Counter.State> {

    @EventType("CounterCreated")
    record Created(int max) { }

    @EventType("Incremented")
    record Incremented(int by, Instant at) { }

    @EventType("Reset")
    record Reset() { }

    record Create(String id, int max) { }

    record Increment(String id, int by) { }

    record ResetCounter(String id) { }

    record State(int max, int value, int increments) { }

    static final EventTypes TYPES = EventTypes.builder().register(Created.class).register(Incremented.class).register(Reset.class).build();

    static final AggregateDefinition<Counter> DEFINITION = AggregateDefinition.builder(Counter.class, Counter::new)
            .snapshots(State.class, 1, SnapshotTrigger.everyEvents(3)).build();

    static void routes(CommandRoutes<Counter> routes) {
        routes.create(Create.class, Create::id, (c, cmd) -> c.create(cmd.max()))
                .update(Increment.class, Increment::id, (c, cmd, ctx) -> c.increment(cmd.by(), ctx.now()))
                .update(ResetCounter.class, ResetCounter::id, (c, cmd) -> c.reset());
    }

    private int max;
    private int value;
    private int increments;

    void create(int max) {
        if (max < 0) {
            throw new CommandRejectedException("Counter '" + id() + "' max must be >= 0, but was " + max);
        }
        apply(new Created(max));
    }

    void increment(int by, Instant at) {
        if (by <= 0) {
            throw new CommandRejectedException("Counter '" + id() + "' increments must be positive, but was " + by);
        }
        if (value + by > max) {
            throw new CommandRejectedException("Counter '" + id() + "' would exceed its max " + max);
        }
        apply(new Incremented(by, at));
    }

    void reset() {
        if (value != 0) {
            apply(new Reset());
        }
    }

    State state() {
        return new State(max, value, increments);
    }

    @EventSourcingHandler
    private void on(Created e) {
        max = e.max();
    }

    @EventSourcingHandler
    private void on(Incremented e) {
        value += e.by();
        increments++;
    }

    @EventSourcingHandler
    private void on(Reset e) {
        value = 0;
    }

    @Override
    public State snapshotState() {
        return state();
    }

    @Override
    public void restoreSnapshotState(State state) {
        max = state.max();
        value = state.value();
        increments = state.increments();
    }
}
