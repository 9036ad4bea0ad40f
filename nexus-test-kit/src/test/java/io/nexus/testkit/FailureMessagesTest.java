package io.nexus.testkit;

import io.nexus.core.command.CommandRejectedException;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A failing expectation of the test kit shows the expected and actual values, what differs, and what to do. */
class FailureMessagesTest {

    private final AggregateFixture<Counter> fixture = AggregateFixture.forAggregate(Counter.DEFINITION, Counter.TYPES, Counter::routes);

    @Test
    void otherEventsShowBothListsAndTheDifferingField() {
        Instant now = fixture.clock().instant();
        AssertionFailedError failure = assertThrows(AssertionFailedError.class, () -> fixture.given("c-1", new Counter.Created(5))
                .when(new Counter.Increment("c-1", 1)).expectEvents(new Counter.Incremented(2, now)));
        assertContains(failure.getMessage(),
                "The command Increment[id=c-1, by=1] produced other events than expected.",
                "expected 1 event(s):\n    1. Incremented[by=2, at=" + now + "]",
                "actual 1 event(s):\n    1. Incremented[by=1, at=" + now + "]",
                "[0].by: expected 2 but was 1",
                "Check what the command method apply(...)s");
        assertEquals(List.of(new Counter.Incremented(2, now)), failure.getExpected().getValue());
    }

    @Test
    void aMessageMismatchShowsTheActualMessage() {
        AssertionFailedError failure = assertThrows(AssertionFailedError.class, () -> fixture.given("c-1", new Counter.Created(1))
                .when(new Counter.Increment("c-1", 5)).expectMessageContaining("insufficient funds"));
        assertContains(failure.getMessage(),
                "failed with " + CommandRejectedException.class.getName() + ", but its message does not contain 'insufficient funds'",
                "actual message: Counter 'c-1' would exceed its max 1",
                "Expect a part of the actual message");
    }

    @Test
    void anUnexpectedSuccessShowsTheEvents() {
        AssertionFailedError failure = assertThrows(AssertionFailedError.class, () -> fixture.given("c-1", new Counter.Created(5))
                .when(new Counter.Increment("c-1", 1)).expectException(CommandRejectedException.class));
        assertContains(failure.getMessage(), "to fail with " + CommandRejectedException.class.getName() + ", but it succeeded with event(s):",
                "1. Incremented[by=1");
    }

    @Test
    void aStateMismatchListsTheDifferingFields() {
        AssertionFailedError failure = assertThrows(AssertionFailedError.class, () -> fixture.given("c-1", new Counter.Created(5))
                .when(new Counter.Increment("c-1", 2)).expectState(Counter::state, new Counter.State(5, 3, 1)));
        assertContains(failure.getMessage(), "The state of 'c-1' after the command Increment[id=c-1, by=2] differs",
                "expected: State[max=5, value=3, increments=1]", "actual:   State[max=5, value=2, increments=1]",
                "value: expected 3 but was 2");
        assertTrue(!failure.getMessage().contains("max: expected"), failure.getMessage());
        fixture.given("c-1", new Counter.Created(5)).when(new Counter.Increment("c-1", 2)).expectState(Counter::state, new Counter.State(5, 2, 1));
    }

    @Test
    void theLawsShowTheStatesTheFieldsTheCommandsAndTheStoredEvents() {
        AggregateLaws<Counter> leaky = AggregateLaws.forAggregate(Counter.DEFINITION, Counter.TYPES, routes -> routes
                .create(Counter.Create.class, Counter.Create::id, (c, cmd) -> c.create(cmd.max()))
                .update(Counter.Increment.class, Counter.Increment::id, (c, cmd, ctx) -> {
                    c.increment(cmd.by(), ctx.now());
                    c.restoreSnapshotState(new Counter.State(99, 99, 99));
                }));
        List<Object> commands = List.of(new Counter.Create("c-1", 10), new Counter.Increment("c-1", 0), new Counter.Increment("c-1", 2));
        AssertionFailedError failure = assertThrows(AssertionFailedError.class, () -> leaky.replayRebuildsState(commands, Counter::state));
        assertContains(failure.getMessage(),
                "The state of 'c-1' differs between the live aggregate and a full replay.",
                "the live aggregate: State[max=99, value=99, increments=99]",
                "a full replay: State[max=10, value=2, increments=1]",
                "value: expected 99 but was 2",
                "commands run (3, 2 accepted; after shrinking, these are jqwik's shrunk sample):",
                "1. Create[id=c-1, max=10] -> accepted: [Created[max=10]]",
                "2. Increment[id=c-1, by=0] -> refused: CommandRejectedException: Counter 'c-1' increments must be positive, but was 0",
                "events stored for 'c-1' (2):",
                "Every change of state must happen in an @EventSourcingHandler");
        AssertionFailedError byFields = assertThrows(AssertionFailedError.class, () -> leaky.replayRebuildsState(commands));
        assertContains(byFields.getMessage(), "[\"max\"]: expected 99 but was 10", "[\"value\"]: expected 99 but was 2");
    }

    @Test
    void theLawsReportWhichCommandsWereAccepted() {
        AggregateLaws<Counter> laws = AggregateLaws.forAggregate(Counter.DEFINITION, Counter.TYPES, Counter::routes);
        AggregateLaws.Outcome<Counter> outcome = laws.run(List.of(new Counter.Create("c-1", 3), new Counter.Increment("c-1", 2),
                new Counter.Increment("c-1", 2), new Counter.Create("c-1", 1), new Counter.ResetCounter("c-2")));
        assertEquals(List.of(new Counter.Create("c-1", 3), new Counter.Increment("c-1", 2)), outcome.accepted());
        assertEquals(3, outcome.refused().size());
        assertEquals(2, outcome.aggregates().get("c-1").state().value());
        assertEquals("'c-2' does not exist and the command updates", outcome.steps().get(4).refusal());
        assertEquals(2, outcome.events().size());
    }

    @Test
    void aHandlerBugNamesTheCommandAndTheOnesBefore() {
        AggregateLaws<Counter> buggy = AggregateLaws.forAggregate(Counter.DEFINITION, Counter.TYPES, routes -> routes
                .create(Counter.Create.class, Counter.Create::id, (c, cmd) -> c.create(cmd.max()))
                .update(Counter.Increment.class, Counter.Increment::id, (c, cmd) -> {
                    throw new ArithmeticException("overflow");
                }));
        AssertionFailedError failure = assertThrows(AssertionFailedError.class, () -> buggy.replayRebuildsState(
                List.of(new Counter.Create("c-1", 1), new Counter.Increment("c-1", 1)), Counter::state));
        assertContains(failure.getMessage(), "The command Increment[id=c-1, by=1] on 'c-1' threw java.lang.ArithmeticException: overflow",
                "1. Create[id=c-1, max=1] -> accepted");
        assertTrue(failure.getCause() instanceof ArithmeticException);
    }

    static void assertContains(String message, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), () -> "missing '" + fragment + "' in:\n" + message);
        }
    }
}
