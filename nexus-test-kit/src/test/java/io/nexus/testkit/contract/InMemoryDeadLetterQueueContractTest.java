package io.nexus.testkit.contract;

import io.nexus.core.deadletter.DeadLetterQueue;
import io.nexus.core.deadletter.InMemoryDeadLetterQueue;

/** The dead-letter queue contract run against the embedded {@link InMemoryDeadLetterQueue}. */
// tag::contract[]
class InMemoryDeadLetterQueueContractTest extends DeadLetterQueueContract {

    @Override
    protected DeadLetterQueue createQueue() {
        return new InMemoryDeadLetterQueue();
    }
}
// end::contract[]
