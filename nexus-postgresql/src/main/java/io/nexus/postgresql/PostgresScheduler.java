package io.nexus.postgresql;

import io.micrometer.observation.ObservationRegistry;
import io.nexus.core.scheduler.ScheduledTimer;
import io.nexus.core.scheduler.Scheduler;
import io.nexus.postgresql.internal.Jdbc;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The timer store on PostgreSQL: pending timers in {@code <schema>.timers}, one row per owner and id, due
 * times as seconds and nanoseconds (exact over every {@link Instant}, the year 9999 included), read through
 * an index on {@code (owner, due_at_seconds, due_at_nanos, id)} in the port's order (ids
 * compare by code point: the column's collation is "C"). Timers survive restarts. Thread-safe; the caller owns
 * the {@link DataSource}.
 */
public final class PostgresScheduler implements Scheduler {

    private final DataSource dataSource;
    private final ObservationRegistry observations;
    private final String scheduleSql;
    private final String cancelSql;
    private final String dueSql;
    private final String pendingSql;

    private PostgresScheduler(DataSource dataSource, ObservationRegistry observations, String schema) {
        this.dataSource = dataSource;
        this.observations = observations;
        String t = schema + ".timers";
        scheduleSql = "INSERT INTO " + t + " AS t (owner, id, due_at_seconds, due_at_nanos, data) VALUES (?, ?, ?, ?, ?) "
                + "ON CONFLICT (owner, id) DO UPDATE SET due_at_seconds = EXCLUDED.due_at_seconds, "
                + "due_at_nanos = EXCLUDED.due_at_nanos, data = EXCLUDED.data "
                + "WHERE (t.due_at_seconds, t.due_at_nanos, t.data) "
                + "IS DISTINCT FROM (EXCLUDED.due_at_seconds, EXCLUDED.due_at_nanos, EXCLUDED.data)";
        cancelSql = "DELETE FROM " + t + " WHERE owner = ? AND id = ?";
        dueSql = "SELECT id, due_at_seconds, due_at_nanos, data FROM " + t + " WHERE owner = ? "
                + "AND (due_at_seconds, due_at_nanos) <= (?, ?) ORDER BY due_at_seconds, due_at_nanos, id LIMIT ?";
        pendingSql = "SELECT id, due_at_seconds, due_at_nanos, data FROM " + t + " WHERE owner = ? "
                + "ORDER BY due_at_seconds, due_at_nanos, id";
    }

    /** A builder over {@code dataSource} (the caller owns it). */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * {@inheritDoc}
     *
     * @throws PostgresAccessException if the timer could not be stored (transient when a retry may help)
     */
    @Override
    public void schedule(ScheduledTimer timer) {
        Objects.requireNonNull(timer, "timer");
        Jdbc.withConnection(dataSource, observations, "timer-schedule", "schedule timer '" + timer.id() + "' of '" + timer.owner() + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(scheduleSql)) {
                statement.setString(1, timer.owner());
                statement.setString(2, timer.id());
                statement.setLong(3, timer.dueAt().getEpochSecond());
                statement.setInt(4, timer.dueAt().getNano());
                statement.setString(5, timer.data());
                return statement.executeUpdate();
            }
        });
    }

    @Override
    public void cancel(String owner, String id) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(id, "id");
        Jdbc.withConnection(dataSource, observations, "timer-cancel", "cancel timer '" + id + "' of '" + owner + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(cancelSql)) {
                statement.setString(1, owner);
                statement.setString(2, id);
                return statement.executeUpdate();
            }
        });
    }

    @Override
    public List<ScheduledTimer> due(String owner, Instant now, int maxCount) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(now, "now");
        if (maxCount < 0) {
            throw new IllegalArgumentException("maxCount must be >= 0, but was " + maxCount);
        }
        if (maxCount == 0) {
            return List.of();
        }
        return Jdbc.withConnection(dataSource, observations, "timer-due", "read the due timers of '" + owner + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(dueSql)) {
                statement.setString(1, owner);
                statement.setLong(2, now.getEpochSecond());
                statement.setInt(3, now.getNano());
                statement.setInt(4, maxCount);
                return timers(owner, statement);
            }
        });
    }

    @Override
    public List<ScheduledTimer> pending(String owner) {
        Objects.requireNonNull(owner, "owner");
        return Jdbc.withConnection(dataSource, observations, "timer-pending", "read the pending timers of '" + owner + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(pendingSql)) {
                statement.setString(1, owner);
                return timers(owner, statement);
            }
        });
    }

    private static List<ScheduledTimer> timers(String owner, PreparedStatement statement) throws SQLException {
        try (ResultSet rs = statement.executeQuery()) {
            List<ScheduledTimer> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new ScheduledTimer(rs.getString(1), owner, Instant.ofEpochSecond(rs.getLong(2), rs.getInt(3)),
                        rs.getString(4)));
            }
            return List.copyOf(out);
        }
    }

    /** Options for {@link PostgresScheduler}; each may be set once. */
    public static final class Builder {
        private final StoreSettings settings;

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

        /** The scheduler; migrates the schema first unless told not to. */
        public PostgresScheduler build() {
            return new PostgresScheduler(settings.dataSource, settings.observations(), settings.prepare());
        }
    }
}
