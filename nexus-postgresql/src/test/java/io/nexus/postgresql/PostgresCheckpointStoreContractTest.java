package io.nexus.postgresql;

import io.nexus.testkit.contract.CheckpointStoreContract;
import io.nexus.core.checkpoint.CheckpointStore;

/** The checkpoint store contract against a real PostgreSQL, on a fresh schema per test. */
class PostgresCheckpointStoreContractTest extends CheckpointStoreContract {

    @Override
    protected CheckpointStore createStore() {
        return PostgresCheckpointStore.builder(EmbeddedPostgresServer.dataSource())
                .schema(EmbeddedPostgresServer.freshSchema("checkpoints"))
                .build();
    }
}
