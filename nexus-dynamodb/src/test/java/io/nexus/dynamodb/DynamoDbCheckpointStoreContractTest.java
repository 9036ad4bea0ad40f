package io.nexus.dynamodb;

import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.testkit.contract.CheckpointStoreContract;

/** The checkpoint store contract against DynamoDB Local, on a fresh checkpoints table per test. */
class DynamoDbCheckpointStoreContractTest extends CheckpointStoreContract {

    @Override
    protected CheckpointStore createStore() {
        return new DynamoDbCheckpointStore(DynamoDbLocal.client(),
                DynamoDbLocal.freshTable("checkpoint-contract", DynamoDbTables::checkpointsTable));
    }
}
