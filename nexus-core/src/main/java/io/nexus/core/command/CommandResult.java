package io.nexus.core.command;

import io.nexus.core.event.EventEnvelope;

import java.util.List;

/**
 * The outcome of a handled command.
 *
 * @param aggregateId    the aggregate the command ran against
 * @param version        the aggregate's version afterwards: wait for read models to reach it to read your own write
 *                       (when already applied, the version the earlier send left, which the stream may have passed)
 * @param events         the events appended, empty when the command decided nothing needed to change (when
 *                       already applied, the events the earlier send appended)
 * @param attempts       how many attempts it took (more than 1 after retried concurrency conflicts)
 * @param alreadyApplied {@code true} when the same command with the same command id had already been applied:
 *                       nothing new was appended
 */
public record CommandResult(String aggregateId, long version, List<EventEnvelope> events, int attempts,
                            boolean alreadyApplied) {

    public CommandResult {
        events = List.copyOf(events);
    }
}
