package io.nexus.saga;

import io.nexus.core.command.CommandMetadata;
import io.nexus.core.event.NewEvent;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.saga.SagaDefinition;
import io.nexus.core.saga.SagaDefinition.Action;
import io.nexus.core.saga.SagaDefinition.Reply;
import io.nexus.core.saga.SagaDefinition.Step;
import io.nexus.saga.SagaInput.Outcome;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The saga's decision step, and nothing else: given an instance's state, one input and the time, it says
 * which saga events to record and which effects to carry out. It reads no store, sends nothing and reads
 * no clock, so the same state and input always give the same decision; the coordinator stores the
 * events, runs the effects and feeds what came of an action back in as an {@link SagaInput.ActionOutcome}.
 *
 * <p>Implementation notes.
 * <ul>
 *   <li>Record before doing: a step is recorded as requested before its action runs and as dispatched
 *       after; {@link SagaInput.Advance} redoes an action that is requested but not recorded as done
 *       (after a crash, a conflict, or a due retry), always with the same derived command id.</li>
 *   <li>Outcomes: an action refused in a way that proves it had no effect fails the step; an unknown
 *       outcome (the send threw something else) is resolved by re-sending the same command id with the
 *       {@code commandRetry} backoff, while a reply that arrives meanwhile ends the step as usual. Re-sends
 *       that run out park the instance ({@link SagaEvent.StepUnresolved}); they never fail the step. A
 *       step that times out with its outcome still unknown may have taken effect, so it is compensated
 *       along with the completed ones (compensations are idempotent by contract).</li>
 *   <li>Backoff jitter is drawn from a generator seeded by the instance, step and attempt, so it is
 *       reproducible without state.</li>
 * </ul>
 *
 * <p>Thread-safe: immutable; the instance it reads is not changed.
 *
 * @param <E> the class of the starting event
 */
final class SagaDecider<E> {

    /** What to record and what to do. Events a step emits are stored first, then the saga events, in one append. */
    record Decision(List<SagaEvent> events, List<NewEvent> emitted, List<SagaEffect> effects) {

        static final Decision NONE = new Decision(List.of(), List.of(), List.of());

        Decision {
            events = List.copyOf(events);
            emitted = List.copyOf(emitted);
            effects = List.copyOf(effects);
        }

        static Decision record(SagaEvent... events) {
            return new Decision(List.of(events), List.of(), List.of());
        }

        Decision with(SagaEffect... more) {
            List<SagaEffect> all = new ArrayList<>(effects);
            all.addAll(List.of(more));
            return new Decision(events, emitted, all);
        }

        Decision with(List<SagaEffect> more) {
            return with(more.toArray(SagaEffect[]::new));
        }

        boolean isEmpty() {
            return events.isEmpty() && emitted.isEmpty() && effects.isEmpty();
        }
    }

    private final SagaDefinition<E> definition;
    private final RetryPolicy commandRetry;
    private final RetryPolicy compensationRetry;
    private final long seed;

    SagaDecider(SagaDefinition<E> definition, RetryPolicy commandRetry, RetryPolicy compensationRetry, long seed) {
        this.definition = definition;
        this.commandRetry = commandRetry;
        this.compensationRetry = compensationRetry;
        this.seed = seed;
    }

