package io.nexus.postgresql;

import io.nexus.testkit.contract.SnapshotStoreContract;
import io.nexus.core.snapshot.SnapshotStore;

/** The snapshot store contract against a real PostgreSQL, on a fresh schema per test. */
class PostgresSnapshotStoreContractTest extends SnapshotStoreContract {

    @Override
    protected SnapshotStore createStore() {
        return PostgresSnapshotStore.builder(EmbeddedPostgresServer.dataSource())
                .schema(EmbeddedPostgresServer.freshSchema("snapshots"))
                .build();
    }
}
