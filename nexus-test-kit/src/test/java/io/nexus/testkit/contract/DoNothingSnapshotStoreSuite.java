package io.nexus.testkit.contract;

import io.nexus.core.snapshot.Snapshot;
import io.nexus.core.snapshot.SnapshotStore;

import java.util.Optional;

/**
 * The snapshot store contract against a store that accepts every save and keeps nothing. Run only by
 * {@link ContractMetaTest}, which demands that every case fails; the name keeps Surefire from running it
 * on its own.
 */
class DoNothingSnapshotStoreSuite extends SnapshotStoreContract {

    @Override
    protected SnapshotStore createStore() {
        return new DoNothingSnapshotStore();
    }

    /** Accepts every save, validates nothing, stores nothing. */
    static final class DoNothingSnapshotStore implements SnapshotStore {

        @Override
        public void save(Snapshot snapshot) {
        }

        @Override
        public Optional<Snapshot> latest(String streamId) {
            return Optional.empty();
        }

        @Override
        public void delete(String streamId) {
        }
    }
}
