package io.nexus.saga;

import io.nexus.core.scheduler.ScheduledTimer;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SagaTimerTest {

    private static final Instant AT = Instant.parse("2026-01-01T00:10:00Z");

    @Test
    void everyKindRoundTripsThroughTheSchedulerPortIncludingSagaIdsWithColons() {
        for (SagaTimer timer : new SagaTimer[] {SagaTimer.stepTimeout("order:42", "charge-payment"),
                SagaTimer.commandResend("order:42", "charge-payment", 3), SagaTimer.compensationRetry("w1", "s0", 1)}) {
            ScheduledTimer scheduled = timer.toScheduled("fulfilment", AT);
            assertEquals("fulfilment", scheduled.owner());
            assertEquals(AT, scheduled.dueAt());
            assertEquals(timer.id(), scheduled.id());
            assertEquals(Optional.of(timer), SagaTimer.from(scheduled));
        }
        assertEquals("order:42/resend/charge-payment/3", SagaTimer.commandResend("order:42", "charge-payment", 3).id());
        assertEquals("w1/timeout/s0", SagaTimer.stepTimeout("w1", "s0").id());
    }

    @Test
    void timersStoredInTheEarlierThreePartFormStillRead() {
        assertEquals(Optional.of(SagaTimer.stepTimeout("w:1", "s1")),
                SagaTimer.from(new ScheduledTimer("w:1/timeout/s1", "work", AT, "timeout:s1:w:1")));
        assertEquals(Optional.of(SagaTimer.compensationRetry("w1", "s0", 0)),
                SagaTimer.from(new ScheduledTimer("w1/retry/s0/2", "work", AT, "retry:s0:w1")));
    }

    @Test
    void dataThatIsNoSagaTimerIsRecognised() {
        assertEquals(Optional.empty(), SagaTimer.from(new ScheduledTimer("x", "work", AT, "")));
        assertEquals(Optional.empty(), SagaTimer.from(new ScheduledTimer("x", "work", AT, "alarm:s1:w1")));
    }
}
