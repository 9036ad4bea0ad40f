package io.nexus.saga;

import io.nexus.core.aggregate.Aggregate;
import io.nexus.core.aggregate.EventSourcingHandler;
import io.nexus.core.command.CommandRejectedException;
import io.nexus.core.serialization.EventType;
import io.nexus.core.serialization.EventTypes;

/**
 * A unit of work one saga step performs, in its own aggregate ("task-<saga id>-<step>"). How it answers
 * is chosen by the command: succeed, reply with a failure, be refused by the bus, or stay silent.
 */
public final class Task extends Aggregate {

    public enum Outcome { SUCCEED, FAIL_REPLY, REJECT, SILENT }

    @EventType("test.Begin")
    public record Begin(String sagaId, int failAt, Outcome outcome) { }

    @EventType("test.Performed")
    public record Performed(String sagaId, int step) { }

    @EventType("test.PerformFailed")
    public record PerformFailed(String sagaId, int step, String reason) { }

    @EventType("test.Accepted")
    public record Accepted(String sagaId, int step) { }

    @EventType("test.Undone")
    public record Undone(String sagaId, int step) { }

    @EventType("test.Announced")
    public record Announced(String sagaId) { }

    @EventType("test.Retracted")
    public record Retracted(String sagaId) { }

    public record Perform(String sagaId, int step, Outcome outcome) {
        public String taskId() {
            return "task-" + sagaId + "-" + step;
        }
    }

    public record Undo(String sagaId, int step) {
        public String taskId() {
            return "task-" + sagaId + "-" + step;
        }
    }

    public static EventTypes eventTypes() {
        return EventTypes.builder().register(Begin.class).register(Performed.class).register(PerformFailed.class)
                .register(Accepted.class).register(Undone.class).register(Announced.class).register(Retracted.class).build();
    }

    private boolean performed;

    public void perform(Perform command) {
        switch (command.outcome()) {
            case SUCCEED -> apply(new Performed(command.sagaId(), command.step()));
            case FAIL_REPLY -> apply(new PerformFailed(command.sagaId(), command.step(), "no capacity for step " + command.step()));
            case REJECT -> throw new CommandRejectedException("Task '" + command.taskId() + "' refuses the work");
            case SILENT -> apply(new Accepted(command.sagaId(), command.step()));
        }
    }

    /** Idempotent, as compensations must be: undoing what is not (or no longer) performed changes nothing. */
    public void undo(Undo command) {
        if (performed) {
            apply(new Undone(command.sagaId(), command.step()));
        }
    }

    @EventSourcingHandler
    private void on(Performed e) {
        performed = true;
    }

    @EventSourcingHandler
    private void on(PerformFailed e) {
    }

    @EventSourcingHandler
    private void on(Accepted e) {
    }

    @EventSourcingHandler
    private void on(Undone e) {
        performed = false;
    }
}
