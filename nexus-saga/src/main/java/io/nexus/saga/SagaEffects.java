package io.nexus.saga;

import io.nexus.core.NexusException;
import io.nexus.core.aggregate.AggregateAlreadyExistsException;
import io.nexus.core.aggregate.AggregateNotFoundException;
import io.nexus.core.command.CommandBus;
import io.nexus.core.command.CommandRejectedException;
import io.nexus.core.command.InvalidCommandException;
import io.nexus.core.command.UnknownCommandException;
import io.nexus.core.event.NewEvent;
import io.nexus.core.policy.PolicyDecision;
import io.nexus.core.policy.PolicyDeniedException;
import io.nexus.core.policy.PolicyEngine;
import io.nexus.core.policy.PolicyRequest;
import io.nexus.core.scheduler.ScheduledTimer;
import io.nexus.core.scheduler.Scheduler;
import io.nexus.core.schema.EventValidator;
import io.nexus.core.schema.SchemaViolationException;
import io.nexus.core.serialization.EventCodec;
import io.nexus.saga.SagaInput.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Carries out what the {@link SagaDecider} asks for: arms and disarms timers on the {@link Scheduler}
 * port, sends commands through the command bus, and turns events a step emits into stored form after
 * the application's validator and policy engine passed them. What came of an action is handed back as
 * an {@link SagaInput.ActionOutcome} for the next decision.
 *
 * <p>How a failed send is read: only a refusal that proves the command had no effect (the aggregate
 * refused it, it was malformed or unknown, its target was missing or already there, or its events broke
 * a schema or a policy) is {@link Outcome.Refused}; anything else (a timeout, a lost connection, a store
 * that failed after the append, a transient conflict) is {@link Outcome.Unknown}, since the command may
 * well have taken effect.
 *
 * <p>Thread-safe if the ports are.
 */
final class SagaEffects {

    private static final Logger log = LoggerFactory.getLogger(SagaEffects.class);

    private static final List<Class<? extends RuntimeException>> NO_EFFECT = List.of(CommandRejectedException.class,
            InvalidCommandException.class, UnknownCommandException.class, AggregateNotFoundException.class,
            AggregateAlreadyExistsException.class, PolicyDeniedException.class, SchemaViolationException.class);

    private final String sagaName;
    private final CommandBus commandBus;
    private final EventCodec codec;
    private final EventValidator validator;
    private final PolicyEngine policy;
    private final Scheduler timers;
    private final SagaMeters meters;

    SagaEffects(String sagaName, CommandBus commandBus, EventCodec codec, EventValidator validator, PolicyEngine policy,
                Scheduler timers, SagaMeters meters) {
        this.sagaName = sagaName;
        this.commandBus = commandBus;
        this.codec = codec;
        this.validator = validator;
        this.policy = policy;
        this.timers = timers;
        this.meters = meters;
    }

    /** Whether {@code failure} of a send proves the command had no effect. */
    static boolean provesNoEffect(RuntimeException failure) {
        return NO_EFFECT.stream().anyMatch(type -> type.isInstance(failure));
    }

    /** Before the decision is stored: arms its timers, so no recorded deadline lacks its timer. */
    void arm(SagaDecider.Decision decision) {
        for (SagaEffect effect : decision.effects()) {
            if (effect instanceof SagaEffect.ScheduleTimer schedule) {
                timers.schedule(schedule.timer().toScheduled(sagaName, schedule.dueAt()));
            }
        }
    }

    /**
     * After the decision is stored: disarms its timers, notes where the instance ended, and performs its
     * action, if any.
     *
     * @return what came of the action; empty when the decision asked for none
     * @throws SagaProcessingException if an emitted event could not be checked for a transient reason
     */
    Optional<SagaInput> run(SagaInstance s, SagaDecider.Decision decision) {
        SagaInput.ActionOutcome outcome = null;
        for (SagaEffect effect : decision.effects()) {
            if (effect instanceof SagaEffect.CancelTimer cancel) {
                timers.cancel(sagaName, cancel.timer().id());
            } else if (effect instanceof SagaEffect.SendCommand send) {
                outcome = new SagaInput.ActionOutcome(send.step(), send.purpose(), send(send));
            } else if (effect instanceof SagaEffect.EmitEvent emit) {
                outcome = new SagaInput.ActionOutcome(emit.step(), emit.purpose(), emit(s, emit));
            } else if (effect instanceof SagaEffect.Finished finished) {
                if (finished.state() == SagaState.NEEDS_ATTENTION) {
                    log.warn("Saga '{}' instance '{}' needs attention: {}", sagaName, s.sagaId, finished.detail());
                } else {
                    log.debug("Saga '{}' instance '{}' is {}: {}", sagaName, s.sagaId, finished.state(), finished.detail());
                }
            }
        }
        if (outcome != null && outcome.purpose() == SagaEffect.Purpose.COMPENSATION) {
            meters.compensation(outcome.outcome() instanceof Outcome.Done ? "done" : "failed");
        }
        return Optional.ofNullable(outcome);
    }

    /** The timers of this saga due at {@code now}, earliest first, at most {@code max}. */
    List<ScheduledTimer> due(Instant now, int max) {
        return timers.due(sagaName, now, max);
    }

    /** Removes a timer once it was handled (a crash before this re-delivers it). */
    void handled(ScheduledTimer timer) {
        timers.cancel(sagaName, timer.id());
    }

    private Outcome send(SagaEffect.SendCommand send) {
        try {
            commandBus.send(send.command(), send.metadata());
            meters.commandSent(send.purpose());
            return new Outcome.Done(send.metadata().commandId().toString(), null);
        } catch (RuntimeException e) {
            String cause = SagaDecider.describe(e);
            if (provesNoEffect(e)) {
                return new Outcome.Refused(cause);
            }
            log.debug("Saga '{}' {} '{}' has an unknown outcome; it is sent again with the same command id", sagaName,
                    send.purpose().code, send.step(), e);
            return new Outcome.Unknown(cause);
        }
    }

    private Outcome emit(SagaInstance s, SagaEffect.EmitEvent emit) {
        try {
            NewEvent event = codec.encode(emit.event(), emit.eventId(), emit.correlationId(), emit.correlationId(), emit.attributes());
            validator.validate(s.streamId, event);
            authorize(s, event);
            return new Outcome.Done(null, event);
        } catch (NexusException e) {
            if (e.isTransient()) {
                throw new SagaProcessingException(sagaName, s.sagaId, "check the event of " + emit.purpose().code + " '" + emit.step() + "'", e);
            }
            return new Outcome.Refused(SagaDecider.describe(e));
        } catch (RuntimeException e) {
            return new Outcome.Refused(SagaDecider.describe(e));
        }
    }

    private void authorize(SagaInstance s, NewEvent event) {
        PolicyRequest request = new PolicyRequest("append", SagaInstances.AGGREGATE_TYPE, s.streamId, event.eventType(),
                event.payload(), Map.of("saga", sagaName));
        PolicyDecision decision;
        try {
            decision = policy.evaluate(request);
        } catch (NexusException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new NexusException("Policy engine failed to decide '" + event.eventType() + "' in saga stream '" + s.streamId
                    + "', so the event was not stored (fail closed): " + e.getMessage(), e, true);
        }
        if (decision == null || !decision.allowed()) {
            throw new PolicyDeniedException(request, decision == null ? "the policy engine gave no decision" : decision.reason());
        }
    }
}
