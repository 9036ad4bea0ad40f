package io.nexus.examples.order.engines;

import io.nexus.core.Nexus;
import io.nexus.core.bus.EventBus;
import io.nexus.core.bus.InMemoryEventBus;
import io.nexus.core.projection.Projection;
import io.nexus.examples.order.search.InMemoryOrderSearch;
import io.nexus.examples.order.search.OrderTextSearch;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/** Nothing installed: Nexus's in-memory ports, the in-process bus and the simple in-memory search. */
public final class EmbeddedEngines implements AppEngines {

    private final EventBus bus = InMemoryEventBus.create();

    @Override
    public String profile() {
        return "embedded";
    }

    @Override
    public Nexus.Builder configure(Nexus.Builder builder) {
        return builder;
    }

    @Override
    public EventBus eventBus() {
        return bus;
    }

    @Override
    public Optional<OrderTextSearch> search(Nexus nexus) {
        return Optional.of(new InMemoryOrderSearch(nexus.readModels()));
    }

    @Override
    public Map<String, Supplier<Projection>> projections() {
        return Map.of();
    }

    @Override
    public Map<String, Callable<String>> probes(Nexus nexus) {
        return Map.of("event-store", () -> "in-memory, head position " + nexus.eventStore().headPosition());
    }

    @Override
    public void close() {
        // The bus is closed with Nexus; nothing else is held.
    }
}
