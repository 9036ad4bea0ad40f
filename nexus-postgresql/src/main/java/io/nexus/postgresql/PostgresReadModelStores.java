package io.nexus.postgresql;

import io.micrometer.observation.ObservationRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexus.core.readmodel.InMemoryReadModelStores;
import io.nexus.core.readmodel.ReadModelStore;
import io.nexus.core.readmodel.ReadModelStores;

import javax.sql.DataSource;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Read-model stores by name on PostgreSQL: every store shares {@code <schema>.read_models}, keyed by store name
 * and id, values as JSONB written by Jackson. Asking twice for one name and type gives a store over the same
 * rows (in any process); one name with two types in one instance is refused. Thread-safe; the caller owns the
 * {@link DataSource}.
 */
public final class PostgresReadModelStores implements ReadModelStores {

    private final DataSource dataSource;
    private final ObservationRegistry observations;
    private final String schema;
    private final ObjectMapper json;
    private final Map<String, PostgresReadModelStore<?>> stores = new ConcurrentHashMap<>();

    private PostgresReadModelStores(DataSource dataSource, ObservationRegistry observations, String schema, ObjectMapper json) {
        this.dataSource = dataSource;
        this.observations = observations;
        this.schema = schema;
        this.json = json;
    }

    /** A builder over {@code dataSource} (the caller owns it). */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V> ReadModelStore<V> store(String name, Class<V> type) {
        InMemoryReadModelStores.requireName(name);
        Objects.requireNonNull(type, "type");
        PostgresReadModelStore<?> store = stores.computeIfAbsent(name,
                n -> new PostgresReadModelStore<>(dataSource, observations, schema, n, type, json));
        if (!store.type().equals(type)) {
            throw new IllegalArgumentException("read-model store '" + name + "' holds " + store.type().getName()
                    + ", not " + type.getName() + "; give each read model its own name");
        }
        return (ReadModelStore<V>) store;
    }

    /** Options for {@link PostgresReadModelStores}; each may be set once. */
    public static final class Builder {
        private final StoreSettings settings;
        private @Nullable ObjectMapper json;

        private Builder(DataSource dataSource) {
            this.settings = new StoreSettings(dataSource);
        }

        /** The schema of the tables; default {@value PostgresSchema#DEFAULT_SCHEMA}. */
        public Builder schema(String value) {
            settings.schema(value);
            return this;
        }

        /**
         * Where each operation on the database is observed, as a {@code nexus.remote.call} (system {@code postgresql});
         * default none ({@link ObservationRegistry#NOOP}).
         */
        public Builder observationRegistry(ObservationRegistry value) {
            settings.observationRegistry(value);
            return this;
        }

        /** Whether {@link #build()} migrates the schema; default true. */
        public Builder createSchema(boolean value) {
            settings.createSchema(value);
            return this;
        }

        /** The engine family migrated or verified the schema already. */
        Builder schemaReady() {
            settings.ready();
            return this;
        }

        /**
         * The Jackson mapper for read models; default one with every module on the class path registered
         * (java.time included).
         */
        public Builder objectMapper(ObjectMapper value) {
            Settings.requireUnset("objectMapper", json);
            json = Objects.requireNonNull(value, "objectMapper");
            return this;
        }

        /** The stores; migrates the schema first unless told not to. */
        public PostgresReadModelStores build() {
            return new PostgresReadModelStores(settings.dataSource, settings.observations(), settings.prepare(),
                    json == null ? new ObjectMapper().findAndRegisterModules() : json);
        }
    }
}
