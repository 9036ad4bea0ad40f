package io.nexus.saga;

import io.nexus.core.event.EventEnvelope;
import io.nexus.saga.SagaStatus.HistoryEntry;
import io.nexus.saga.SagaStatus.PendingTimeout;
import io.nexus.saga.SagaStatus.TimeoutKind;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The state of one saga instance, folded from its stream. Not thread-safe: owned by one coordinator
 * call at a time, or built fresh for a status query.
 */
final class SagaInstance {

    final String sagaName;
    final String sagaId;
    final String streamId;
    long version;
    @Nullable SagaState state;
    SagaEvent.@Nullable Started started;
    @Nullable Object startEvent;

    final List<String> completed = new ArrayList<>();
    final List<String> compensated = new ArrayList<>();
    final Set<String> handledEventIds = new HashSet<>();
    /** The id of the event that last moved the instance on (its start, then each step's reply): what its next action is caused by. */
    @Nullable String lastCause;
    @Nullable String failure;

    @Nullable String requestedStep;
    boolean dispatched;
    @Nullable Instant deadline;
    int resendAttempts;
    @Nullable Instant resendAt;
    /** Parked because the requested step's outcome stayed unknown (not because of a compensation). */
    boolean unresolved;
    /** A step that timed out while its outcome was unknown: it may have taken effect, so it is compensated too. */
    @Nullable String maybeDone;

    @Nullable String compensatingStep;
    boolean compensationRequested;
    int compensationAttempts;
    @Nullable Instant compensationRetryAt;

    final List<HistoryEntry> history = new ArrayList<>();
    /** The last event of the instance's stream: a step a timer fires continues its trace context. */
    @Nullable EventEnvelope last;

    SagaInstance(String sagaName, String sagaId, String streamId) {
        this.sagaName = sagaName;
        this.sagaId = sagaId;
        this.streamId = streamId;
    }

    boolean exists() {
        return started != null;
    }