    /**
     * The decision for {@code input} on {@code s} at {@code now}.
     *
     * @throws SagaNotFoundException if {@code input} resumes an instance that never started
     * @throws IllegalStateException if it resumes one that is not parked, or the history names an unknown step
     */
    Decision decide(SagaInstance s, SagaInput input, Instant now) {
        if (input instanceof SagaInput.Start start) {
            return s.exists() ? Decision.NONE : Decision.record(start.started());
        }
        if (!s.exists()) {
            if (input instanceof SagaInput.Resume) {
                throw new SagaNotFoundException(definition.name(), s.sagaId);
            }
            return Decision.NONE;
        }
        if (input instanceof SagaInput.Reply reply) {
            return onReply(s, reply);
        }
        if (input instanceof SagaInput.TimerFired fired) {
            return fired.timer().kind() == SagaTimer.Kind.STEP_TIMEOUT ? onTimeout(s, fired.timer().step(), now) : advance(s, now);
        }
        if (input instanceof SagaInput.ActionOutcome outcome) {
            return outcome.purpose() == SagaEffect.Purpose.STEP ? onStepOutcome(s, outcome, now) : onCompensationOutcome(s, outcome, now);
        }
        if (input instanceof SagaInput.Resume) {
            if (s.state != SagaState.NEEDS_ATTENTION) {
                throw new IllegalStateException("saga '" + definition.name() + "' instance '" + s.sagaId + "' is " + s.state
                        + ", not NEEDS_ATTENTION; only a parked saga can be resumed");
            }
            // A parked instance has the step it stopped at: the requested one when its outcome stayed unknown, else the compensated one.
            return Decision.record(new SagaEvent.Resumed(Objects.requireNonNull(s.unresolved ? s.requestedStep : s.compensatingStep, "parked step")));
        }
        return advance(s, now);
    }

    // ---- replies and timeouts --------------------------------------------------------------------------

    private Decision onReply(SagaInstance s, SagaInput.Reply input) {
        if (!awaitsStep(s) || s.handledEventIds.contains(input.eventId())) {
            return Decision.NONE;
        }
        Step<E> step = step(Objects.requireNonNull(s.requestedStep, "awaited step"));
        Optional<Reply<?>> reply = step.replies().stream()
                .filter(r -> r.matches(input.event()) && s.sagaId.equals(r.correlationKey(input.event()))).findFirst();
        if (reply.isEmpty()) {
            return Decision.NONE;
        }
        SagaEvent ended = reply.get().success() ? new SagaEvent.StepSucceeded(step.name(), input.eventId())
                : new SagaEvent.StepFailed(step.name(), reply.get().reasonOf(input.event()), input.eventId());
        return Decision.record(ended).with(disarm(s, step));
    }

    private Decision onTimeout(SagaInstance s, String stepName, Instant now) {
        if (!awaitsStep(s) || !stepName.equals(s.requestedStep) || s.deadline == null || s.deadline.isAfter(now)) {
            return Decision.NONE;
        }
        Decision timedOut = Decision.record(new SagaEvent.StepTimedOut(stepName, s.deadline));
        return s.resendAt == null ? timedOut : timedOut.with(new SagaEffect.CancelTimer(SagaTimer.commandResend(s.sagaId, stepName, s.resendAttempts)));
    }

    /** Running with a requested step, or parked on a step whose outcome is unknown: a reply or timeout still ends it. */
    private static boolean awaitsStep(SagaInstance s) {
        return s.requestedStep != null && (s.state == SagaState.RUNNING || (s.state == SagaState.NEEDS_ATTENTION && s.unresolved));
    }

    private List<SagaEffect> disarm(SagaInstance s, Step<E> step) {
        List<SagaEffect> effects = new ArrayList<>(2);
        if (step.timeout().isPresent()) {
            effects.add(new SagaEffect.CancelTimer(SagaTimer.stepTimeout(s.sagaId, step.name())));
        }
        if (s.resendAt != null) {
            effects.add(new SagaEffect.CancelTimer(SagaTimer.commandResend(s.sagaId, step.name(), s.resendAttempts)));
        }
        return effects;
    }

    // ---- what comes of an action ------------------------------------------------------------------------

