package io.nexus.dynamodb;

import io.nexus.core.store.EventStore;
import io.nexus.testkit.contract.EventStoreContract;

import java.time.Duration;

/**
 * The event store contract against DynamoDB Local, on a fresh table per test. The global log is indexed on
 * read ({@code indexOnRead}), so the suite's read-your-writes cases see each append at once; readers in
 * other processes see it once the indexer component has indexed it.
 */
class DynamoDbEventStoreContractTest extends EventStoreContract {

    @Override
    protected EventStore createStore() {
        DynamoDbTables.Names tables = DynamoDbLocal.freshTables("contract");
        return DynamoDbEventStore.builder(DynamoDbLocal.client()).tableName(tables.events())
                .streamsClient(DynamoDbLocal.streamsClient())
                .indexOnRead(true) // the suite reads the log right after appending, in one process
                .subscriptionPollInterval(Duration.ofMillis(50))
                .build();
    }

    @Override
    protected int maxEventSizeBytes() {
        return 400 * 1024;
    }

    @Override
    protected int maxEventsPerAppend() {
        return DynamoDbEventStore.MAX_EVENTS_PER_APPEND;
    }

    @Override
    protected Duration deliveryTimeout() {
        return Duration.ofSeconds(30);
    }
}
