package io.nexus.core.projection;

import io.nexus.core.NexusException;

/**
 * A projection was handed an event of a stream whose earlier events it never applied, and those events
 * could not be read back from the store. The processor does not apply the event: it is retried and then
 * dead-lettered like any failure, and the stream's later events stay parked behind it. Transient: the
 * store may return the missing versions later (a replica catching up).
 */
public class ProjectionGapException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final String projection;
    private final String streamId;
    private final long lastApplied;
    private final long version;

    public ProjectionGapException(String projection, String streamId, long lastApplied, long version, long found) {
        super("Projection '" + projection + "' cannot apply stream '" + streamId + "' version " + version
                + ": it last applied version " + lastApplied + ", and reading versions " + (lastApplied + 1) + ".."
                + (version - 1) + " back from the store found " + found + " of them; the stream stays parked. "
                + "Check the store, then retry or discard the dead letter.", null, true);
        this.projection = projection;
        this.streamId = streamId;
        this.lastApplied = lastApplied;
        this.version = version;
    }

    public String projection() {
        return projection;
    }

    public String streamId() {
        return streamId;
    }

    /** The version the projection last applied (0: none). */
    public long lastApplied() {
        return lastApplied;
    }

    /** The version that arrived after the gap. */
    public long version() {
        return version;
    }
}
