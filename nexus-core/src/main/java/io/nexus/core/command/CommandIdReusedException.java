package io.nexus.core.command;

import io.nexus.core.NexusException;

import java.util.UUID;

/**
 * A command was sent with a command id that an earlier, different command (another class or other
 * content) already used on the same aggregate. Nothing is appended. Permanent: a re-send must repeat the
 * command unchanged; a new command needs a new command id.
 */
public class CommandIdReusedException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final UUID commandId;
    private final String aggregateType;
    private final String aggregateId;
    private final long appliedAtVersion;

    public CommandIdReusedException(UUID commandId, String aggregateType, String aggregateId, long appliedAtVersion) {
        super("Command id '" + commandId + "' was already used by a different command on " + aggregateType + " '"
                + aggregateId + "' (its events start at version " + appliedAtVersion + "), so this command was not "
                + "applied. Re-send a command only unchanged; give a new command a new command id.");
        this.commandId = commandId;
        this.aggregateType = aggregateType;
        this.aggregateId = aggregateId;
        this.appliedAtVersion = appliedAtVersion;
    }

    public UUID commandId() {
        return commandId;
    }

    public String aggregateType() {
        return aggregateType;
    }

    public String aggregateId() {
        return aggregateId;
    }

    /** The version of the first event the earlier command appended. */
    public long appliedAtVersion() {
        return appliedAtVersion;
    }
}
