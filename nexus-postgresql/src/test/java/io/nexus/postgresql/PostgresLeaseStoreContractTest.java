package io.nexus.postgresql;

import io.nexus.core.lease.LeaseStore;
import io.nexus.testkit.contract.LeaseStoreContract;

/** The lease store contract against a real PostgreSQL; every case leases names of its own, so one schema serves all. */
class PostgresLeaseStoreContractTest extends LeaseStoreContract {

    private static final String SCHEMA = EmbeddedPostgresServer.freshSchema("leases");

    @Override
    protected LeaseStore createStore() {
        return PostgresLeaseStore.builder(EmbeddedPostgresServer.dataSource()).schema(SCHEMA).build();
    }
}
