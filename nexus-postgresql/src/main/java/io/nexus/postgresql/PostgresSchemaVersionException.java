package io.nexus.postgresql;

/**
 * The schema does not hold the tables and functions this version of nexus-postgresql needs: it was never
 * migrated, it lacks the newest migrations (a store built with {@code createSchema(false)} after an upgrade of
 * the library, before the database's), or it is newer than this library knows. The message names the schema,
 * the versions found and needed, the missing migrations, and how to apply them. Not transient: the schema must
 * be migrated (or the library upgraded) first; nothing was changed.
 */
public class PostgresSchemaVersionException extends PostgresAccessException {

    private static final long serialVersionUID = 1L;

    private final String schema;
    private final int foundVersion;
    private final int requiredVersion;

    public PostgresSchemaVersionException(String message, String schema, int foundVersion, int requiredVersion) {
        super(message, null, false);
        this.schema = schema;
        this.foundVersion = foundVersion;
        this.requiredVersion = requiredVersion;
    }

    /** The schema checked. */
    public String schema() {
        return schema;
    }

    /** The newest migration recorded in the schema; 0 when it records none. */
    public int foundVersion() {
        return foundVersion;
    }

    /** The version this library needs: {@link PostgresSchema#latestVersion()}. */
    public int requiredVersion() {
        return requiredVersion;
    }
}
