package io.nexus.dynamodb;

import io.nexus.core.snapshot.SnapshotStore;
import io.nexus.testkit.contract.SnapshotStoreContract;

/**
 * The snapshot store contract against DynamoDB Local, on a fresh table per test. The state limit is set
 * below the 400 KB item limit so that even an incompressible state under it fits one item.
 */
class DynamoDbSnapshotStoreContractTest extends SnapshotStoreContract {

    private static final int STATE_LIMIT = 350 * 1024;

    @Override
    protected SnapshotStore createStore() {
        DynamoDbTables.Names tables = DynamoDbLocal.freshTables("snapshot-contract");
        return DynamoDbSnapshotStore.builder(DynamoDbLocal.client()).tableName(tables.snapshots())
                .maxStateBytes(STATE_LIMIT).build();
    }

    @Override
    protected int maxSnapshotSizeBytes() {
        return STATE_LIMIT;
    }
}
