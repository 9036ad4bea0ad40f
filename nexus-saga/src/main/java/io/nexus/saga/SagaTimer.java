package io.nexus.saga;

import io.nexus.core.scheduler.ScheduledTimer;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A durable wake-up call of one saga instance, as a typed value. The only place that knows how a saga
 * timer is written into a {@link ScheduledTimer} (its id and data) and read back.
 *
 * @param sagaId  the instance
 * @param kind    what the timer is for
 * @param step    the step it concerns
 * @param attempt for retries, the attempt that failed (1-based); 0 for step timeouts
 */
record SagaTimer(String sagaId, Kind kind, String step, int attempt) {

    /** What a saga timer is for; the codes are stored and must not change. */
    enum Kind {
        /** The step's deadline: it times out unless a reply ended it. */
        STEP_TIMEOUT("timeout"),
        /** The step's command had an unknown outcome: send it again, with the same command id. */
        COMMAND_RESEND("resend"),
        /** A compensation failed: try it again. */
        COMPENSATION_RETRY("retry");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        static Optional<Kind> ofCode(String code) {
            for (Kind kind : values()) {
                if (kind.code.equals(code)) {
                    return Optional.of(kind);
                }
            }
            return Optional.empty();
        }
    }

    SagaTimer {
        Objects.requireNonNull(sagaId, "sagaId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(step, "step");
    }

    static SagaTimer stepTimeout(String sagaId, String step) {
        return new SagaTimer(sagaId, Kind.STEP_TIMEOUT, step, 0);
    }

    static SagaTimer commandResend(String sagaId, String step, int attempt) {
        return new SagaTimer(sagaId, Kind.COMMAND_RESEND, step, attempt);
    }

    static SagaTimer compensationRetry(String sagaId, String step, int attempt) {
        return new SagaTimer(sagaId, Kind.COMPENSATION_RETRY, step, attempt);
    }

    /** The id under which the scheduler keeps this timer; unique per instance, kind, step and attempt. */
    String id() {
        return sagaId + "/" + kind.code + "/" + step + (attempt > 0 ? "/" + attempt : "");
    }

    /** The timer for the scheduler port, owned by the saga {@code sagaName}; data is {@code kind:step:attempt:sagaId}. */
    ScheduledTimer toScheduled(String sagaName, Instant dueAt) {
        return new ScheduledTimer(id(), sagaName, dueAt, kind.code + ":" + step + ":" + attempt + ":" + sagaId);
    }

    /**
     * The saga timer {@code timer} holds, or empty when its data is not a saga timer's. Step names hold no
     * ':' (the definition refuses them); the saga id is last and may. Data of the earlier three-part form
     * {@code kind:step:sagaId} reads as attempt 0.
     */
    static Optional<SagaTimer> from(ScheduledTimer timer) {
        String[] parts = timer.data().split(":", 4);
        if (parts.length < 3) {
            return Optional.empty();
        }
        Optional<Kind> kind = Kind.ofCode(parts[0]);
        if (kind.isEmpty()) {
            return Optional.empty();
        }
        if (parts.length == 4 && parts[2].matches("[0-9]{1,9}")) {
            return Optional.of(new SagaTimer(parts[3], kind.get(), parts[1], Integer.parseInt(parts[2])));
        }
        return Optional.of(new SagaTimer(timer.data().split(":", 3)[2], kind.get(), parts[1], 0));
    }
}
