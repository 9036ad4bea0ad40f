package io.nexus.testkit.contract;

import io.nexus.core.snapshot.InMemorySnapshotStore;
import io.nexus.core.snapshot.SnapshotStore;

/** The snapshot store contract run against the embedded {@link InMemorySnapshotStore} with its default limit. */
class InMemorySnapshotStoreContractTest extends SnapshotStoreContract {

    @Override
    protected SnapshotStore createStore() {
        return new InMemorySnapshotStore();
    }
}
