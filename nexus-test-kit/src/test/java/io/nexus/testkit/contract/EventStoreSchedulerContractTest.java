package io.nexus.testkit.contract;

import io.nexus.core.scheduler.Scheduler;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.saga.EventStoreScheduler;

/** The scheduler contract run against the saga module's {@link EventStoreScheduler}, over an in-memory event store. */
class EventStoreSchedulerContractTest extends SchedulerContract {

    @Override
    protected Scheduler createScheduler() {
        return EventStoreScheduler.create(InMemoryEventStore.builder().build());
    }
}
