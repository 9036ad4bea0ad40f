package io.nexus.postgresql;

import io.nexus.core.store.EventStore;
import io.nexus.testkit.contract.EventStoreContract;

import java.time.Duration;

/** The event store contract against a real PostgreSQL, on a fresh schema per test. */
class PostgresEventStoreContractTest extends EventStoreContract {

    @Override
    protected EventStore createStore() {
        return PostgresEventStore.builder(EmbeddedPostgresServer.dataSource())
                .schema(EmbeddedPostgresServer.freshSchema("contract"))
                .pollInterval(Duration.ofMillis(200))
                .build();
    }
}
