package io.nexus.postgresql;

import io.nexus.postgresql.internal.Jdbc;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Creates and migrates the tables of every Nexus PostgreSQL store in one schema.
 *
 * <p>The DDL is versioned: each migration has a number, and {@code <schema>.nexus_schema_version} records
 * the ones applied. {@link #migrate} applies the missing ones in order, in one transaction, under a
 * transaction-scoped advisory lock of the schema, so that several processes starting together apply each
 * migration once; running it again is a no-op. The stores' builders call it unless told not to (for a
 * deployment whose application user may not run DDL: run {@link #migrate} once as the owner, or apply the
 * {@link #scripts(String)} with your migration tool); then they call {@link #verify} instead, so that a schema
 * missing migrations fails at build, by name, rather than at the first request that needs them. A database
 * whose recorded version is newer than this library knows fails the migration instead of being used by older
 * code.
 *
 * <p>Thread-safe (stateless).
 */
public final class PostgresSchema {

    /** The schema the stores use when none is given. */
    public static final String DEFAULT_SCHEMA = "nexus";

    /** The advisory-lock class under which Nexus takes its locks (the ASCII of "NX"). */
    static final int LOCK_CLASS = 0x4E58;

    private PostgresSchema() {
    }

    /** The migrations, in order; the version of migration {@code i} is {@code i + 1}. Never edit a released one. */
    private static List<Migration> migrations(String s) {
        return List.of(
                new Migration("event store: events, the global position sequence, the position claim and the append", List.of(
                        "CREATE TABLE " + s + ".events ("
                                + " position bigint PRIMARY KEY,"
                                + " tx_id xid8 NOT NULL,"
                                + " stream_id text COLLATE \"C\" NOT NULL,"
                                + " version bigint NOT NULL,"
                                + " aggregate_type text NOT NULL,"
                                + " event_id uuid NOT NULL,"
                                + " event_type text NOT NULL,"
                                + " schema_version integer NOT NULL,"
                                + " recorded_at timestamptz NOT NULL,"
                                + " correlation_id text,"
                                + " causation_id text,"
                                + " metadata jsonb,"
                                + " payload bytea NOT NULL,"
                                + " CONSTRAINT events_stream_version_key UNIQUE (stream_id, version),"
                                + " CONSTRAINT events_stream_event_id_key UNIQUE (stream_id, event_id))",
                        "CREATE SEQUENCE " + s + ".event_positions AS bigint CACHE 1",
                        // Positions and the transaction id are taken together under a session advisory lock that
                        // is released right away (not at commit): position order then follows transaction-id
                        // order, which is what lets readers stop below the oldest running transaction. See
                        // docs/postgresql.md, "The global log without gaps".
                        "CREATE FUNCTION " + s + ".claim_positions(n integer) RETURNS bigint LANGUAGE plpgsql AS $$\n"
                                + "DECLARE last_position bigint;\n"
                                + "BEGIN\n"
                                + "  IF pg_current_xact_id_if_assigned() IS NOT NULL THEN\n"
                                + "    RAISE EXCEPTION 'positions must be claimed before the transaction writes anything'"
                                + " USING ERRCODE = 'P0001';\n"
                                + "  END IF;\n"
                                + "  PERFORM pg_advisory_lock(" + LOCK_CLASS + ", " + lockKey(s) + ");\n"
                                + "  BEGIN\n"
                                + "    PERFORM pg_current_xact_id();\n"
                                + "    last_position := setval('" + s + ".event_positions', nextval('" + s
                                + ".event_positions') + n - 1);\n"
                                + "  EXCEPTION WHEN OTHERS THEN\n"
                                + "    PERFORM pg_advisory_unlock(" + LOCK_CLASS + ", " + lockKey(s) + ");\n"
                                + "    RAISE;\n"
                                + "  END;\n"
                                + "  PERFORM pg_advisory_unlock(" + LOCK_CLASS + ", " + lockKey(s) + ");\n"
                                + "  RETURN last_position;\n"
                                + "END $$",
                        // The whole append in one call, so that an autocommit append is one round trip: check the
                        // head, claim positions, insert. Races and re-sends surface as unique violations.
                        "CREATE FUNCTION " + s + ".append_events(p_stream text, p_type text, p_expected bigint,"
                                + " p_now timestamptz, p_ids uuid[], p_types text[], p_schema_versions integer[],"
                                + " p_correlations text[], p_causations text[], p_metadata text[], p_payloads bytea[])\n"
                                + "RETURNS TABLE (outcome text, head_version bigint, head_type text, first_position bigint,"
                                + " recorded_at timestamptz) LANGUAGE plpgsql AS $$\n"
                                + "DECLARE h_version bigint := 0; h_type text; h_at timestamptz;"
                                + " n integer := cardinality(p_ids); last_position bigint; at timestamptz;\n"
                                + "BEGIN\n"
                                + "  SELECT e.version, e.aggregate_type, e.recorded_at INTO h_version, h_type, h_at FROM "
                                + s + ".events e WHERE e.stream_id = p_stream ORDER BY e.version DESC LIMIT 1;\n"
                                + "  IF NOT FOUND THEN h_version := 0; END IF;\n"
                                + "  IF h_type IS NOT NULL AND h_type <> p_type THEN\n"
                                + "    RETURN QUERY SELECT 'type'::text, h_version, h_type, NULL::bigint, NULL::timestamptz;"
                                + " RETURN;\n"
                                + "  END IF;\n"
                                + "  IF p_expected >= 0 AND p_expected <> h_version THEN\n"
                                + "    RETURN QUERY SELECT 'conflict'::text, h_version, h_type, NULL::bigint,"
                                + " NULL::timestamptz; RETURN;\n"
                                + "  END IF;\n"
                                + "  last_position := " + s + ".claim_positions(n);\n"
                                + "  at := greatest(p_now, h_at);\n"
                                + "  INSERT INTO " + s + ".events (position, tx_id, stream_id, version, aggregate_type,"
                                + " event_id, event_type, schema_version, recorded_at, correlation_id, causation_id,"
                                + " metadata, payload)\n"
                                + "  SELECT last_position - n + u.ord, pg_current_xact_id(), p_stream, h_version + u.ord,"
                                + " p_type, u.id, u.type, u.schema_version, at, u.correlation_id, u.causation_id,"
                                + " u.metadata::jsonb, u.payload\n"
                                + "  FROM unnest(p_ids, p_types, p_schema_versions, p_correlations, p_causations,"
                                + " p_metadata, p_payloads) WITH ORDINALITY AS u(id, type, schema_version, correlation_id,"
                                + " causation_id, metadata, payload, ord);\n"
                                + "  RETURN QUERY SELECT 'ok'::text, h_version, h_type, last_position - n + 1, at;\n"
                                + "END $$")),
                new Migration("snapshot store", List.of(
                        "CREATE TABLE " + s + ".snapshots ("
                                + " stream_id text COLLATE \"C\" PRIMARY KEY,"
                                + " aggregate_type text NOT NULL,"
                                + " version bigint NOT NULL,"
                                + " state_schema_version integer NOT NULL,"
                                + " created_at_ns bigint NOT NULL,"
                                + " state bytea NOT NULL)")),
                new Migration("checkpoint store", List.of(
                        "CREATE TABLE " + s + ".checkpoints ("
                                + " consumer text COLLATE \"C\" NOT NULL,"
                                + " partition text COLLATE \"C\" NOT NULL,"
                                + " position text NOT NULL,"
                                + " updated_at_ns bigint NOT NULL,"
                                + " PRIMARY KEY (consumer, partition))")),
                new Migration("dead-letter queue and parked events", List.of(
                        "CREATE TABLE " + s + ".dead_letters ("
                                + " id uuid PRIMARY KEY,"
                                + " consumer text COLLATE \"C\" NOT NULL,"
                                + " cause_type text NOT NULL,"
                                + " cause_message text NOT NULL,"
                                + " cause_trace text NOT NULL,"
                                + " attempts integer NOT NULL,"
                                + " first_failed_at_ns bigint NOT NULL,"
                                + " last_failed_at_ns bigint NOT NULL,"
                                + EventColumns.DDL + ")",
                        "CREATE INDEX dead_letters_consumer_idx ON " + s
                                + ".dead_letters (consumer, first_failed_at_ns, global_position)",
                        "CREATE TABLE " + s + ".parked_events ("
                                + " consumer text COLLATE \"C\" NOT NULL,"
                                + EventColumns.DDL + ","
                                + " PRIMARY KEY (consumer, stream_id, version))")),
                new Migration("read-model stores", List.of(
                        "CREATE TABLE " + s + ".read_models ("
                                + " store text COLLATE \"C\" NOT NULL,"
                                + " id text COLLATE \"C\" NOT NULL,"
                                + " version bigint NOT NULL,"
                                + " value jsonb NOT NULL,"
                                + " updated_at timestamptz NOT NULL DEFAULT now(),"
                                + " PRIMARY KEY (store, id))")),
                new Migration("audit log", List.of(
                        "CREATE TABLE " + s + ".audit_log ("
                                + " seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                                + " at_ns bigint NOT NULL,"
                                + " client_id text,"
                                + " principal jsonb NOT NULL,"
                                + " aggregate_type text,"
                                + " aggregate_id text,"
                                + " target text,"
                                + " outcome text,"
                                + " detail text,"
                                + " duration_ns bigint)",
                        "CREATE INDEX audit_log_at_idx ON " + s + ".audit_log (at_ns, seq)")),
                new Migration("timer store", List.of(
                        "CREATE TABLE " + s + ".timers ("
                                + " owner text COLLATE \"C\" NOT NULL,"
                                + " id text COLLATE \"C\" NOT NULL,"
                                + " due_at_seconds bigint NOT NULL,"
                                + " due_at_nanos integer NOT NULL,"
                                + " data text NOT NULL,"
                                + " PRIMARY KEY (owner, id))",
                        "CREATE INDEX timers_due_idx ON " + s + ".timers (owner, due_at_seconds, due_at_nanos, id)")),
                new Migration("audit log: policy decisions (action, rule, reasons)", List.of(
                        "ALTER TABLE " + s + ".audit_log ADD COLUMN action text, ADD COLUMN rule text,"
                                + " ADD COLUMN reasons jsonb")),
                // The first half of append_events, for appends whose rows then arrive by COPY in the same
                // transaction: check the head, claim positions, and hand back what the rows need (their first
                // position, timestamp and transaction id).
                new Migration("event store: claim_append and claim_group, the head checks and position claims of COPY appends", List.of(
                        "CREATE FUNCTION " + s + ".claim_append(p_stream text, p_type text, p_expected bigint,"
                                + " p_now timestamptz, n integer)\n"
                                + "RETURNS TABLE (outcome text, head_version bigint, head_type text, first_position bigint,"
                                + " recorded_at timestamptz, tx_id xid8) LANGUAGE plpgsql AS $$\n"
                                + "DECLARE h_version bigint := 0; h_type text; h_at timestamptz; last_position bigint;\n"
                                + "BEGIN\n"
                                + "  SELECT e.version, e.aggregate_type, e.recorded_at INTO h_version, h_type, h_at FROM "
                                + s + ".events e WHERE e.stream_id = p_stream ORDER BY e.version DESC LIMIT 1;\n"
                                + "  IF NOT FOUND THEN h_version := 0; END IF;\n"
                                + "  IF h_type IS NOT NULL AND h_type <> p_type THEN\n"
                                + "    RETURN QUERY SELECT 'type'::text, h_version, h_type, NULL::bigint, NULL::timestamptz,"
                                + " NULL::xid8; RETURN;\n"
                                + "  END IF;\n"
                                + "  IF p_expected >= 0 AND p_expected <> h_version THEN\n"
                                + "    RETURN QUERY SELECT 'conflict'::text, h_version, h_type, NULL::bigint,"
                                + " NULL::timestamptz, NULL::xid8; RETURN;\n"
                                + "  END IF;\n"
                                + "  last_position := " + s + ".claim_positions(n);\n"
                                + "  RETURN QUERY SELECT 'ok'::text, h_version, h_type, last_position - n + 1,"
                                + " greatest(p_now, h_at), pg_current_xact_id();\n"
                                + "END $$",
                        // The same for several appends to distinct streams committed together (group commit):
                        // every head checked first, then one claim for the appends that passed, one row each.
                        "CREATE FUNCTION " + s + ".claim_group(p_streams text[], p_types text[], p_expected bigint[],"
                                + " p_counts integer[], p_now timestamptz)\n"
                                + "RETURNS TABLE (outcome text, head_version bigint, head_type text, first_position bigint,"
                                + " recorded_at timestamptz, tx_id xid8) LANGUAGE plpgsql AS $$\n"
                                + "DECLARE n integer := cardinality(p_streams); total integer := 0; next_position bigint;"
                                + " xid xid8; outcomes text[]; versions bigint[]; types text[]; ats timestamptz[];"
                                + " h_version bigint; h_type text; h_at timestamptz;\n"
                                + "BEGIN\n"
                                + "  FOR i IN 1..n LOOP\n"
                                + "    SELECT e.version, e.aggregate_type, e.recorded_at INTO h_version, h_type, h_at FROM "
                                + s + ".events e WHERE e.stream_id = p_streams[i] ORDER BY e.version DESC LIMIT 1;\n"
                                + "    IF NOT FOUND THEN h_version := 0; h_type := NULL; h_at := NULL; END IF;\n"
                                + "    versions[i] := h_version; types[i] := h_type; ats[i] := greatest(p_now, h_at);\n"
                                + "    IF h_type IS NOT NULL AND h_type <> p_types[i] THEN outcomes[i] := 'type';\n"
                                + "    ELSIF p_expected[i] >= 0 AND p_expected[i] <> h_version THEN outcomes[i] := 'conflict';\n"
                                + "    ELSE outcomes[i] := 'ok'; total := total + p_counts[i];\n"
                                + "    END IF;\n"
                                + "  END LOOP;\n"
                                + "  IF total > 0 THEN\n"
                                + "    next_position := " + s + ".claim_positions(total) - total + 1;\n"
                                + "    xid := pg_current_xact_id();\n"
                                + "  END IF;\n"
                                + "  FOR i IN 1..n LOOP\n"
                                + "    outcome := outcomes[i]; head_version := versions[i]; head_type := types[i];\n"
                                + "    IF outcomes[i] = 'ok' THEN\n"
                                + "      first_position := next_position; recorded_at := ats[i]; tx_id := xid;\n"
                                + "      next_position := next_position + p_counts[i];\n"
                                + "    ELSE\n"
                                + "      first_position := NULL; recorded_at := NULL; tx_id := NULL;\n"
                                + "    END IF;\n"
                                + "    RETURN NEXT;\n"
                                + "  END LOOP;\n"
                                + "END $$")),
                // One row per lease name; a released lease keeps its row (owner NULL) and its token, so the next
                // term's token is greater. Expiry and renewal times are the server's clock.
                new Migration("lease store", List.of(
                        "CREATE TABLE " + s + ".leases ("
                                + " name text COLLATE \"C\" PRIMARY KEY,"
                                + " owner text COLLATE \"C\","
                                + " token bigint NOT NULL,"
                                + " renewed_at timestamptz NOT NULL,"
                                + " expires_at timestamptz NOT NULL)")),
                // A group commit in one statement: claim_group's head checks and position claim, then the rows of
                // the appends that passed, inserted from arrays (events flattened in group order, p_owners[k]
                // naming the append of event k). In autocommit mode the group is one round trip, commit included,
                // where claim_group, COPY and COMMIT took four. The head loop repeats claim_group's rather than
                // calling it: a call through a query cost the server about 90 us more per command with 8 writers.
                new Migration("event store: append_group, a group commit in one call", List.of(
                        "CREATE FUNCTION " + s + ".append_group(p_streams text[], p_types text[], p_expected bigint[],"
                                + " p_counts integer[], p_now timestamptz, p_owners integer[], p_ids uuid[],"
                                + " p_event_types text[], p_schema_versions integer[], p_correlations text[],"
                                + " p_causations text[], p_metadata text[], p_payloads bytea[])\n"
                                + "RETURNS TABLE (outcome text, head_version bigint, head_type text, first_position bigint,"
                                + " recorded_at timestamptz) LANGUAGE plpgsql AS $$\n"
                                + "DECLARE n integer := cardinality(p_streams); total integer := 0; next_position bigint;"
                                + " outcomes text[]; versions bigint[]; types text[]; ats timestamptz[]; firsts bigint[];"
                                + " starts integer[]; seen integer := 0; h_version bigint; h_type text; h_at timestamptz;\n"
                                + "BEGIN\n"
                                + "  FOR i IN 1..n LOOP\n"
                                + "    SELECT e.version, e.aggregate_type, e.recorded_at INTO h_version, h_type, h_at FROM "
                                + s + ".events e WHERE e.stream_id = p_streams[i] ORDER BY e.version DESC LIMIT 1;\n"
                                + "    IF NOT FOUND THEN h_version := 0; h_type := NULL; h_at := NULL; END IF;\n"
                                + "    versions[i] := h_version; types[i] := h_type; ats[i] := greatest(p_now, h_at);\n"
                                + "    starts[i] := seen; seen := seen + p_counts[i];\n"
                                + "    IF h_type IS NOT NULL AND h_type <> p_types[i] THEN outcomes[i] := 'type';\n"
                                + "    ELSIF p_expected[i] >= 0 AND p_expected[i] <> h_version THEN outcomes[i] := 'conflict';\n"
                                + "    ELSE outcomes[i] := 'ok'; total := total + p_counts[i];\n"
                                + "    END IF;\n"
                                + "  END LOOP;\n"
                                + "  IF total > 0 THEN\n"
                                + "    next_position := " + s + ".claim_positions(total) - total + 1;\n"
                                + "    FOR i IN 1..n LOOP\n"
                                + "      IF outcomes[i] = 'ok' THEN firsts[i] := next_position;"
                                + " next_position := next_position + p_counts[i]; END IF;\n"
                                + "    END LOOP;\n"
                                + "    INSERT INTO " + s + ".events (position, tx_id, stream_id, version, aggregate_type,"
                                + " event_id, event_type, schema_version, recorded_at, correlation_id, causation_id,"
                                + " metadata, payload)\n"
                                + "    SELECT firsts[u.owner] + (u.ord - starts[u.owner]) - 1, pg_current_xact_id(),"
                                + " p_streams[u.owner], versions[u.owner] + (u.ord - starts[u.owner]), p_types[u.owner],"
                                + " u.id, u.type, u.schema_version, ats[u.owner], u.correlation_id, u.causation_id,"
                                + " u.metadata::jsonb, u.payload\n"
                                + "    FROM unnest(p_owners, p_ids, p_event_types, p_schema_versions, p_correlations,"
                                + " p_causations, p_metadata, p_payloads) WITH ORDINALITY AS u(owner, id, type,"
                                + " schema_version, correlation_id, causation_id, metadata, payload, ord)\n"
                                + "    WHERE outcomes[u.owner] = 'ok';\n"
                                + "  END IF;\n"
                                + "  RETURN QUERY SELECT outcomes[i], versions[i], types[i], firsts[i],"
                                + " CASE WHEN outcomes[i] = 'ok' THEN ats[i] END"
                                + " FROM generate_subscripts(p_streams, 1) AS i ORDER BY i;\n"
                                + "END $$")));
    }

    /** The number of the newest migration this library knows. */
    public static int latestVersion() {
        return migrations(DEFAULT_SCHEMA).size();
    }

    /**
     * Creates {@code schema} if needed and applies the migrations it lacks.
     *
     * @param dataSource connections with the right to create the schema and its tables
     * @param schema     lower-case letters, digits and '_'
     * @return the schema's version after the migration
     * @throws IllegalArgumentException if the schema name is not a plain lower-case identifier
     * @throws PostgresAccessException  if the database fails, or holds a newer schema version than this library knows
     */
    public static int migrate(DataSource dataSource, String schema) {
        String s = Jdbc.requireSchemaName(schema);
        List<Migration> migrations = migrations(s);
        return Jdbc.inTransaction(dataSource, "migrate schema '" + s + "'", connection -> {
            // A migration may wait for another process's, and its DDL may take long on large tables: no read
            // timeout of the pool applies while it runs.
            int timeout = connection.getNetworkTimeout();
            connection.setNetworkTimeout(Runnable::run, 0);
            try {
                return applyMigrations(connection, s, migrations);
            } finally {
                connection.setNetworkTimeout(Runnable::run, timeout);
            }
        });
    }

    private static int applyMigrations(Connection connection, String s, List<Migration> migrations) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            // A transaction-scoped lock: concurrent migrations of one schema queue here, then see the result.
            statement.execute("SELECT pg_advisory_xact_lock(" + LOCK_CLASS + ", " + (lockKey(s) + 1) + ")");
            // No fsync wait for the DDL's commit: a crash right after loses at most the migration, which the
            // next start applies again, and any later synchronous commit flushes the WAL past it anyway.
            statement.execute("SET LOCAL synchronous_commit = off");
            statement.execute("CREATE SCHEMA IF NOT EXISTS " + s);
            statement.execute(versionTable(s));
        }
        int current = currentVersion(connection, s);
        if (current > migrations.size()) {
            throw newerThanKnown(s, current);
        }
        for (int i = current; i < migrations.size(); i++) {
            Migration migration = migrations.get(i);
            try (Statement statement = connection.createStatement()) {
                for (String sql : migration.statements()) {
                    statement.execute(sql);
                }
            }
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO " + s + ".nexus_schema_version (version, description) VALUES (?, ?)")) {
                insert.setInt(1, i + 1);
                insert.setString(2, migration.description());
                insert.executeUpdate();
            }
        }
        return migrations.size();
    }

    /**
     * Every migration for {@code schema} as a script, in order, for teams that run migrations with their own tool
     * (one file per script, for example Flyway's {@code V<version>__<name>.sql}). Applied in order, they do what
     * {@link #migrate} does: each creates the schema and the version table if they are missing, runs its
     * migration and records its version, so that {@link #verify} and a later {@link #migrate} see it. After an
     * upgrade of this library, apply the scripts above the version {@link #verify} reports.
     */
    public static List<Script> scripts(String schema) {
        String s = Jdbc.requireSchemaName(schema);
        List<Migration> migrations = migrations(s);
        List<Script> scripts = new java.util.ArrayList<>(migrations.size());
        for (int i = 0; i < migrations.size(); i++) {
            Migration migration = migrations.get(i);
            List<String> statements = new java.util.ArrayList<>();
            statements.add("CREATE SCHEMA IF NOT EXISTS " + s);
            statements.add(versionTable(s));
            statements.addAll(migration.statements());
            statements.add("INSERT INTO " + s + ".nexus_schema_version (version, description) VALUES (" + (i + 1) + ", '"
                    + migration.description().replace("'", "''") + "') ON CONFLICT (version) DO NOTHING");
            scripts.add(new Script(i + 1, migration.description(), statements));
        }
        return List.copyOf(scripts);
    }

    /** The statements of every {@link #scripts(String) script}, in order. */
    public static List<String> ddl(String schema) {
        return scripts(schema).stream().flatMap(script -> script.statements().stream()).toList();
    }

    /**
     * Checks that {@code schema} holds every migration this library needs, without changing anything: what the
     * builders do when told {@code createSchema(false)}.
     *
     * @return the schema's version, {@link #latestVersion()}
     * @throws PostgresSchemaVersionException if the schema records no version, an older one (the message lists
     *                                        the missing migrations and how to apply them) or a newer one
     * @throws PostgresAccessException        if the database cannot be read
     */
    public static int verify(DataSource dataSource, String schema) {
        String s = Jdbc.requireSchemaName(schema);
        List<Migration> migrations = migrations(s);
        int current = Jdbc.withConnection(dataSource, "check the version of schema '" + s + "'", connection -> {
            try (PreparedStatement exists = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
                exists.setString(1, s + ".nexus_schema_version");
                try (ResultSet rs = exists.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        return 0;
                    }
                }
            }
            return currentVersion(connection, s);
        });
        if (current > migrations.size()) {
            throw newerThanKnown(s, current);
        }
        if (current < migrations.size()) {
            StringBuilder missing = new StringBuilder();
            for (int i = current; i < migrations.size(); i++) {
                missing.append(i == current ? "" : "; ").append(i + 1).append(" (").append(migrations.get(i).description())
                        .append(')');
            }
            String found = current == 0 ? "records no migration (it has no " + s + ".nexus_schema_version table)"
                    : "is at version " + current;
            throw new PostgresSchemaVersionException("Schema '" + s + "' " + found + ", and this version of "
                    + "nexus-postgresql needs version " + migrations.size() + ". Missing: " + missing + ". Apply them "
                    + "as a user that may run DDL: PostgresSchema.migrate(dataSource, \"" + s + "\"), or the scripts "
                    + "from version " + (current + 1) + " of PostgresSchema.scripts(\"" + s + "\") with your migration "
                    + "tool; or let the store migrate it at build (createSchema(true), the default).",
                    s, current, migrations.size());
        }
        return current;
    }

    /** What every builder does at build: migrates {@code schema}, or only verifies it when {@code migrate} is false. */
    static void prepare(DataSource dataSource, String schema, boolean migrate) {
        if (migrate) {
            migrate(dataSource, schema);
        } else {
            verify(dataSource, schema);
        }
    }

    private static PostgresSchemaVersionException newerThanKnown(String s, int current) {
        int known = latestVersion();
        return new PostgresSchemaVersionException("Schema '" + s + "' is at version " + current + " but this library "
                + "knows versions up to " + known + "; upgrade nexus-postgresql before using this database.",
                s, current, known);
    }

    private static String versionTable(String s) {
        return "CREATE TABLE IF NOT EXISTS " + s + ".nexus_schema_version ("
                + " version integer PRIMARY KEY, description text NOT NULL,"
                + " applied_at timestamptz NOT NULL DEFAULT now())";
    }

    private static int currentVersion(Connection connection, String s) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT coalesce(max(version), 0) FROM " + s + ".nexus_schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The advisory-lock key of a schema's position claims (its migration lock is this plus one). */
    static int lockKey(String schema) {
        return schema.hashCode() & 0x7FFF_FFFE;
    }

    private record Migration(String description, List<String> statements) {
    }

    /**
     * One migration as a script for a migration tool: its version, what it adds, and its statements in order
     * (the last records the version).
     *
     * @param version     the migration's number, from 1
     * @param description what it adds
     * @param statements  SQL statements without a trailing semicolon, to run in order in one transaction
     */
    public record Script(int version, String description, List<String> statements) {

        public Script {
            statements = List.copyOf(statements);
        }

        /** The statements as one SQL text, each ended by a semicolon, as a migration tool's file holds them. */
        public String sql() {
            return String.join(";\n\n", statements) + ";\n";
        }
    }
}
