package io.nexus.core.snapshot;

import java.util.Optional;

/**
 * The snapshot store port: the latest snapshot per aggregate.
 *
 * <p>Contract: {@link #save} keeps a snapshot only if it is newer (a higher version) than the one
 * held, so a slow writer never replaces a newer snapshot with an older one; {@link #latest} reads its
 * own writes. Snapshots are a cache of the event stream: losing one costs a longer replay, never data.
 * Thread-safe. Checked by the {@code SnapshotStoreContract} suite of {@code nexus-test-kit}.
 */
public interface SnapshotStore {

    /**
     * Stores {@code snapshot} unless a snapshot of the same stream with a version at least as high is held.
     *
     * @throws SnapshotTooLargeException if the state exceeds the store's size limit; nothing is changed
     */
    void save(Snapshot snapshot);

    /** The latest snapshot of the stream, if any. */
    Optional<Snapshot> latest(String streamId);

    /** Removes every snapshot of the stream; a no-op for an unknown stream. */
    void delete(String streamId);
}
