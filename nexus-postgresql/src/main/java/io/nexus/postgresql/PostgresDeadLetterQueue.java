package io.nexus.postgresql;

import io.micrometer.observation.ObservationRegistry;
import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.deadletter.DeadLetterQueue;
import io.nexus.core.event.EventEnvelope;
import io.nexus.postgresql.internal.Jdbc;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The dead-letter queue on PostgreSQL: dead letters in {@code <schema>.dead_letters} (one row each, the event
 * with all its fields), parked events in {@code <schema>.parked_events} keyed by consumer, stream and version.
 * Instants are kept to the nanosecond. Thread-safe; the caller owns the {@link DataSource}.
 */
public final class PostgresDeadLetterQueue implements DeadLetterQueue {

    private static final String LETTER_COLUMNS = "id, consumer, cause_type, cause_message, cause_trace, attempts, "
            + "first_failed_at_ns, last_failed_at_ns, " + EventColumns.NAMES;

    private final DataSource dataSource;
    private final ObservationRegistry observations;
    private final String putSql;
    private final String listSql;
    private final String findSql;
    private final String removeSql;
    private final String countSql;
    private final String parkSql;
    private final String parkedSql;
    private final String unparkSql;

    private PostgresDeadLetterQueue(DataSource dataSource, ObservationRegistry observations, String schema) {
        this.dataSource = dataSource;
        this.observations = observations;
        String t = schema + ".dead_letters";
        String p = schema + ".parked_events";
        StringBuilder updates = new StringBuilder();
        for (String column : LETTER_COLUMNS.split(", ")) {
            if (!column.equals("id")) {
                updates.append(updates.length() == 0 ? "" : ", ").append(column).append(" = EXCLUDED.").append(column);
            }
        }
        putSql = "INSERT INTO " + t + " (" + LETTER_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                + EventColumns.PLACEHOLDERS + ") ON CONFLICT (id) DO UPDATE SET " + updates;
        listSql = "SELECT " + LETTER_COLUMNS + " FROM " + t + " WHERE consumer = ? ORDER BY first_failed_at_ns, global_position, id";
        findSql = "SELECT " + LETTER_COLUMNS + " FROM " + t + " WHERE id = ?";
        removeSql = "DELETE FROM " + t + " WHERE id = ?";
        countSql = "SELECT count(*) FROM " + t + " WHERE consumer = ?";
        parkSql = "INSERT INTO " + p + " (consumer, " + EventColumns.NAMES + ") VALUES (?, " + EventColumns.PLACEHOLDERS
                + ") ON CONFLICT (consumer, stream_id, version) DO NOTHING";
        parkedSql = "SELECT " + EventColumns.NAMES + " FROM " + p + " WHERE consumer = ? AND stream_id = ? ORDER BY version";
        unparkSql = "DELETE FROM " + p + " WHERE consumer = ? AND stream_id = ? AND version <= ?";
    }

    /** A builder over {@code dataSource} (the caller owns it). */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    @Override
    public void put(DeadLetter deadLetter) {
        Objects.requireNonNull(deadLetter, "deadLetter");
        Jdbc.withConnection(dataSource, observations, "dead-letter-store", "store dead letter '" + deadLetter.id() + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(putSql)) {
                statement.setObject(1, deadLetter.id());
                statement.setString(2, deadLetter.consumer());
                statement.setString(3, deadLetter.causeType());
                statement.setString(4, deadLetter.causeMessage());
                statement.setString(5, deadLetter.causeTrace());
                statement.setInt(6, deadLetter.attempts());
                statement.setLong(7, Jdbc.epochNanos(deadLetter.firstFailedAt()));
                statement.setLong(8, Jdbc.epochNanos(deadLetter.lastFailedAt()));
                EventColumns.bind(statement, 9, deadLetter.event());
                return statement.executeUpdate();
            }
        });
    }

    @Override
    public List<DeadLetter> list(String consumer) {
        Objects.requireNonNull(consumer, "consumer");
        return Jdbc.withConnection(dataSource, observations, "dead-letter-list", "list the dead letters of consumer '" + consumer + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(listSql)) {
                statement.setString(1, consumer);
                try (ResultSet rs = statement.executeQuery()) {
                    List<DeadLetter> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(letter(rs));
                    }
                    return List.copyOf(out);
                }
            }
        });
    }

    @Override
    public Optional<DeadLetter> find(UUID id) {
        Objects.requireNonNull(id, "id");
        return Jdbc.withConnection(dataSource, observations, "dead-letter-find", "find dead letter '" + id + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(findSql)) {
                statement.setObject(1, id);
                try (ResultSet rs = statement.executeQuery()) {
                    return rs.next() ? Optional.of(letter(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public boolean remove(UUID id) {
        Objects.requireNonNull(id, "id");
        return Jdbc.withConnection(dataSource, observations, "dead-letter-remove", "remove dead letter '" + id + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(removeSql)) {
                statement.setObject(1, id);
                return statement.executeUpdate() > 0;
            }
        });
    }

    @Override
    public int count(String consumer) {
        Objects.requireNonNull(consumer, "consumer");
        return Jdbc.withConnection(dataSource, observations, "dead-letter-count", "count the dead letters of consumer '" + consumer + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(countSql)) {
                statement.setString(1, consumer);
                try (ResultSet rs = statement.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    @Override
    public void park(String consumer, EventEnvelope event) {
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(event, "event");
        Jdbc.withConnection(dataSource, observations, "dead-letter-park", "park event " + event.idempotencyKey() + " for consumer '" + consumer + "'",
                connection -> {
                    try (PreparedStatement statement = connection.prepareStatement(parkSql)) {
                        statement.setString(1, consumer);
                        EventColumns.bind(statement, 2, event);
                        return statement.executeUpdate();
                    }
                });
    }

    @Override
    public List<EventEnvelope> parked(String consumer, String streamId) {
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(streamId, "streamId");
        return Jdbc.withConnection(dataSource, observations, "dead-letter-read-parked", "read the events parked for consumer '" + consumer + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(parkedSql)) {
                statement.setString(1, consumer);
                statement.setString(2, streamId);
                try (ResultSet rs = statement.executeQuery()) {
                    List<EventEnvelope> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(EventColumns.read(rs, 1));
                    }
                    return List.copyOf(out);
                }
            }
        });
    }

    @Override
    public int unpark(String consumer, String streamId, long throughVersion) {
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(streamId, "streamId");
        return Jdbc.withConnection(dataSource, observations, "dead-letter-unpark", "unpark events of consumer '" + consumer + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(unparkSql)) {
                statement.setString(1, consumer);
                statement.setString(2, streamId);
                statement.setLong(3, throughVersion);
                return statement.executeUpdate();
            }
        });
    }

    private static DeadLetter letter(ResultSet rs) throws SQLException {
        return new DeadLetter(rs.getObject(1, UUID.class), rs.getString(2), EventColumns.read(rs, 9), rs.getString(3),
                rs.getString(4), rs.getString(5), rs.getInt(6), Jdbc.fromEpochNanos(rs.getLong(7)),
                Jdbc.fromEpochNanos(rs.getLong(8)));
    }

    /** Options for {@link PostgresDeadLetterQueue}; each may be set once. */
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

        /** The queue; migrates the schema first unless told not to. */
        public PostgresDeadLetterQueue build() {
            return new PostgresDeadLetterQueue(settings.dataSource, settings.observations(), settings.prepare());
        }
    }
}
