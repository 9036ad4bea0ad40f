package io.nexus.testkit.contract;

import io.nexus.core.lease.InMemoryLeaseStore;
import io.nexus.core.lease.LeaseStore;

class InMemoryLeaseStoreContractTest extends LeaseStoreContract {

    @Override
    protected LeaseStore createStore() {
        return new InMemoryLeaseStore();
    }
}
