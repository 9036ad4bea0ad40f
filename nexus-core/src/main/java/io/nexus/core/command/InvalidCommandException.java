package io.nexus.core.command;

import io.nexus.core.NexusException;

/**
 * A command is malformed: a required value is missing or out of range, or it names no aggregate.
 * Nothing is loaded or appended. Permanent: fix the command.
 */
public class InvalidCommandException extends NexusException {

    private static final long serialVersionUID = 1L;

    public InvalidCommandException(String message) {
        super(message);
    }
}
