package io.nexus.testkit.contract;

import io.nexus.core.snapshot.InMemorySnapshotStore;
import io.nexus.core.snapshot.Snapshot;
import io.nexus.core.snapshot.SnapshotStore;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The snapshot store contract against stores with one realistic bug each. Run only by
 * {@link ContractMetaTest}, which demands that the cases aimed at each bug fail; the names keep
 * Surefire from running them on their own.
 */
final class BrokenSnapshotStoreSuites {

    private BrokenSnapshotStoreSuites() {
    }

    /** The last save wins, whatever its version. */
    static final class LastWriteWins extends SnapshotStoreContract {
        @Override
        protected SnapshotStore createStore() {
            Map<String, Snapshot> held = new ConcurrentHashMap<>();
            return new SnapshotStore() {
                @Override
                public void save(Snapshot snapshot) {
                    held.put(snapshot.streamId(), snapshot);
                }

                @Override
                public Optional<Snapshot> latest(String streamId) {
                    return Optional.ofNullable(held.get(streamId));
                }

                @Override
                public void delete(String streamId) {
                    held.remove(streamId);
                }
            };
        }
    }

    /** Delete does nothing. */
    static final class DeleteIgnored extends SnapshotStoreContract {
        @Override
        protected SnapshotStore createStore() {
            InMemorySnapshotStore delegate = new InMemorySnapshotStore();
            return new SnapshotStore() {
                @Override
                public void save(Snapshot snapshot) {
                    delegate.save(snapshot);
                }

                @Override
                public Optional<Snapshot> latest(String streamId) {
                    return delegate.latest(streamId);
                }

                @Override
                public void delete(String streamId) {
                }
            };
        }
    }

    /** Keeps no size limit of its own. */
    static final class NoSizeLimit extends SnapshotStoreContract {
        @Override
        protected SnapshotStore createStore() {
            return new InMemorySnapshotStore(Integer.MAX_VALUE);
        }
    }

    /** Forgets the state schema version on the way in. */
    static final class DropsStateSchemaVersion extends SnapshotStoreContract {
        @Override
        protected SnapshotStore createStore() {
            InMemorySnapshotStore delegate = new InMemorySnapshotStore();
            return new SnapshotStore() {
                @Override
                public void save(Snapshot s) {
                    delegate.save(new Snapshot(s.streamId(), s.aggregateType(), s.version(), 1, s.createdAt(), s.state()));
                }

                @Override
                public Optional<Snapshot> latest(String streamId) {
                    return delegate.latest(streamId);
                }

                @Override
                public void delete(String streamId) {
                    delegate.delete(streamId);
                }
            };
        }
    }
}
