package io.nexus.postgresql;

import io.nexus.testkit.contract.ReadModelStoreContract;
import io.nexus.core.readmodel.ReadModelStores;

/** The read-model store contract against a real PostgreSQL, on a fresh schema per test. */
class PostgresReadModelStoreContractTest extends ReadModelStoreContract {

    @Override
    protected ReadModelStores createStores() {
        return PostgresReadModelStores.builder(EmbeddedPostgresServer.dataSource())
                .schema(EmbeddedPostgresServer.freshSchema("readmodels"))
                .build();
    }
}
