package io.nexus.saga;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A saga instance as its stream tells it: state, progress, pending timeouts and the whole history.
 * Immutable.
 *
 * @param sagaName         the definition's name
 * @param sagaId           the instance id
 * @param state            where it stands
 * @param currentStep      the step being performed or awaited (RUNNING), being compensated
 *                         (COMPENSATING), or parked on (NEEDS_ATTENTION); empty otherwise
 * @param completedSteps   the steps that succeeded, in order
 * @param compensatedSteps the steps compensated so far, in the order they were compensated
 * @param pendingTimeouts  the deadlines the saga is waiting for (step timeouts, compensation retries)
 * @param failure          why the saga is compensating or needs attention; empty otherwise
 * @param history          every event of the saga, oldest first
 * @param version          the version of the saga's stream
 */
public record SagaStatus(String sagaName, String sagaId, SagaState state, Optional<String> currentStep,
                         List<String> completedSteps, List<String> compensatedSteps, List<PendingTimeout> pendingTimeouts,
                         Optional<String> failure, List<HistoryEntry> history, long version) {

    public SagaStatus {
        Objects.requireNonNull(state, "state");
        completedSteps = List.copyOf(completedSteps);
        compensatedSteps = List.copyOf(compensatedSteps);
        pendingTimeouts = List.copyOf(pendingTimeouts);
        history = List.copyOf(history);
    }

    /** What a pending deadline is for. */
    public enum TimeoutKind {
        /** The step fails with a timeout unless its reply arrives first. */
        STEP_TIMEOUT,
        /** The step's command, whose outcome is unknown, is sent again with the same command id. */
        COMMAND_RESEND,
        /** The next attempt of a failed compensation. */
        COMPENSATION_RETRY
    }

    /**
     * A deadline the saga waits for.
     *
     * @param step  the step it concerns
     * @param kind  what happens at the deadline
     * @param dueAt when
     */
    public record PendingTimeout(String step, TimeoutKind kind, Instant dueAt) { }

    /**
     * One recorded event of the saga.
     *
     * @param version   its version in the saga's stream
     * @param timestamp when it was stored
     * @param type      the event type ({@code nexus.saga.StepSucceeded}, or the type of an event a step emitted)
     * @param step      the step it concerns, empty for saga-level events
     * @param detail    a readable detail (a reason, a deadline, a cause), empty when there is none
     */
    public record HistoryEntry(long version, Instant timestamp, String type, Optional<String> step, Optional<String> detail) { }
}
