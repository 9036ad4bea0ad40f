package io.nexus.testkit.contract;

import io.nexus.core.snapshot.InMemorySnapshotStore;
import io.nexus.core.snapshot.SnapshotStore;

/**
 * The snapshot store contract against {@link InMemorySnapshotStore} with a 64 KiB state limit, which
 * proves the suite's size cases follow {@link #maxSnapshotSizeBytes()} rather than one fixed limit.
 */
class InMemorySnapshotStoreSmallLimitContractTest extends SnapshotStoreContract {

    private static final int LIMIT = 64 * 1024;

    @Override
    protected SnapshotStore createStore() {
        return new InMemorySnapshotStore(LIMIT);
    }

    @Override
    protected int maxSnapshotSizeBytes() {
        return LIMIT;
    }
}
