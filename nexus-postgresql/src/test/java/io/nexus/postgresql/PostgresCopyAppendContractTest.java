package io.nexus.postgresql;

import io.nexus.core.store.EventStore;
import io.nexus.testkit.contract.EventStoreContract;

import java.time.Duration;

/**
 * The event store contract with every append sent by binary COPY (the path of batches of
 * {@link PostgresEventStore#DEFAULT_COPY_THRESHOLD} events or more), on a fresh schema per test.
 */
class PostgresCopyAppendContractTest extends EventStoreContract {

    @Override
    protected EventStore createStore() {
        return PostgresEventStore.builder(EmbeddedPostgresServer.dataSource())
                .schema(EmbeddedPostgresServer.freshSchema("copy"))
                .pollInterval(Duration.ofMillis(200))
                .copyThreshold(1)
                .build();
    }
}
