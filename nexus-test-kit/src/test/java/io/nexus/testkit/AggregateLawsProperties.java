package io.nexus.testkit;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Example;
import org.opentest4j.AssertionFailedError;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AggregateLawsProperties {

    private final AggregateLaws<Counter> laws = AggregateLaws.forAggregate(Counter.DEFINITION, Counter.TYPES, Counter::routes);

    @Provide
    Arbitrary<List<Object>> commands() {
        Arbitrary<String> ids = Arbitraries.of("c-1", "c-2", "c-3");
        Arbitrary<Object> create = ids.flatMap(id -> Arbitraries.integers().between(0, 20).map(max -> new Counter.Create(id, max)));
        Arbitrary<Object> increment = ids.flatMap(id -> Arbitraries.integers().between(-2, 8).map(by -> new Counter.Increment(id, by)));
        Arbitrary<Object> reset = ids.map(Counter.ResetCounter::new);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, create), net.jqwik.api.Tuple.of(6, increment), net.jqwik.api.Tuple.of(1, reset))
                .list().ofMaxSize(40);
    }

    @Property(tries = 200)
    void replayingStoredEventsRebuildsTheLiveState(@ForAll("commands") List<Object> commands) {
        laws.replayRebuildsState(commands, Counter::state);
    }

    @Property(tries = 100)
    void aSnapshotPlusTheTailEqualsAFullReplay(@ForAll("commands") List<Object> commands) {
        laws.snapshotPlusTailEqualsReplay(commands, Counter::state);
    }

    @Example
    void theLawsCatchAnAggregateThatChangesStateOutsideItsHandlers() {
        List<Object> commands = List.of(new Counter.Create("c-1", 10), new Counter.Increment("c-1", 2));
        assertTrue(laws.replayRebuildsState(commands, Counter::state) == 2);
        AggregateLaws<Counter> leaky = AggregateLaws.forAggregate(Counter.DEFINITION, Counter.TYPES, routes -> routes
                .create(Counter.Create.class, Counter.Create::id, (c, cmd) -> c.create(cmd.max()))
                .update(Counter.Increment.class, Counter.Increment::id, (c, cmd, ctx) -> {
                    c.increment(cmd.by(), ctx.now());
                    c.restoreSnapshotState(new Counter.State(99, 99, 99));
                }));
        assertThrows(AssertionFailedError.class, () -> leaky.replayRebuildsState(commands, Counter::state));
    }
}
