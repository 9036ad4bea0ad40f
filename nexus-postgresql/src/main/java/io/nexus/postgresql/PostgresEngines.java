package io.nexus.postgresql;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.observation.ObservationRegistry;
import io.nexus.core.Nexus;
import io.nexus.core.NexusEngines;
import io.nexus.core.serialization.JacksonEventSerializer;
import io.nexus.postgresql.internal.Jdbc;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The PostgreSQL engine family: one call sets on a {@link Nexus.Builder} every durable port, all in one
 * schema of one database: event store (with the global log and change capture), snapshot store, checkpoints,
 * dead letters, timers, audit log, read models and leases (so that each exclusive consumer runs in one process
 * at a time among those sharing the database).
 *
 * <pre>{@code
 * try (PostgresEngines postgres = PostgresEngines.builder(jdbcUrl, user, password).build();
 *      Nexus nexus = Nexus.builder().engines(postgres).module(new OrderModule()).build()) {
 *     nexus.start();
 *     ...
 * }
 * }</pre>
 *
 * {@link #builder(DataSource)} uses the caller's pool (the caller closes it); {@link #builder(String, String,
 * String)} creates a HikariCP pool that {@link #close()} closes. {@link Builder#build()} migrates the schema
 * once ({@link PostgresSchema#migrate}) unless told not to, then builds the ports; every {@link #configure}
 * call sets the same instances. Close the engines after the applications that use them: Nexus leaves its
 * ports open. Thread-safe.
 */
public final class PostgresEngines implements NexusEngines, AutoCloseable {

    /** The pool size of {@link #builder(String, String, String)} when none is given. */
    public static final int DEFAULT_POOL_SIZE = 16;

    /** How long a connection of {@link #builder(String, String, String)} waits for the server when none is given. */
    public static final Duration DEFAULT_NETWORK_TIMEOUT = Duration.ofSeconds(30);

    private final DataSource dataSource;
    private final @Nullable HikariDataSource ownedPool;
    private final String schema;
    private final PostgresEventStore eventStore;
    private final PostgresSnapshotStore snapshotStore;
    private final PostgresCheckpointStore checkpoints;
    private final PostgresDeadLetterQueue deadLetters;
    private final PostgresScheduler timers;
    private final PostgresAuditLog auditLog;
    private final PostgresReadModelStores readModels;
    private final PostgresLeaseStore leases;

    private PostgresEngines(Builder b, DataSource dataSource, @Nullable HikariDataSource ownedPool) {
        this.dataSource = dataSource;
        this.ownedPool = ownedPool;
        // build() has set the defaults
        this.schema = Objects.requireNonNull(b.schema, "schema");
        Clock clock = Objects.requireNonNull(b.clock, "clock");
        ObservationRegistry o = b.observations;
        PostgresEventStore.Builder events = PostgresEventStore.builder(dataSource).schema(schema).clock(clock)
                .schemaReady().observationRegistry(o);
        if (b.eventStore != null) {
            b.eventStore.accept(events);
        }
        this.eventStore = events.build();
        this.snapshotStore = PostgresSnapshotStore.builder(dataSource).schema(schema).schemaReady().observationRegistry(o).build();
        this.checkpoints = PostgresCheckpointStore.builder(dataSource).schema(schema).clock(clock).schemaReady()
                .observationRegistry(o).build();
        this.deadLetters = PostgresDeadLetterQueue.builder(dataSource).schema(schema).schemaReady().observationRegistry(o).build();
        this.timers = PostgresScheduler.builder(dataSource).schema(schema).schemaReady().observationRegistry(o).build();
        this.auditLog = PostgresAuditLog.builder(dataSource).schema(schema).schemaReady().observationRegistry(o).build();
        this.readModels = PostgresReadModelStores.builder(dataSource).schema(schema).objectMapper(Objects.requireNonNull(b.mapper, "mapper"))
                .schemaReady().observationRegistry(o).build();
        this.leases = PostgresLeaseStore.builder(dataSource).schema(schema).schemaReady().observationRegistry(o).build();
    }

    /** A builder on the caller's pool; the caller keeps it open while the engines are used and closes it. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource"), null, null, null);
    }

    /**
     * A builder that creates its own HikariCP pool on {@code jdbcUrl} ({@code jdbc:postgresql://host:5432/db});
     * {@link #close()} closes it.
     *
     * @param user     the database user; may be null when the URL carries it
     * @param password the password; may be null
     * @throws IllegalArgumentException if the URL is not a PostgreSQL JDBC URL
     */
    public static Builder builder(String jdbcUrl, @Nullable String user, @Nullable String password) {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("jdbcUrl must start with 'jdbc:postgresql:', but was '" + jdbcUrl + "'");
        }
        return new Builder(null, jdbcUrl, user, password);
    }

    /** Sets every port of the family on {@code builder}. */
    @Override
    public void configure(Nexus.Builder builder) {
        Objects.requireNonNull(builder, "builder");
        builder.eventStore(eventStore)
                .snapshotStore(snapshotStore)
                .checkpointStore(checkpoints)
                .deadLetterQueue(deadLetters)
                .timers(timers)
                .auditLog(auditLog)
                .readModels(readModels)
                .leaseStore(leases);
    }

    /** The event store the family sets (for reads and tools outside a Nexus). */
    public PostgresEventStore eventStore() {
        return eventStore;
    }

    /** The connections every port uses. */
    public DataSource dataSource() {
        return dataSource;
    }

    /** Stops the event store's change feed, and closes the pool when the engines created it. */
    @Override
    public void close() {
        eventStore.close();
        if (ownedPool != null) {
            ownedPool.close();
        }
    }

    /** The family and its schema, as the Nexus builder names it in its messages. */
    @Override
    public String toString() {
        return "PostgresEngines[schema=" + schema + "]";
    }

    /** Options for {@link PostgresEngines}; each may be set once. */
    public static final class Builder {
        /** The caller's pool, or null when the builder creates one on {@code jdbcUrl}: exactly one is set. */
        private final @Nullable DataSource dataSource;
        private final @Nullable String jdbcUrl;
        private final @Nullable String user;
        private final @Nullable String password;
        private @Nullable String schema;
        private @Nullable Clock clock;
        private @Nullable ObjectMapper mapper;
        private @Nullable Integer poolSize;
        private @Nullable Duration networkTimeout;
        private @Nullable Boolean createSchema;
        private @Nullable Consumer<PostgresEventStore.Builder> eventStore;
        private ObservationRegistry observations = ObservationRegistry.NOOP;
        private boolean observationsSet;

        private Builder(@Nullable DataSource dataSource, @Nullable String jdbcUrl, @Nullable String user, @Nullable String password) {
            this.dataSource = dataSource;
            this.jdbcUrl = jdbcUrl;
            this.user = user;
            this.password = password;
        }

        /** The schema of every table; default {@value PostgresSchema#DEFAULT_SCHEMA}. */
        public Builder schema(String value) {
            Settings.requireUnset("schema", schema);
            schema = Jdbc.requireSchemaName(value);
            return this;
        }

        /**
         * The clock of event timestamps and checkpoint times; default the system clock. Pass the application's
         * clock when it is not the system's.
         */
        public Builder clock(Clock value) {
            Settings.requireUnset("clock", clock);
            clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** How read-model values become JSON; default the event serializer's mapper. */
        public Builder objectMapper(ObjectMapper value) {
            Settings.requireUnset("objectMapper", mapper);
            mapper = Objects.requireNonNull(value, "objectMapper");
            return this;
        }

        /**
         * The most connections of the pool this builder creates; default {@value #DEFAULT_POOL_SIZE}. The event
         * store holds one of them for {@code LISTEN} while it has subscriptions.
         *
         * @throws IllegalStateException when the builder was given the caller's {@link DataSource}
         */
        public Builder poolSize(int value) {
            Settings.requireUnset("poolSize", poolSize);
            if (jdbcUrl == null) {
                throw new IllegalStateException("poolSize applies to the pool built from a JDBC URL; size your own "
                        + "DataSource instead");
            }
            if (value < 2) {
                throw new IllegalArgumentException("poolSize must be >= 2 (one connection listens), but was " + value);
            }
            poolSize = value;
            return this;
        }

        /**
         * How long a connection of the pool this builder creates waits for an answer of the server before it gives
         * up; default {@link #DEFAULT_NETWORK_TIMEOUT}, {@link Duration#ZERO} for no limit. It bounds the wait when
         * the server stops answering without closing the connection (a network partition, a frozen host): the
         * call then fails as transient ({@link io.nexus.core.store.EventStoreUnavailableException} for the event
         * store, {@link PostgresAccessException} for the others) instead of hanging until the operating system
         * gives the connection up, which takes minutes. Its outcome is unknown: a re-sent append with the same
         * event ids is answered as a duplicate when the first was committed. Whole seconds, rounded up; the
         * connections also send TCP keep-alives. A value given in the JDBC URL ({@code socketTimeout}) wins. The
         * schema migration runs without the limit.
         *
         * @throws IllegalStateException    when the builder was given the caller's {@link DataSource}: set its
         *                                  {@code socketTimeout} there
         * @throws IllegalArgumentException when negative
         */
        public Builder networkTimeout(Duration value) {
            Settings.requireUnset("networkTimeout", networkTimeout);
            if (jdbcUrl == null) {
                throw new IllegalStateException("networkTimeout applies to the pool built from a JDBC URL; set "
                        + "socketTimeout on your own DataSource instead");
            }
            if (Objects.requireNonNull(value, "networkTimeout").isNegative()) {
                throw new IllegalArgumentException("networkTimeout must not be negative, but was " + value);
            }
            networkTimeout = value;
            return this;
        }

        /** Whether {@link #build()} migrates the schema; default true. */
        public Builder createSchema(boolean value) {
            Settings.requireUnset("createSchema", createSchema);
            createSchema = value;
            return this;
        }

        /**
         * Where every port's operations on the database are observed: each (an append, a stream or global-log read,
         * a snapshot, checkpoint, dead-letter, timer, audit or read-model operation) is a {@code nexus.remote.call}
         * with system {@code postgresql} and the operation ({@code append}, {@code read-all}, {@code checkpoint-save})
         * as keys, a child of the command or consumer that made it. An operation made with no observation current (a
         * tracker's, the router's or the scheduler's background poll) is not observed, so idle polling starts no
         * traces ({@link io.nexus.core.observation.NexusObservation#remoteCallInTrace}). Pass the registry given to
         * {@code Nexus.builder().observationRegistry(...)}; default none ({@link ObservationRegistry#NOOP}).
         */
        public Builder observationRegistry(ObservationRegistry value) {
            Settings.requireUnset("observationRegistry", observationsSet ? observations : null);
            observations = Objects.requireNonNull(value, "observationRegistry");
            observationsSet = true;
            return this;
        }

        /** Further options of the event store (poll interval, visibility timeout, event size, notifications). */
        public Builder eventStore(Consumer<PostgresEventStore.Builder> options) {
            Settings.requireUnset("eventStore", eventStore);
            eventStore = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * The engines: the pool (when built from a URL), the migrated schema, every port.
         *
         * @throws PostgresAccessException if the database cannot be reached or migrated; a pool created here is closed
         */
        public PostgresEngines build() {
            if (schema == null) {
                schema = PostgresSchema.DEFAULT_SCHEMA;
            }
            if (clock == null) {
                clock = Clock.systemUTC();
            }
            if (mapper == null) {
                mapper = JacksonEventSerializer.defaultMapper();
            }
            HikariDataSource pool = jdbcUrl == null ? null : pool(jdbcUrl);
            DataSource connections = pool != null ? pool : Objects.requireNonNull(dataSource, "dataSource");
            try {
                PostgresSchema.prepare(connections, schema, createSchema == null || createSchema);
                return new PostgresEngines(this, connections, pool);
            } catch (RuntimeException e) {
                if (pool != null) {
                    pool.close();
                }
                throw e;
            }
        }

        private HikariDataSource pool(String jdbcUrl) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(jdbcUrl);
            if (user != null) {
                config.setUsername(user);
            }
            if (password != null) {
                config.setPassword(password);
            }
            config.setMaximumPoolSize(poolSize == null ? DEFAULT_POOL_SIZE : poolSize);
            Duration timeout = networkTimeout == null ? DEFAULT_NETWORK_TIMEOUT : networkTimeout;
            long seconds = timeout.getSeconds() + (timeout.getNano() > 0 ? 1 : 0);
            config.addDataSourceProperty("socketTimeout", Long.toString(Math.min(seconds, Integer.MAX_VALUE)));
            config.addDataSourceProperty("tcpKeepAlive", "true");
            config.setPoolName("nexus-" + schema);
            // Fail at build when the database is unreachable, not at the first command.
            config.setInitializationFailTimeout(Duration.ofSeconds(30).toMillis());
            return new HikariDataSource(config);
        }
    }
}
