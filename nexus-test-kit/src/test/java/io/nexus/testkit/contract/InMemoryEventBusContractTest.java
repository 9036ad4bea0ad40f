package io.nexus.testkit.contract;

import io.nexus.core.bus.EventBus;
import io.nexus.core.bus.InMemoryEventBus;
import io.nexus.core.bus.RoutingRule;

/** The embedded bus against the bus contract. */
class InMemoryEventBusContractTest extends EventBusContract {

    @Override
    protected EventBus createBus(RoutingRule routing) {
        return InMemoryEventBus.builder().routing(routing).build();
    }
}
