package io.nexus.testkit.contract;

import io.nexus.core.bus.EventBus;
import io.nexus.core.bus.InMemoryEventBus;

/** The embedded bus against the bus contract. */
class InMemoryEventBusContractTest extends EventBusContract {

    @Override
    protected EventBus createBus(Options options) {
        return InMemoryEventBus.builder().routing(options.routing()).deadLetters(options.deadLetters())
                .consumerRetry(options.consumerRetry()).build();
    }
}
