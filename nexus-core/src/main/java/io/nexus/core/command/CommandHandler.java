package io.nexus.core.command;

import io.nexus.core.aggregate.Aggregate;

/**
 * Handles one command type against one aggregate: decide with the aggregate's state, record the
 * outcome as events through the aggregate's own methods, or throw to refuse. Loading, validation of
 * the new events, appending with the expected version, retries and publishing are done by the command
 * bus around it. Must not keep state between calls; may run again for the same command after a
 * concurrency conflict, on a freshly loaded aggregate.
 *
 * @param <A> the aggregate type
 * @param <C> the command type
 */
@FunctionalInterface
public interface CommandHandler<A extends Aggregate, C> {

    /**
     * @throws CommandRejectedException when a business rule refuses the command
     * @throws InvalidCommandException  when the command is malformed
     */
    void handle(A aggregate, C command, CommandContext context);
}
