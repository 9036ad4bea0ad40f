package io.nexus.dynamodb;

import io.nexus.core.lease.LeaseStore;
import io.nexus.testkit.contract.LeaseStoreContract;

/** The lease store contract against DynamoDB Local; every case leases names of its own, so one checkpoints table serves all. */
class DynamoDbLeaseStoreContractTest extends LeaseStoreContract {

    private static final String TABLE = DynamoDbLocal.freshTable("lease-contract", DynamoDbTables::checkpointsTable);

    @Override
    protected LeaseStore createStore() {
        return DynamoDbLeaseStore.builder(DynamoDbLocal.client(), TABLE).build();
    }
}
