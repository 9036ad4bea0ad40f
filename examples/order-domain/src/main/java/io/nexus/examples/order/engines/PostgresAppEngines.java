package io.nexus.examples.order.engines;

import io.micrometer.observation.ObservationRegistry;
import io.nexus.core.Nexus;
import io.nexus.core.bus.EventBus;
import io.nexus.core.bus.InMemoryEventBus;
import io.nexus.core.projection.Projection;
import io.nexus.examples.order.search.InMemoryOrderSearch;
import io.nexus.examples.order.search.OrderTextSearch;
import io.nexus.postgresql.PostgresEngines;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * One durable machine: every port on PostgreSQL ({@link PostgresEngines}), the bus in-process, and the
 * simple search over the read model (which PostgreSQL keeps). Configured by {@code ORDER_APP_JDBC_URL},
 * {@code ORDER_APP_DB_USER} and {@code ORDER_APP_DB_PASSWORD}; the schema is created when missing.
 */
public final class PostgresAppEngines implements AppEngines {

    private final PostgresEngines postgres;
    private final EventBus bus = InMemoryEventBus.create();

    /** The engines on an open {@code postgres}, which closing these closes. */
    public PostgresAppEngines(PostgresEngines postgres) {
        this.postgres = Objects.requireNonNull(postgres, "postgres");
    }

    /**
     * The engines configured by {@code env}, unobserved.
     *
     * @throws IllegalArgumentException naming every missing variable at once
     */
    public static PostgresAppEngines fromEnvironment(Map<String, String> env) {
        return fromEnvironment(env, ObservationRegistry.NOOP);
    }

    /**
     * The engines configured by {@code env}, every store's operations observed in {@code observations} when they are
     * made inside a trace (a request's command, a consumer's handling): the stores' background polls (trackers, the
     * router, the scheduler) start no trace of their own.
     *
     * @throws IllegalArgumentException naming every missing variable at once
     */
    public static PostgresAppEngines fromEnvironment(Map<String, String> env, ObservationRegistry observations) {
        Objects.requireNonNull(observations, "observations");
        List<String> missing = new ArrayList<>();
        for (String name : List.of("ORDER_APP_JDBC_URL", "ORDER_APP_DB_USER", "ORDER_APP_DB_PASSWORD")) {
            if (env.get(name) == null || env.get(name).isBlank()) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the postgres profile is not configured: set " + String.join(", ", missing)
                    + " (e.g. ORDER_APP_JDBC_URL=jdbc:postgresql://localhost:5432/orders)");
        }
        return new PostgresAppEngines(PostgresEngines.builder(env.get("ORDER_APP_JDBC_URL"), env.get("ORDER_APP_DB_USER"),
                env.get("ORDER_APP_DB_PASSWORD")).observationRegistry(observations).build());
    }

    @Override
    public String profile() {
        return "postgres";
    }

    @Override
    public Nexus.Builder configure(Nexus.Builder builder) {
        return builder.engines(postgres);
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
        return Map.of("postgresql", () -> {
            try (Connection connection = postgres.dataSource().getConnection(); Statement statement = connection.createStatement();
                 ResultSet result = statement.executeQuery("select version()")) {
                result.next();
                String version = result.getString(1);
                return version.length() > 40 ? version.substring(0, 40) : version;
            }
        });
    }

    @Override
    public void close() {
        postgres.close();
    }
}