    private Decision onStepOutcome(SagaInstance s, SagaInput.ActionOutcome input, Instant now) {
        if (s.state != SagaState.RUNNING || !input.step().equals(s.requestedStep) || s.dispatched) {
            return Decision.NONE;
        }
        Step<E> step = step(input.step());
        Outcome outcome = input.outcome();
        if (outcome instanceof Outcome.Done done) {
            List<SagaEvent> events = new ArrayList<>(2);
            events.add(new SagaEvent.StepDispatched(step.name(), done.commandId()));
            if (!step.awaitsReply()) {
                events.add(new SagaEvent.StepSucceeded(step.name(), null));
            }
            return new Decision(events, done.emitted() == null ? List.of() : List.of(done.emitted()), List.of());
        }
        if (outcome instanceof Outcome.Refused refused) {
            return Decision.record(new SagaEvent.StepFailed(step.name(), refused.cause(), null)).with(disarm(s, step));
        }
        String cause = ((Outcome.Unknown) outcome).cause();
        int attempt = s.resendAttempts + 1;
        if (commandRetry.canRetryAfter(attempt)) {
            Instant resendAt = now.plus(commandRetry.delayAfter(attempt, jitter(s, step.name(), attempt, 1)));
            return Decision.record(new SagaEvent.StepOutcomeUnknown(step.name(), attempt, cause, resendAt))
                    .with(new SagaEffect.ScheduleTimer(SagaTimer.commandResend(s.sagaId, step.name(), attempt), resendAt));
        }
        return Decision.record(new SagaEvent.StepUnresolved(step.name(), cause, attempt))
                .with(new SagaEffect.Finished(SagaState.NEEDS_ATTENTION, "the outcome of step '" + step.name() + "' stayed unknown after "
                        + attempt + " attempts, last: " + cause));
    }

    private Decision onCompensationOutcome(SagaInstance s, SagaInput.ActionOutcome input, Instant now) {
        if (s.state != SagaState.COMPENSATING || !input.step().equals(s.compensatingStep) || !s.compensationRequested) {
            return Decision.NONE;
        }
        Outcome outcome = input.outcome();
        if (outcome instanceof Outcome.Done done) {
            return new Decision(List.of(new SagaEvent.CompensationDone(input.step())),
                    done.emitted() == null ? List.of() : List.of(done.emitted()), List.of());
        }
        String cause = outcome instanceof Outcome.Refused refused ? refused.cause() : ((Outcome.Unknown) outcome).cause();
        int attempt = s.compensationAttempts + 1;
        if (compensationRetry.canRetryAfter(attempt)) {
            Instant retryAt = now.plus(compensationRetry.delayAfter(attempt, jitter(s, input.step(), attempt, 2)));
            return Decision.record(new SagaEvent.CompensationFailed(input.step(), attempt, cause, retryAt))
                    .with(new SagaEffect.ScheduleTimer(SagaTimer.compensationRetry(s.sagaId, input.step(), attempt), retryAt));
        }
        return Decision.record(new SagaEvent.NeedsAttention(input.step(), cause, attempt))
                .with(new SagaEffect.Finished(SagaState.NEEDS_ATTENTION, "compensation of step '" + input.step() + "' failed "
                        + attempt + " times, last: " + cause));
    }

    // ---- moving forward and back ------------------------------------------------------------------------

    private Decision advance(SagaInstance s, Instant now) {
        if (s.state == SagaState.RUNNING) {
            return nextForward(s, now);
        }
        if (s.state == SagaState.COMPENSATING) {
            return nextCompensation(s, now);
        }
        return Decision.NONE;
    }

    private Decision nextForward(SagaInstance s, Instant now) {
        int next = s.completed.size();
        if (next >= definition.steps().size()) {
            return Decision.record(new SagaEvent.Completed()).with(new SagaEffect.Finished(SagaState.COMPLETED, "every step succeeded"));
        }
        Step<E> step = definition.steps().get(next);
        if (!step.name().equals(s.requestedStep)) {
            if (step.action().isEmpty()) {
                return Decision.record(new SagaEvent.StepRequested(step.name(), null), new SagaEvent.StepSucceeded(step.name(), null));
            }
            Instant deadline = step.timeout().map(now::plus).orElse(null);
            Decision requested = Decision.record(new SagaEvent.StepRequested(step.name(), deadline));
            return deadline == null ? requested
                    : requested.with(new SagaEffect.ScheduleTimer(SagaTimer.stepTimeout(s.sagaId, step.name()), deadline));
        }
        if (s.dispatched || (s.resendAt != null && s.resendAt.isAfter(now))) {
            return Decision.NONE;
        }
        return perform(s, step.name(), step.action().orElseThrow(), SagaEffect.Purpose.STEP, now);
    }

