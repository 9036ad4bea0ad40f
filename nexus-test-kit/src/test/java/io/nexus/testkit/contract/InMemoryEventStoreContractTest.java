package io.nexus.testkit.contract;

import io.nexus.core.store.EventStore;
import io.nexus.core.store.InMemoryEventStore;

/** The event store contract run against the embedded {@link InMemoryEventStore} with its default limit. */
class InMemoryEventStoreContractTest extends EventStoreContract {

    @Override
    protected EventStore createStore() {
        return InMemoryEventStore.create();
    }
}
