package io.nexus.core.command;

import io.nexus.core.NexusException;

/** No handler is registered for a command's class. Permanent: register one at startup. */
public class UnknownCommandException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final Class<?> commandType;

    public UnknownCommandException(Class<?> commandType) {
        super("No handler is registered for command '" + commandType.getName()
                + "'; register one with Nexus.builder().aggregate(definition, routes -> routes.update("
                + commandType.getSimpleName() + ".class, ...)).");
        this.commandType = commandType;
    }

    public Class<?> commandType() {
        return commandType;
    }
}
