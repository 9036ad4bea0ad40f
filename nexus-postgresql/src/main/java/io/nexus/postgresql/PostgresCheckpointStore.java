package io.nexus.postgresql;

import io.micrometer.observation.ObservationRegistry;
import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.postgresql.internal.Jdbc;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The checkpoint store on PostgreSQL: one row per consumer and partition in {@code <schema>.checkpoints},
 * written with an upsert (a save replaces whatever was there, including a higher position: a rebuild moves
 * it back on purpose). Thread-safe; the caller owns the {@link DataSource}.
 *
 * <p>By default a save does not wait for its WAL flush ({@code synchronous_commit = off} for that transaction
 * only): it is visible at once, and a server crash can lose at most the last fraction of a second of saves,
 * which only makes consumers deliver those events again, as at-least-once delivery allows. A tracker saves after
 * every batch, so waiting for an fsync each time would cost replays a disk flush per batch. WAL order is kept:
 * once any later synchronous commit (an append) is durable, so is every checkpoint saved before it. Call
 * {@link Builder#waitForFlush(boolean) waitForFlush(true)} to have every save durable when it returns.
 */
public final class PostgresCheckpointStore implements CheckpointStore {

    private final DataSource dataSource;
    private final ObservationRegistry observations;
    private final Clock clock;
    private final boolean waitForFlush;
    private final String loadSql;
    private final String loadAllSql;
    private final String saveSql;
    private final String resetSql;

    private PostgresCheckpointStore(DataSource dataSource, ObservationRegistry observations, String schema, Clock clock, boolean waitForFlush) {
        this.dataSource = dataSource;
        this.observations = observations;
        this.clock = clock;
        this.waitForFlush = waitForFlush;
        String t = schema + ".checkpoints";
        loadSql = "SELECT position, updated_at_ns FROM " + t + " WHERE consumer = ? AND partition = ?";
        loadAllSql = "SELECT partition, position, updated_at_ns FROM " + t + " WHERE consumer = ? ORDER BY partition";
        // One statement in autocommit mode, one round trip. Without the flush wait, the statement itself turns
        // synchronous_commit off for its own transaction: a one-time filter the server evaluates before the insert,
        // the same as SET LOCAL in a transaction of its own but without the three extra round trips.
        saveSql = "INSERT INTO " + t + " (consumer, partition, position, updated_at_ns) SELECT ?, ?, ?, ?"
                + (waitForFlush ? "" : " WHERE set_config('synchronous_commit', 'off', true) IS NOT NULL")
                + " ON CONFLICT (consumer, partition) DO UPDATE SET position = EXCLUDED.position, "
                + "updated_at_ns = EXCLUDED.updated_at_ns";
        resetSql = "DELETE FROM " + t + " WHERE consumer = ?";
    }

    /** A builder over {@code dataSource} (the caller owns it). */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    @Override
    public Optional<Checkpoint> load(String consumer, String partition) {
        requireText(consumer, "consumer");
        requireText(partition, "partition");
        return Jdbc.withConnection(dataSource, observations, "checkpoint-load", "load the checkpoint of consumer '" + consumer + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(loadSql)) {
                statement.setString(1, consumer);
                statement.setString(2, partition);
                try (ResultSet rs = statement.executeQuery()) {
                    return rs.next() ? Optional.of(new Checkpoint(consumer, partition, rs.getString(1),
                            Jdbc.fromEpochNanos(rs.getLong(2)))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public Map<String, Checkpoint> loadAll(String consumer) {
        requireText(consumer, "consumer");
        return Jdbc.withConnection(dataSource, observations, "checkpoint-load-all", "load the checkpoints of consumer '" + consumer + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(loadAllSql)) {
                statement.setString(1, consumer);
                try (ResultSet rs = statement.executeQuery()) {
                    Map<String, Checkpoint> out = new LinkedHashMap<>();
                    while (rs.next()) {
                        String partition = rs.getString(1);
                        out.put(partition, new Checkpoint(consumer, partition, rs.getString(2),
                                Jdbc.fromEpochNanos(rs.getLong(3))));
                    }
                    return Map.copyOf(out);
                }
            }
        });
    }

    @Override
    public void save(String consumer, String partition, String position) {
        Checkpoint checkpoint = new Checkpoint(consumer, partition, position, clock.instant());
        Jdbc.withConnection(dataSource, observations, "checkpoint-save", "save the checkpoint of consumer '" + consumer + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(saveSql)) {
                statement.setString(1, checkpoint.consumer());
                statement.setString(2, checkpoint.partition());
                statement.setString(3, checkpoint.position());
                statement.setLong(4, Jdbc.epochNanos(checkpoint.updatedAt()));
                return statement.executeUpdate();
            }
        });
    }

    @Override
    public void reset(String consumer) {
        requireText(consumer, "consumer");
        Jdbc.withConnection(dataSource, observations, "checkpoint-reset", "reset the checkpoints of consumer '" + consumer + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(resetSql)) {
                statement.setString(1, consumer);
                return statement.executeUpdate();
            }
        });
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank, but was '" + value + "'");
        }
    }

    /** Options for {@link PostgresCheckpointStore}; each may be set once. */
    public static final class Builder {
        private final StoreSettings settings;
        private @Nullable Clock clock;
        private @Nullable Boolean waitForFlush;

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

        /** The clock that stamps checkpoints; default the system clock. */
        public Builder clock(Clock value) {
            Settings.requireUnset("clock", clock);
            clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Whether a save waits for its WAL flush (durable when it returns); default false, see the class notes. */
        public Builder waitForFlush(boolean value) {
            Settings.requireUnset("waitForFlush", waitForFlush);
            waitForFlush = value;
            return this;
        }

        /** The store; migrates the schema first unless told not to. */
        public PostgresCheckpointStore build() {
            return new PostgresCheckpointStore(settings.dataSource, settings.observations(), settings.prepare(),
                    clock == null ? Clock.systemUTC() : clock, waitForFlush != null && waitForFlush);
        }
    }
}
