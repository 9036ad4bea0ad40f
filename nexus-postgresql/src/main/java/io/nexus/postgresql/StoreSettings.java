package io.nexus.postgresql;

import io.micrometer.observation.ObservationRegistry;
import io.nexus.postgresql.internal.Jdbc;

import javax.sql.DataSource;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The settings every PostgreSQL store's builder has: the data source, the schema, whether to migrate it, and where its
 * operations are observed.
 */
final class StoreSettings {

    final DataSource dataSource;
    private @Nullable String schema;
    private @Nullable Boolean createSchema;
    private @Nullable ObservationRegistry observations;
    private boolean ready;

    StoreSettings(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    void schema(String value) {
        Settings.requireUnset("schema", schema);
        schema = Jdbc.requireSchemaName(value);
    }

    void createSchema(boolean value) {
        Settings.requireUnset("createSchema", createSchema);
        createSchema = value;
    }

    void observationRegistry(ObservationRegistry value) {
        Settings.requireUnset("observationRegistry", observations);
        observations = Objects.requireNonNull(value, "observationRegistry");
    }

    /** Where the store's operations are observed: the one set, or none. */
    ObservationRegistry observations() {
        return observations == null ? ObservationRegistry.NOOP : observations;
    }

    /** The schema was migrated or verified by whoever builds this store (the engine family): nothing to check. */
    void ready() {
        ready = true;
    }

    /** The schema to use, migrated first, or only verified when migrating is turned off. */
    String prepare() {
        String s = schema == null ? PostgresSchema.DEFAULT_SCHEMA : schema;
        if (!ready) {
            PostgresSchema.prepare(dataSource, s, createSchema == null || createSchema);
        }
        return s;
    }
}
