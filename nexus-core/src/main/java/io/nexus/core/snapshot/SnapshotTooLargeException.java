package io.nexus.core.snapshot;

import io.nexus.core.NexusException;

/**
 * A snapshot's state is larger than the snapshot store accepts. Never fails a command: snapshots are
 * written in the background and the aggregate keeps loading from its events. Permanent: shrink the
 * state or raise the store's limit.
 */
public class SnapshotTooLargeException extends NexusException {

    private static final long serialVersionUID = 1L;

    public SnapshotTooLargeException(String streamId, long size, long limit) {
        super("Snapshot of stream '" + streamId + "' is " + size + " bytes but the store accepts at most " + limit
                + " bytes; keep less in the snapshot state or raise the snapshot store's limit.");
    }
}
