package io.nexus.testkit.saga;

import io.nexus.core.saga.SagaDefinition;
import io.nexus.core.serialization.EventType;
import io.nexus.core.serialization.EventTypes;
import io.nexus.saga.SagaState;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SagaFixtureTest {

    @EventType("fx.Confirmed")
    record Confirmed(String orderId) { }

    @EventType("fx.Reserved")
    record Reserved(String orderId) { }

    @EventType("fx.Charged")
    record Charged(String orderId) { }

    @EventType("fx.Declined")
    record Declined(String orderId, String reason) { }

    record Reserve(String orderId) { }

    record Release(String orderId) { }

    record Charge(String orderId) { }

    record Cancel(String orderId) { }

    record Ship(String orderId) { }

    static final EventTypes TYPES = EventTypes.builder().register(Confirmed.class).register(Reserved.class)
            .register(Charged.class).register(Declined.class).build();

    static final SagaDefinition<Confirmed> SAGA = SagaDefinition.startedBy("fx", Confirmed.class, Confirmed::orderId)
            .step("order", s -> s.compensatedBy(c -> new Cancel(c.orderId())))
            .step("reserve", s -> s.sends(c -> new Reserve(c.orderId())).compensatedBy(c -> new Release(c.orderId()))
                    .succeedsOn(Reserved.class, Reserved::orderId))
            .step("charge", s -> s.sends(c -> new Charge(c.orderId())).timeout(Duration.ofMinutes(30))
                    .succeedsOn(Charged.class, Charged::orderId).failsOn(Declined.class, Declined::orderId, Declined::reason))
            .step("ship", s -> s.sends(c -> new Ship(c.orderId())))
            .build();

    private final SagaFixture<Confirmed> fixture = SagaFixture.forSaga(SAGA, TYPES);

    @Test
    void followsTheSagaStepByStep() {
        Instant start = fixture.clock().instant();
        fixture.given(new Confirmed("o-1"))
                .expectCommands(new Reserve("o-1"))
                .expectState("o-1", SagaState.RUNNING)
                .when(new Reserved("o-1"))
                .expectCommands(new Charge("o-1"))
                .expectPendingTimeout("o-1", "charge", start.plus(Duration.ofMinutes(30)))
                .when(new Charged("o-1"))
                .expectCommands(new Ship("o-1"))
                .expectNoPendingTimeouts("o-1")
                .expectState("o-1", SagaState.COMPLETED)
                .expectAllCommands(new Reserve("o-1"), new Charge("o-1"), new Ship("o-1"))
                .expectCompensations();
    }

    @Test
    void aFailureReplyCompensatesInReverseOrder() {
        fixture.given(new Confirmed("o-1"), new Reserved("o-1"))
                .when(new Declined("o-1", "card expired"))
                .expectCommands(new Release("o-1"), new Cancel("o-1"))
                .expectCompensations(new Release("o-1"), new Cancel("o-1"))
                .expectState("o-1", SagaState.COMPENSATED);
        assertTrue(fixture.status("o-1").failure().orElseThrow().contains("card expired"));
    }

    @Test
    void timeTravelFiresTheTimeout() {
        fixture.given(new Confirmed("o-1"), new Reserved("o-1"))
                .whenTimeElapses(Duration.ofMinutes(29))
                .expectNoCommands()
                .expectState("o-1", SagaState.RUNNING)
                .whenTimeElapses(Duration.ofMinutes(1))
                .expectCommands(new Release("o-1"), new Cancel("o-1"))
                .expectState("o-1", SagaState.COMPENSATED)
                .when(new Charged("o-1"))
                .expectNoCommands();
    }

    @Test
    void aRefusedCompensationIsRetriedAfterItsBackoff() {
        fixture.refuse(Release.class, 1, "warehouse offline")
                .given(new Confirmed("o-1"), new Reserved("o-1"))
                .when(new Declined("o-1", "no funds"))
                .expectNoCommands()
                .expectState("o-1", SagaState.COMPENSATING)
                .whenTimeElapses(Duration.ofSeconds(1))
                .expectCommands(new Release("o-1"), new Cancel("o-1"))
                .expectState("o-1", SagaState.COMPENSATED);
    }

    @Test
    void aCommandWhoseAnswerWasLostIsNotAFailureAndItsReplyStillCounts() {
        fixture.loseAnswer(Reserve.class, 1, "connection reset by the warehouse")
                .given(new Confirmed("o-1"))
                .expectCommands(new Reserve("o-1"))
                .expectState("o-1", SagaState.RUNNING)
                .when(new Reserved("o-1"))
                .expectCommands(new Charge("o-1"))
                .when(new Declined("o-1", "card expired"))
                .expectCompensations(new Release("o-1"), new Cancel("o-1"))
                .expectState("o-1", SagaState.COMPENSATED);
    }

    @Test
    void aCommandWhoseAnswerWasLostIsResentWithItsCommandIdAndAppliedOnce() {
        fixture.loseAnswer(Reserve.class, 1, "connection reset by the warehouse")
                .given(new Confirmed("o-1"))
                .whenTimeElapses(Duration.ofSeconds(1))
                .expectNoCommands()
                .expectAllCommands(new Reserve("o-1"))
                .when(new Reserved("o-1"))
                .expectCommands(new Charge("o-1"));
        assertTrue(fixture.status("o-1").history().stream().anyMatch(h -> h.type().endsWith("StepOutcomeUnknown")
                && h.detail().orElse("").contains("connection reset by the warehouse")));
    }

    @Test
    void wrongExpectationsFail() {
        fixture.given(new Confirmed("o-1"));
        AssertionFailedError commands = assertThrows(AssertionFailedError.class, () -> fixture.expectCommands(new Charge("o-1")));
        assertTrue(commands.getMessage().contains("expected 1:\n    1. Charge[orderId=o-1]\n  actual 1:\n    1. Reserve[orderId=o-1]"),
                commands.getMessage());
        AssertionFailedError state = assertThrows(AssertionFailedError.class, () -> fixture.expectState("o-1", SagaState.COMPLETED));
        assertTrue(state.getMessage().contains("is RUNNING, not COMPLETED; its history:"), state.getMessage());
        assertThrows(AssertionFailedError.class, () -> fixture.expectNoCommands());
        assertThrows(AssertionFailedError.class, () -> fixture.expectAllCommands());
        assertThrows(AssertionFailedError.class, () -> fixture.expectCompensations(new Cancel("o-1")));
        assertThrows(AssertionFailedError.class, () -> fixture.expectState("o-1", SagaState.COMPLETED));
        assertThrows(AssertionFailedError.class, () -> fixture.expectNoPendingTimeouts("o-1").when(new Reserved("o-1"))
                .expectNoPendingTimeouts("o-1"));
        assertThrows(AssertionFailedError.class, () -> fixture.expectPendingTimeout("o-1", "charge", Instant.EPOCH));
        assertThrows(AssertionFailedError.class, () -> fixture.status("o-2"));
        assertThrows(IllegalStateException.class, () -> fixture.compensationRetry(io.nexus.core.retry.RetryPolicy.none()));
    }
}