    private Decision nextCompensation(SagaInstance s, Instant now) {
        List<String> done = new ArrayList<>(s.completed);
        if (s.maybeDone != null) {
            done.add(s.maybeDone);
        }
        Step<E> target = null;
        for (int i = done.size() - 1; i >= 0 && target == null; i--) {
            Step<E> candidate = step(done.get(i));
            if (candidate.compensation().isPresent() && !s.compensated.contains(candidate.name())) {
                target = candidate;
            }
        }
        if (target == null) {
            return Decision.record(new SagaEvent.Compensated()).with(new SagaEffect.Finished(SagaState.COMPENSATED,
                    s.failure == null ? "compensated" : s.failure));
        }
        if (!s.compensationRequested || !target.name().equals(s.compensatingStep)) {
            return Decision.record(new SagaEvent.CompensationRequested(target.name()));
        }
        if (s.compensationRetryAt != null && s.compensationRetryAt.isAfter(now)) {
            return Decision.NONE;
        }
        return perform(s, target.name(), target.compensation().orElseThrow(), SagaEffect.Purpose.COMPENSATION, now);
    }

    /** Asks for {@code action}; a factory that throws is a refusal (nothing was sent). */
    private Decision perform(SagaInstance s, String stepName, Action<E> action, SagaEffect.Purpose purpose, Instant now) {
        Object message;
        try {
            message = action.create(startEvent(s));
        } catch (RuntimeException e) {
            return decide(s, new SagaInput.ActionOutcome(stepName, purpose, new Outcome.Refused(describe(e))), now);
        }
        UUID id = UUID.nameUUIDFromBytes(("nexus-saga/" + definition.name() + "/" + s.sagaId + "/" + purpose.code + "/" + stepName)
                .getBytes(StandardCharsets.UTF_8));
        // The request's correlation id carries through the saga; the cause is the event that moved it to this action.
        SagaEvent.Started started = Objects.requireNonNull(s.started, "the start of a running instance");
        String correlation = started.correlationId();
        String cause = s.lastCause != null ? s.lastCause : started.triggerEventId();
        Map<String, String> attributes = Map.of("saga", definition.name(), "sagaId", s.sagaId, "sagaStep", stepName,
                "sagaAction", purpose.code);
        if (action instanceof Action.SendCommand<E>) {
            return Decision.NONE.with(new SagaEffect.SendCommand(stepName, purpose, message,
                    CommandMetadata.withCommandId(id).correlationId(correlation).causationId(cause).attributes(attributes)));
        }
        return Decision.NONE.with(new SagaEffect.EmitEvent(stepName, purpose, message, id, correlation, cause, attributes));
    }

    @SuppressWarnings("unchecked")
    private E startEvent(SagaInstance s) {
        return (E) Objects.requireNonNull(s.startEvent, "the start event of a running instance");
    }

    private Step<E> step(String name) {
        return definition.step(name).orElseThrow(() -> new IllegalStateException("saga '" + definition.name()
                + "' has no step '" + name + "' but its stored history names it; steps must not be renamed while instances run"));
    }

    private SplittableRandom jitter(SagaInstance s, String stepName, int attempt, int kind) {
        long h = seed;
        h = 31 * h + s.sagaId.hashCode();
        h = 31 * h + stepName.hashCode();
        h = 31 * h + attempt;
        h = 31 * h + kind;
        return new SplittableRandom(h);
    }

    static String describe(Throwable e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
