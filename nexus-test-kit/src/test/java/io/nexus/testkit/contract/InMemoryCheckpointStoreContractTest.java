package io.nexus.testkit.contract;

import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;

/** The checkpoint store contract run against the embedded {@link InMemoryCheckpointStore}. */
class InMemoryCheckpointStoreContractTest extends CheckpointStoreContract {

    @Override
    protected CheckpointStore createStore() {
        return new InMemoryCheckpointStore();
    }
}
