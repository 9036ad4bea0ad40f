package io.nexus.dynamodb;

import io.nexus.core.scheduler.Scheduler;
import io.nexus.testkit.contract.SchedulerContract;

/** The scheduler (timer store) contract against DynamoDB Local, on a fresh timers table per test. */
class DynamoDbSchedulerContractTest extends SchedulerContract {

    @Override
    protected Scheduler createScheduler() {
        return DynamoDbScheduler.builder(DynamoDbLocal.client())
                .tableName(DynamoDbLocal.freshTable("timer-contract", DynamoDbTables::timersTable)).build();
    }
}
