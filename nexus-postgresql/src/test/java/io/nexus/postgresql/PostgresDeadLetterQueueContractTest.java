package io.nexus.postgresql;

import io.nexus.testkit.contract.DeadLetterQueueContract;
import io.nexus.core.deadletter.DeadLetterQueue;

/** The dead-letter queue contract against a real PostgreSQL, on a fresh schema per test. */
class PostgresDeadLetterQueueContractTest extends DeadLetterQueueContract {

    @Override
    protected DeadLetterQueue createQueue() {
        return PostgresDeadLetterQueue.builder(EmbeddedPostgresServer.dataSource())
                .schema(EmbeddedPostgresServer.freshSchema("deadletters"))
                .build();
    }
}
