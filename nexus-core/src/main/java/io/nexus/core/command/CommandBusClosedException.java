package io.nexus.core.command;

import io.nexus.core.NexusException;

/**
 * A command was sent after its command bus (or the {@code Nexus} that owns it) was closed. Nothing was
 * loaded or appended. Permanent: send commands through an open {@code Nexus}.
 */
public class CommandBusClosedException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final Class<?> commandType;

    public CommandBusClosedException(Class<?> commandType) {
        super("Command '" + commandType.getSimpleName() + "' was sent to a closed command bus (Nexus.close() was "
                + "called), so it was not handled; send commands before closing Nexus, or build a new one.");
        this.commandType = commandType;
    }

    /** The class of the refused command. */
    public Class<?> commandType() {
        return commandType;
    }
}
