package io.nexus.testkit;

import io.nexus.core.aggregate.AggregateNotFoundException;
import io.nexus.core.command.CommandRejectedException;
import io.nexus.core.schema.SchemaViolationException;
import io.nexus.core.schema.Violation;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AggregateFixtureTest {

    private final AggregateFixture<Counter> fixture = AggregateFixture.forAggregate(Counter.DEFINITION, Counter.TYPES, Counter::routes);

    @Test
    void givenWhenThenPassesOnTheRightEventsAndState() {
        Instant now = fixture.clock().advance(Duration.ofHours(2));
        fixture.given("c-1", new Counter.Created(10), new Counter.Incremented(2, Instant.EPOCH))
                .when(new Counter.Increment("c-1", 3))
                .expectEvents(new Counter.Incremented(3, now))
                .expectVersion(3)
                .expectState(c -> assertEquals(new Counter.State(10, 5, 2), c.state()));
    }

    @Test
    void creationFromNothing() {
        fixture.givenNothing().when(new Counter.Create("c-9", 4)).expectEvents(new Counter.Created(4)).expectVersion(1);
    }

    @Test
    void refusalsAreAssertedByTypeAndMessage() {
        fixture.given("c-1", new Counter.Created(1))
                .when(new Counter.Increment("c-1", 2))
                .expectException(CommandRejectedException.class)
                .expectMessageContaining("exceed its max 1")
                .expectVersion(1);
        AggregateFixture<Counter>.Then missing = fixture.givenNothing().when(new Counter.Increment("c-2", 1))
                .expectException(AggregateNotFoundException.class);
        AssertionFailedError noAggregate = assertThrows(AssertionFailedError.class, () -> missing.expectVersion(0));
        assertTrue(noAggregate.getMessage().contains("No aggregate to inspect"), noAggregate.getMessage());
        fixture.given("c-1", new Counter.Created(5), new Counter.Reset()).when(new Counter.ResetCounter("c-1")).expectNoEvents();
    }

    @Test
    void theFixtureFailsWhenExpectationsAreWrong() {
        assertThrows(AssertionFailedError.class, () -> fixture.given("c-1", new Counter.Created(10))
                .when(new Counter.Increment("c-1", 1)).expectEvents(new Counter.Incremented(2, fixture.clock().instant())));
        assertThrows(AssertionFailedError.class, () -> fixture.given("c-1", new Counter.Created(10))
                .when(new Counter.Increment("c-1", 1)).expectException(CommandRejectedException.class));
        assertThrows(AssertionFailedError.class, () -> fixture.given("c-1", new Counter.Created(1))
                .when(new Counter.Increment("c-1", 5)).expectNoEvents());
        assertThrows(AssertionFailedError.class, () -> fixture.given("c-1", new Counter.Created(1))
                .when(new Counter.Increment("c-1", 5)).expectMessageContaining("something else"));
        assertThrows(AssertionFailedError.class, () -> fixture.given("c-1", new Counter.Created(1))
                .when(new Counter.ResetCounter("c-1")).expectVersion(2));
    }

    @Test
    void theValidatorOfTheApplicationRunsInTheFixture() {
        fixture.validator((stream, event) -> {
            if (event.payload().asString().contains("\"by\":7")) {
                throw new SchemaViolationException(event.eventType(), 1, List.of(new Violation("/by", "7 is not allowed")));
            }
        });
        fixture.given("c-1", new Counter.Created(10)).when(new Counter.Increment("c-1", 7))
                .expectException(SchemaViolationException.class).expectMessageContaining("/by: 7 is not allowed").expectVersion(1);
    }

    @Test
    void theClockOnlyMovesWhenTold() {
        Instant t = fixture.clock().instant();
        assertEquals(t, fixture.clock().instant());
        assertEquals(t.plusSeconds(5), fixture.clock().advance(Duration.ofSeconds(5)));
        assertThrows(IllegalArgumentException.class, () -> fixture.clock().advance(Duration.ofSeconds(-1)));
    }
}
