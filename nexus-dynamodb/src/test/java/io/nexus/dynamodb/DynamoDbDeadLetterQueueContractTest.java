package io.nexus.dynamodb;

import io.nexus.core.deadletter.DeadLetterQueue;
import io.nexus.testkit.contract.DeadLetterQueueContract;

/** The dead-letter queue contract against DynamoDB Local, on a fresh dead-letters table per test. */
class DynamoDbDeadLetterQueueContractTest extends DeadLetterQueueContract {

    @Override
    protected DeadLetterQueue createQueue() {
        return DynamoDbDeadLetterQueue.builder(DynamoDbLocal.client())
                .tableName(DynamoDbLocal.freshTable("dead-letter-contract", DynamoDbTables::deadLettersTable)).build();
    }
}
