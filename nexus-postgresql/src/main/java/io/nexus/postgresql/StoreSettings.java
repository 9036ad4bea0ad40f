package io.nexus.postgresql;

import io.nexus.postgresql.internal.Jdbc;

import javax.sql.DataSource;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** The settings every PostgreSQL store's builder has: the data source, the schema, and whether to migrate it. */
final class StoreSettings {

    final DataSource dataSource;
    private @Nullable String schema;
    private @Nullable Boolean createSchema;

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

    /** The schema to use, migrated first unless turned off. */
    String prepare() {
        String s = schema == null ? PostgresSchema.DEFAULT_SCHEMA : schema;
        if (createSchema == null || createSchema) {
            PostgresSchema.migrate(dataSource, s);
        }
        return s;
    }
}
