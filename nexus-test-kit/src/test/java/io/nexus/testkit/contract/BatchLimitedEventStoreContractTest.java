package io.nexus.testkit.contract;

import io.nexus.core.event.NewEvent;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.AppendTooLargeException;
import io.nexus.core.store.EventStore;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.InMemoryEventStore;

import java.util.List;

/**
 * The event store contract against {@link InMemoryEventStore} behind a 25-event limit per append, as
 * stores with transaction limits have (DynamoDB writes at most 100 items atomically). Proves the
 * suite's limited-batch branch: an over-limit batch fails with {@link AppendTooLargeException} before
 * anything is written, and nothing else in the suite needs larger batches.
 */
class BatchLimitedEventStoreContractTest extends EventStoreContract {

    static final int LIMIT = 25;

    @Override
    protected EventStore createStore() {
        return new BrokenEventStoreSuites.ForwardingEventStore(InMemoryEventStore.create()) {
            @Override
            public AppendResult append(String streamId, String type, ExpectedVersion expected, List<NewEvent> events) {
                if (events != null && events.size() > LIMIT) {
                    throw new AppendTooLargeException(streamId, "events", events.size(), LIMIT);
                }
                return super.append(streamId, type, expected, events);
            }
        };
    }

    @Override
    protected int maxEventsPerAppend() {
        return LIMIT;
    }
}
