package io.nexus.postgresql;

import io.nexus.testkit.contract.SchedulerContract;
import io.nexus.core.scheduler.Scheduler;

/** The timer store contract against a real PostgreSQL, on a fresh schema per test. */
class PostgresSchedulerContractTest extends SchedulerContract {

    @Override
    protected Scheduler createScheduler() {
        return PostgresScheduler.builder(EmbeddedPostgresServer.dataSource())
                .schema(EmbeddedPostgresServer.freshSchema("timers"))
                .build();
    }
}
