package io.nexus.testkit.contract;

import io.nexus.core.store.EventStore;
import io.nexus.core.store.InMemoryEventStore;

/**
 * The event store contract against {@link InMemoryEventStore} with a 4 KiB event limit, which proves
 * the suite's size cases follow {@link #maxEventSizeBytes()} rather than one fixed limit.
 */
class InMemoryEventStoreSmallLimitContractTest extends EventStoreContract {

    private static final int LIMIT = 4 * 1024;

    @Override
    protected EventStore createStore() {
        return InMemoryEventStore.builder().maxEventSize(LIMIT).build();
    }

    @Override
    protected int maxEventSizeBytes() {
        return LIMIT;
    }
}
