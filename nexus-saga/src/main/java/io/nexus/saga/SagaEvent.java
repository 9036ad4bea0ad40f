package io.nexus.saga;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.serialization.EventSerializationException;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The events a saga instance records in its own stream. Stored under the type names
 * {@code nexus.saga.<RecordName>}, as JSON, independent of the application's event type registry.
 */
sealed interface SagaEvent {

    String TYPE_PREFIX = "nexus.saga.";

    ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * The saga began; the starting event is kept so that commands can be built after a restart, with its
     * correlation id, which everything the saga does carries on ({@code null} in instances stored before it was
     * recorded: their trigger's event id stands in).
     */
    record Started(String sagaName, String sagaId, String triggerEventId, String triggerStreamId, String triggerType,
                   int triggerSchemaVersion, String triggerPayload, @Nullable String triggerCorrelationId) implements SagaEvent {

        /** The correlation id of everything the saga does: the trigger's. */
        String correlationId() {
            return triggerCorrelationId != null ? triggerCorrelationId : triggerEventId;
        }
    }

    /** The step is about to perform its action; {@code deadline} is null when it has no timeout. */
    record StepRequested(String step, @Nullable Instant deadline) implements SagaEvent { }

    /** The step's action was performed (command accepted, event stored); a reply is awaited if declared. */
    record StepDispatched(String step, @Nullable String commandId) implements SagaEvent { }

    /**
     * Sending the step's command failed in a way that does not tell whether it took effect; the same
     * command id is sent again at {@code resendAt} unless a reply ends the step first.
     */
    record StepOutcomeUnknown(String step, int attempt, String cause, Instant resendAt) implements SagaEvent { }

    /** The step's outcome stayed unknown past the last re-send; the saga is parked until resumed or a reply arrives. */
    record StepUnresolved(String step, String cause, int attempts) implements SagaEvent { }

    record StepSucceeded(String step, @Nullable String replyEventId) implements SagaEvent { }

    record StepFailed(String step, String reason, @Nullable String replyEventId) implements SagaEvent { }

    record StepTimedOut(String step, Instant deadline) implements SagaEvent { }

    record CompensationRequested(String step) implements SagaEvent { }

    record CompensationFailed(String step, int attempt, String cause, Instant retryAt) implements SagaEvent { }

    record CompensationDone(String step) implements SagaEvent { }

    record Completed() implements SagaEvent { }

    record Compensated() implements SagaEvent { }

    record NeedsAttention(String step, String cause, int attempts) implements SagaEvent { }

    /** An operator asked to try the parked compensation again, with a fresh attempt budget. */
    record Resumed(String step) implements SagaEvent { }

    default String typeName() {
        return TYPE_PREFIX + getClass().getSimpleName();
    }

    default NewEvent toNewEvent(@Nullable String correlationId) {
        try {
            byte[] bytes = JSON.writeValueAsBytes(this);
            return new NewEvent(UUID.randomUUID(), typeName(), 1, EventPayload.of(bytes, this), correlationId, null, Map.of());
        } catch (JsonProcessingException e) {
            throw new EventSerializationException("Saga event " + this + " cannot be serialized: " + e.getOriginalMessage(), e);
        }
    }

    static boolean isSagaEvent(EventEnvelope envelope) {
        return envelope.eventType().startsWith(TYPE_PREFIX);
    }

    /** The saga event stored in {@code envelope}. */
    static SagaEvent from(EventEnvelope envelope) {
        Object cached = envelope.payload().decoded().orElse(null);
        if (cached instanceof SagaEvent event) {
            return event;
        }
        String simple = envelope.eventType().substring(TYPE_PREFIX.length());
        Class<? extends SagaEvent> type = switch (simple) {
            case "Started" -> Started.class;
            case "StepRequested" -> StepRequested.class;
            case "StepDispatched" -> StepDispatched.class;
            case "StepOutcomeUnknown" -> StepOutcomeUnknown.class;
            case "StepUnresolved" -> StepUnresolved.class;
            case "StepSucceeded" -> StepSucceeded.class;
            case "StepFailed" -> StepFailed.class;
            case "StepTimedOut" -> StepTimedOut.class;
            case "CompensationRequested" -> CompensationRequested.class;
            case "CompensationFailed" -> CompensationFailed.class;
            case "CompensationDone" -> CompensationDone.class;
            case "Completed" -> Completed.class;
            case "Compensated" -> Compensated.class;
            case "NeedsAttention" -> NeedsAttention.class;
            case "Resumed" -> Resumed.class;
            default -> throw new EventSerializationException("Saga stream '" + envelope.streamId() + "' version "
                    + envelope.version() + " holds unknown saga event type '" + envelope.eventType()
                    + "'; it was written by a newer Nexus version, upgrade this one.", null);
        };
        try {
            return JSON.readValue(envelope.payload().unsafeBytes(), type);
        } catch (IOException e) {
            throw new EventSerializationException("Saga event '" + envelope.eventType() + "' at stream '" + envelope.streamId()
                    + "' version " + envelope.version() + " cannot be decoded: " + e.getMessage(), e);
        }
    }
}
