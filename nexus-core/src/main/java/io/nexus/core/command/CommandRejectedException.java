package io.nexus.core.command;

import io.nexus.core.NexusException;

/**
 * A command broke a business rule of its aggregate ("no lines after confirmation"). Thrown by
 * aggregates; nothing is appended. Permanent: the command must change.
 */
public class CommandRejectedException extends NexusException {

    private static final long serialVersionUID = 1L;

    public CommandRejectedException(String message) {
        super(message);
    }
}
