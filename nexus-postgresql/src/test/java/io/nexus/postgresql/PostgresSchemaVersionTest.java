package io.nexus.postgresql;

import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.StreamQuery;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A schema that is not to be migrated ({@code createSchema(false)}) is checked at build: one never migrated, one
 * missing the newest migrations, one newer than the library. Each fails by name with what to apply, and nothing
 * is changed. The scripts for a team's own migration tool, applied in order, record their versions, so that the
 * check and {@link PostgresSchema#migrate} see them.
 */
class PostgresSchemaVersionTest {

    private static final DataSource DB = EmbeddedPostgresServer.dataSource();

    @Test
    void aSchemaNeverMigratedFailsAtBuildAndIsNotCreated() throws SQLException {
        String schema = EmbeddedPostgresServer.freshSchema("never");
        PostgresSchemaVersionException e = assertThrows(PostgresSchemaVersionException.class,
                () -> PostgresEventStore.builder(DB).schema(schema).createSchema(false).build());
        assertEquals(schema, e.schema());
        assertEquals(0, e.foundVersion());
        assertEquals(PostgresSchema.latestVersion(), e.requiredVersion());
        assertFalse(e.isTransient(), "the schema must be migrated first");
        assertTrue(e.getMessage().contains("Schema '" + schema + "' records no migration"), e.getMessage());
        assertTrue(e.getMessage().contains("Missing: 1 (event store"), e.getMessage());
        assertTrue(e.getMessage().contains("PostgresSchema.migrate(dataSource, \"" + schema + "\")"), e.getMessage());
        assertTrue(e.getMessage().contains("createSchema(true)"), e.getMessage());
        assertFalse(exists(schema), "the check creates nothing");
    }

    @Test
    void aSchemaMissingTheNewestMigrationsFailsAtBuildUntilTheirScriptsAreApplied() throws SQLException {
        String schema = EmbeddedPostgresServer.freshSchema("older");
        List<PostgresSchema.Script> scripts = PostgresSchema.scripts(schema);
        int latest = PostgresSchema.latestVersion();
        assertEquals(latest, scripts.size());
        // a migration tool that stopped two versions short (the database not yet migrated after an upgrade)
        apply(scripts.subList(0, latest - 2));

        PostgresSchemaVersionException engines = assertThrows(PostgresSchemaVersionException.class,
                () -> PostgresEngines.builder(DB).schema(schema).createSchema(false).build());
        assertEquals(latest - 2, engines.foundVersion());
        String message = engines.getMessage();
        assertTrue(message.contains("Schema '" + schema + "' is at version " + (latest - 2) + ", and this version of "
                + "nexus-postgresql needs version " + latest), message);
        assertTrue(message.contains("Missing: " + (latest - 1) + " (" + scripts.get(latest - 2).description() + "); "
                + latest + " (" + scripts.get(latest - 1).description() + ")"), message);
        assertTrue(message.contains("the scripts from version " + (latest - 1) + " of PostgresSchema.scripts(\"" + schema
                + "\")"), message);
        assertThrows(PostgresSchemaVersionException.class,
                () -> PostgresCheckpointStore.builder(DB).schema(schema).createSchema(false).build(),
                "every store checks, not only the engine family");
        assertEquals(latest - 2, recordedVersion(schema), "the check changed nothing");

        apply(scripts.subList(latest - 2, latest));
        try (PostgresEngines ready = PostgresEngines.builder(DB).schema(schema).createSchema(false).build()) {
            ready.eventStore().append("order-1", "Order", ExpectedVersion.noStream(), List.of(
                    new NewEvent(UUID.randomUUID(), "OrderPlaced", 1, EventPayload.ofJson("{}"), null, null, Map.of())));
            assertEquals(1, ready.eventStore().read(StreamQuery.stream("order-1")).size());
        }
        assertEquals(latest, PostgresSchema.verify(DB, schema));
        assertEquals(latest, PostgresSchema.migrate(DB, schema), "migrate sees the scripts' versions: nothing to apply");
        assertEquals(latest, countVersions(schema), "each version recorded once");
    }

    @Test
    void aSchemaNewerThanTheLibraryIsRefusedByTheCheckAndByTheMigration() throws SQLException {
        String schema = EmbeddedPostgresServer.freshSchema("newer");
        int latest = PostgresSchema.migrate(DB, schema);
        execute("INSERT INTO " + schema + ".nexus_schema_version (version, description) VALUES (" + (latest + 1)
                + ", 'from a newer library')");
        PostgresSchemaVersionException check = assertThrows(PostgresSchemaVersionException.class,
                () -> PostgresSnapshotStore.builder(DB).schema(schema).createSchema(false).build());
        assertEquals(latest + 1, check.foundVersion());
        assertTrue(check.getMessage().contains("upgrade nexus-postgresql"), check.getMessage());
        PostgresSchemaVersionException migration = assertThrows(PostgresSchemaVersionException.class,
                () -> PostgresSchema.migrate(DB, schema));
        assertEquals(check.getMessage(), migration.getMessage());
    }

    @Test
    void aScriptIsItsStatementsEachEndedBySemicolonAndTheLastRecordsItsVersion() {
        PostgresSchema.Script first = PostgresSchema.scripts("tool").get(0);
        assertEquals(1, first.version());
        assertTrue(first.statements().get(0).startsWith("CREATE SCHEMA IF NOT EXISTS tool"), first.statements().get(0));
        String last = first.statements().get(first.statements().size() - 1);
        assertTrue(last.startsWith("INSERT INTO tool.nexus_schema_version (version, description) VALUES (1, '"), last);
        assertTrue(first.sql().endsWith(last + ";\n"), first.sql());
        assertEquals(first.statements().size(), first.sql().split(";\n\n").length);
        assertEquals(PostgresSchema.ddl("tool"),
                PostgresSchema.scripts("tool").stream().flatMap(s -> s.statements().stream()).toList());
    }

    /** Runs each script in its own transaction, as a migration tool does. */
    private static void apply(List<PostgresSchema.Script> scripts) throws SQLException {
        try (Connection connection = DB.getConnection()) {
            connection.setAutoCommit(false);
            for (PostgresSchema.Script script : scripts) {
                try (Statement statement = connection.createStatement()) {
                    for (String sql : script.statements()) {
                        statement.execute(sql);
                    }
                }
                connection.commit();
            }
            connection.setAutoCommit(true);
        }
    }

    private static boolean exists(String schema) throws SQLException {
        return queryInt("SELECT count(*) FROM pg_namespace WHERE nspname = '" + schema + "'") > 0;
    }

    private static int recordedVersion(String schema) throws SQLException {
        return queryInt("SELECT max(version) FROM " + schema + ".nexus_schema_version");
    }

    private static int countVersions(String schema) throws SQLException {
        return queryInt("SELECT count(*) FROM " + schema + ".nexus_schema_version");
    }

    private static int queryInt(String sql) throws SQLException {
        try (Connection connection = DB.getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection connection = DB.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
