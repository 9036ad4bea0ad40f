package io.nexus.core.command;

/**
 * Sends commands to their handlers: load the aggregate (snapshot plus the events after it), run the
 * handler, validate and authorize the new events, append them with the loaded version as the expected
 * version, publish, and snapshot when the trigger says so. Thread-safe.
 */
public interface CommandBus {

    /**
     * Handles {@code command} with fresh metadata.
     *
     * @throws UnknownCommandException  if no handler is registered for the command's class
     * @throws InvalidCommandException  if the command names no aggregate
     * @throws CommandRejectedException if the aggregate refused it
     * @throws io.nexus.core.store.ConcurrencyConflictException if another writer won and retries (if any) ran out
     * @throws io.nexus.core.NexusException for validation, policy, size and store failures; nothing is appended
     */
    default CommandResult send(Object command) {
        return send(command, CommandMetadata.create());
    }

    /**
     * Handles {@code command} with the given metadata. A command whose command id already appended events to
     * its aggregate is not decided again: the result is {@link CommandResult#alreadyApplied()} with the
     * original events, whatever the aggregate's state is now. Same failures as {@link #send(Object)}, and:
     *
     * @throws CommandIdReusedException if a different command (another class or other content) already used
     *                                  {@code metadata}'s command id on the same aggregate; nothing is appended
     */
    CommandResult send(Object command, CommandMetadata metadata);
}
