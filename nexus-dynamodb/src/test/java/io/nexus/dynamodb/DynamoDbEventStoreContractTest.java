package io.nexus.dynamodb;

import io.nexus.core.store.EventStore;
import io.nexus.testkit.contract.EventStoreContract;

import java.time.Duration;

/** The event store contract against DynamoDB Local, on a fresh table per test. */
class DynamoDbEventStoreContractTest extends EventStoreContract {

    @Override
    protected EventStore createStore() {
        DynamoDbTables.Names tables = DynamoDbLocal.freshTables("contract");
        return DynamoDbEventStore.builder(DynamoDbLocal.client()).tableName(tables.events())
                .streamsClient(DynamoDbLocal.streamsClient())
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
