package io.nexus.saga;

import io.nexus.core.event.NewEvent;
import org.jspecify.annotations.Nullable;

/** What the {@link SagaDecider} reacts to, for one saga instance. */
sealed interface SagaInput {

    /** The starting event arrived; {@code started} records it. */
    record Start(SagaEvent.Started started) implements SagaInput { }

    /** A reply event of id {@code eventId}, correlated to the instance. */
    record Reply(String eventId, Object event) implements SagaInput { }

    /** A timer of the instance became due. */
    record TimerFired(SagaTimer timer) implements SagaInput { }

    /** Look at the instance and do whatever its history says is due next. */
    record Advance() implements SagaInput { }

    /** An operator asked to go on with a parked instance. */
    record Resume() implements SagaInput { }

    /** What came of an action the decider asked for ({@link SagaEffect.SendCommand}, {@link SagaEffect.EmitEvent}). */
    record ActionOutcome(String step, SagaEffect.Purpose purpose, Outcome outcome) implements SagaInput { }

    /** The result of performing an action. */
    sealed interface Outcome {

        /** It took effect: the command was handled ({@code commandId} set), or the event is ready to store ({@code emitted} set). */
        record Done(@Nullable String commandId, @Nullable NewEvent emitted) implements Outcome { }

        /** It was refused in a way that proves it had no effect (the aggregate or the governance refused it). */
        record Refused(String cause) implements Outcome { }

        /** It failed in a way that does not tell whether it took effect (a timeout, a lost connection, ...). */
        record Unknown(String cause) implements Outcome { }
    }
}