    void apply(EventEnvelope envelope) {
        version = envelope.version();
        last = envelope;
        if (!SagaEvent.isSagaEvent(envelope)) {
            history.add(new HistoryEntry(envelope.version(), envelope.timestamp(), envelope.eventType(), Optional.empty(),
                    Optional.of("emitted")));
            return;
        }
        SagaEvent event = SagaEvent.from(envelope);
        String step = null;
        String detail = null;
        if (event instanceof SagaEvent.Started e) {
            started = e;
            state = SagaState.RUNNING;
            handledEventIds.add(e.triggerEventId());
            lastCause = e.triggerEventId();
            detail = "started by " + e.triggerType() + " " + e.triggerEventId();
        } else if (event instanceof SagaEvent.StepRequested e) {
            step = e.step();
            requestedStep = e.step();
            dispatched = false;
            deadline = e.deadline();
            resendAttempts = 0;
            resendAt = null;
            detail = e.deadline() == null ? null : "deadline " + e.deadline();
        } else if (event instanceof SagaEvent.StepDispatched e) {
            step = e.step();
            dispatched = true;
            resendAt = null;
            detail = e.commandId() == null ? null : "command " + e.commandId();
        } else if (event instanceof SagaEvent.StepOutcomeUnknown e) {
            step = e.step();
            resendAttempts = e.attempt();
            resendAt = e.resendAt();
            detail = "attempt " + e.attempt() + " has an unknown outcome: " + e.cause() + "; re-sent at " + e.resendAt();
        } else if (event instanceof SagaEvent.StepUnresolved e) {
            step = e.step();
            state = SagaState.NEEDS_ATTENTION;
            unresolved = true;
            resendAt = null;
            failure = "the outcome of step '" + e.step() + "' stayed unknown after " + e.attempts() + " attempts, last: " + e.cause();
            detail = failure;
        } else if (event instanceof SagaEvent.StepSucceeded e) {
            step = e.step();
            completed.add(e.step());
            handle(e.replyEventId());
            lastCause = e.replyEventId() != null ? e.replyEventId() : lastCause;
            requestedStep = null;
            deadline = null;
            resendAt = null;
            if (unresolved) {
                unresolved = false;
                state = SagaState.RUNNING;
                failure = null;
            }
            detail = e.replyEventId() == null ? null : "reply " + e.replyEventId();
        } else if (event instanceof SagaEvent.StepFailed e) {
            step = e.step();
            state = SagaState.COMPENSATING;
            failure = "step '" + e.step() + "' failed: " + e.reason();
            handle(e.replyEventId());
            lastCause = e.replyEventId() != null ? e.replyEventId() : lastCause;
            requestedStep = null;
            deadline = null;
            resendAt = null;
            unresolved = false;
            detail = e.reason();
        } else if (event instanceof SagaEvent.StepTimedOut e) {
            step = e.step();
            state = SagaState.COMPENSATING;
            failure = "step '" + e.step() + "' timed out at " + e.deadline();
            if (!dispatched && resendAttempts > 0) {
                maybeDone = e.step();
            }
            requestedStep = null;
            deadline = null;
            resendAt = null;
            unresolved = false;
            detail = "deadline " + e.deadline();
        } else if (event instanceof SagaEvent.CompensationRequested e) {
            step = e.step();
            compensatingStep = e.step();
            compensationRequested = true;
            compensationAttempts = 0;
            compensationRetryAt = null;
        } else if (event instanceof SagaEvent.CompensationFailed e) {
            step = e.step();
            compensationAttempts = e.attempt();
            compensationRetryAt = e.retryAt();
            detail = "attempt " + e.attempt() + " failed: " + e.cause() + "; retry at " + e.retryAt();
        } else if (event instanceof SagaEvent.CompensationDone e) {
            step = e.step();
            compensated.add(e.step());
            compensatingStep = null;
            compensationRequested = false;
            compensationAttempts = 0;
            compensationRetryAt = null;
        } else if (event instanceof SagaEvent.Completed) {
            state = SagaState.COMPLETED;
        } else if (event instanceof SagaEvent.Compensated) {
            state = SagaState.COMPENSATED;
        } else if (event instanceof SagaEvent.NeedsAttention e) {
            step = e.step();
            state = SagaState.NEEDS_ATTENTION;
            failure = "compensation of step '" + e.step() + "' failed " + e.attempts() + " times, last: " + e.cause();
            compensationRetryAt = null;
            detail = failure;
        } else if (event instanceof SagaEvent.Resumed e) {
            step = e.step();
            if (unresolved) {
                state = SagaState.RUNNING;
                unresolved = false;
                resendAttempts = 0;
                resendAt = null;
            } else {
                state = SagaState.COMPENSATING;
                compensationAttempts = 0;
                compensationRetryAt = null;
            }
        }
        history.add(new HistoryEntry(envelope.version(), envelope.timestamp(), envelope.eventType(),
                Optional.ofNullable(step), Optional.ofNullable(detail)));
    }

    private void handle(@Nullable String eventId) {
        if (eventId != null) {
            handledEventIds.add(eventId);
        }
    }

    /** Where the instance stands; only for one that {@link #exists()}. */
    SagaStatus toStatus() {
        SagaState state = Objects.requireNonNull(this.state, "the state of a saga instance that exists");
        List<PendingTimeout> pending = new ArrayList<>(2);
        String requestedStep = this.requestedStep;
        boolean awaiting = state == SagaState.RUNNING || unresolved;
        if (requestedStep != null && awaiting && deadline != null) {
            pending.add(new PendingTimeout(requestedStep, TimeoutKind.STEP_TIMEOUT, deadline));
        }
        if (state == SagaState.RUNNING && requestedStep != null && !dispatched && resendAt != null) {
            pending.add(new PendingTimeout(requestedStep, TimeoutKind.COMMAND_RESEND, resendAt));
        }
        if (state == SagaState.COMPENSATING && compensatingStep != null && compensationRetryAt != null) {
            pending.add(new PendingTimeout(compensatingStep, TimeoutKind.COMPENSATION_RETRY, compensationRetryAt));
        }
        String current = switch (state) {
            case RUNNING -> requestedStep;
            case NEEDS_ATTENTION -> unresolved ? requestedStep : compensatingStep;
            case COMPENSATING -> compensatingStep;
            default -> null;
        };
        return new SagaStatus(sagaName, sagaId, state, Optional.ofNullable(current), completed, compensated, pending,
                Optional.ofNullable(failure), history, version);
    }
}
