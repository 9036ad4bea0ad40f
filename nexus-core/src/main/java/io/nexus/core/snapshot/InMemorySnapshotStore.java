package io.nexus.core.snapshot;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The embedded snapshot store: the latest snapshot per stream in a concurrent map. Thread-safe. */
public final class InMemorySnapshotStore implements SnapshotStore {

    /** The default largest snapshot state accepted, in bytes. */
    public static final int DEFAULT_MAX_SNAPSHOT_SIZE = 16 * 1024 * 1024;

    private final Map<String, Snapshot> latest = new ConcurrentHashMap<>();
    private final int maxSize;

    public InMemorySnapshotStore() {
        this(DEFAULT_MAX_SNAPSHOT_SIZE);
    }

    public InMemorySnapshotStore(int maxSize) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be >= 1, but was " + maxSize);
        }
        this.maxSize = maxSize;
    }

    @Override
    public void save(Snapshot snapshot) {
        Objects.requireNonNull(snapshot, "snapshot");
        if (snapshot.state().size() > maxSize) {
            throw new SnapshotTooLargeException(snapshot.streamId(), snapshot.state().size(), maxSize);
        }
        latest.merge(snapshot.streamId(), snapshot, (held, offered) -> offered.version() > held.version() ? offered : held);
    }

    @Override
    public Optional<Snapshot> latest(String streamId) {
        return Optional.ofNullable(latest.get(streamId));
    }

    @Override
    public void delete(String streamId) {
        latest.remove(streamId);
    }
}
