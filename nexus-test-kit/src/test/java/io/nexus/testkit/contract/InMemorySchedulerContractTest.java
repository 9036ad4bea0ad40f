package io.nexus.testkit.contract;

import io.nexus.core.scheduler.InMemoryScheduler;
import io.nexus.core.scheduler.Scheduler;

/** The scheduler contract run against the embedded {@link InMemoryScheduler}. */
class InMemorySchedulerContractTest extends SchedulerContract {

    @Override
    protected Scheduler createScheduler() {
        return new InMemoryScheduler();
    }
}
