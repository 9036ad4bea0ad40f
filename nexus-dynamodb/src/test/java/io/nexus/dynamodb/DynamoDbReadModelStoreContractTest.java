package io.nexus.dynamodb;

import io.nexus.core.readmodel.ReadModelStores;
import io.nexus.testkit.contract.ReadModelStoreContract;

/** The read-model store contract against DynamoDB Local, on a fresh read-models table per test. */
class DynamoDbReadModelStoreContractTest extends ReadModelStoreContract {

    @Override
    protected ReadModelStores createStores() {
        return DynamoDbReadModelStores.builder(DynamoDbLocal.client())
                .tableName(DynamoDbLocal.freshTable("read-model-contract", DynamoDbTables::readModelsTable)).build();
    }
}
