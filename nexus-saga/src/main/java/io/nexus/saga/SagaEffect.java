package io.nexus.saga;

import io.nexus.core.command.CommandMetadata;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * What the {@link SagaDecider} asks to be done, as values; {@link SagaEffects} carries them out. Timers
 * to arm are armed before the decision's events are stored (no recorded deadline lacks its timer), the
 * rest after.
 */
sealed interface SagaEffect {

    /** Whether an action performs a step or compensates one; also stored in command and event metadata. */
    enum Purpose {
        STEP("step"), COMPENSATION("compensation");

        final String code;

        Purpose(String code) {
            this.code = code;
        }
    }

    /** Arm {@code timer} to fire at {@code dueAt}. */
    record ScheduleTimer(SagaTimer timer, Instant dueAt) implements SagaEffect { }

    /** Disarm {@code timer}; harmless when it is not pending. */
    record CancelTimer(SagaTimer timer) implements SagaEffect { }

    /** Send {@code command} with {@code metadata} (its command id derived from the saga, step and purpose). */
    record SendCommand(String step, Purpose purpose, Object command, CommandMetadata metadata) implements SagaEffect { }

    /**
     * Encode, validate and authorize {@code event} with id {@code eventId}, to be stored in the saga's stream,
     * with the saga's correlation id and the id of the event that caused it.
     */
    record EmitEvent(String step, Purpose purpose, Object event, UUID eventId, String correlationId, String causationId,
                     Map<String, String> attributes) implements SagaEffect { }

    /** The instance reached a terminal or parked state (for meters and logs). */
    record Finished(SagaState state, String detail) implements SagaEffect { }
}
