package io.nexus.examples.order.engines;

import io.nexus.core.Nexus;
import io.nexus.core.bus.EventBus;
import io.nexus.core.projection.Projection;
import io.nexus.core.schema.InMemorySchemaRegistry;
import io.nexus.core.schema.SchemaRegistry;
import io.nexus.examples.order.search.OrderTextSearch;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * The engines the Order app runs on, chosen by configuration ({@code --profile}): what they set on the
 * builder, the event bus, the search they offer, and how readiness probes them. The same application
 * code runs on each. Closing releases what the profile opened (clients, local engine processes), after
 * the app's Nexus is closed.
 */
public interface AppEngines extends AutoCloseable {

    /** The profile's name: {@code embedded}, {@code postgres}, {@code aws} or {@code local}. */
    String profile();

    /** Sets the engine family (ports) and the profile's own projections on {@code builder}. */
    Nexus.Builder configure(Nexus.Builder builder);

    /** The event bus billing and the payment provider consume; a new one per call is not required. */
    EventBus eventBus();

    /** Full-text search over {@code nexus}'s orders, or empty when the profile has none. */
    Optional<OrderTextSearch> search(Nexus nexus);

    /**
     * The schema registry the app registers its schema files in at start and validates new events against; an
     * in-memory one unless the profile is configured with another ({@link SchemaRegistries}). Called once per app.
     */
    default SchemaRegistry schemaRegistry() {
        return InMemorySchemaRegistry.create();
    }

    /** The profile's own projections by name, each a fresh instance for a rebuild. */
    Map<String, Supplier<Projection>> projections();

    /** Readiness probes by engine name: each returns a short detail or throws when the engine is not usable. */
    Map<String, Callable<String>> probes(Nexus nexus);

    @Override
    void close();
}
