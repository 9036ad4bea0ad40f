package io.nexus.postgresql;

import io.micrometer.observation.ObservationRegistry;
import io.nexus.core.event.EventPayload;
import io.nexus.core.snapshot.InMemorySnapshotStore;
import io.nexus.core.snapshot.Snapshot;
import io.nexus.core.snapshot.SnapshotStore;
import io.nexus.core.snapshot.SnapshotTooLargeException;
import io.nexus.postgresql.internal.Jdbc;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The snapshot store on PostgreSQL: one row per stream in {@code <schema>.snapshots}, replaced only by a higher
 * version in one conditional upsert, so a slow writer never moves a snapshot back. Creation times are kept to
 * the nanosecond. Thread-safe; the caller owns the {@link DataSource}.
 */
public final class PostgresSnapshotStore implements SnapshotStore {

    /** The default largest state accepted, in bytes (the embedded store's). */
    public static final int DEFAULT_MAX_SNAPSHOT_SIZE = InMemorySnapshotStore.DEFAULT_MAX_SNAPSHOT_SIZE;

    private final DataSource dataSource;
    private final ObservationRegistry observations;
    private final int maxSize;
    private final String saveSql;
    private final String latestSql;
    private final String deleteSql;

    private PostgresSnapshotStore(DataSource dataSource, ObservationRegistry observations, String schema, int maxSize) {
        this.dataSource = dataSource;
        this.observations = observations;
        this.maxSize = maxSize;
        String t = schema + ".snapshots";
        saveSql = "INSERT INTO " + t + " AS s (stream_id, aggregate_type, version, state_schema_version, created_at_ns, state) "
                + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (stream_id) DO UPDATE SET aggregate_type = EXCLUDED.aggregate_type, "
                + "version = EXCLUDED.version, state_schema_version = EXCLUDED.state_schema_version, "
                + "created_at_ns = EXCLUDED.created_at_ns, state = EXCLUDED.state WHERE s.version < EXCLUDED.version";
        latestSql = "SELECT aggregate_type, version, state_schema_version, created_at_ns, state FROM " + t
                + " WHERE stream_id = ?";
        deleteSql = "DELETE FROM " + t + " WHERE stream_id = ?";
    }

    /** A builder over {@code dataSource} (the caller owns it). */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * {@inheritDoc}
     *
     * @throws PostgresAccessException if the database fails (transient when a retry may help)
     */
    @Override
    public void save(Snapshot snapshot) {
        Objects.requireNonNull(snapshot, "snapshot");
        if (snapshot.state().size() > maxSize) {
            throw new SnapshotTooLargeException(snapshot.streamId(), snapshot.state().size(), maxSize);
        }
        Jdbc.withConnection(dataSource, observations, "snapshot-save", "save the snapshot of stream '" + snapshot.streamId() + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(saveSql)) {
                statement.setString(1, snapshot.streamId());
                statement.setString(2, snapshot.aggregateType());
                statement.setLong(3, snapshot.version());
                statement.setInt(4, snapshot.stateSchemaVersion());
                statement.setLong(5, Jdbc.epochNanos(snapshot.createdAt()));
                statement.setBytes(6, snapshot.state().unsafeBytes());
                return statement.executeUpdate();
            }
        });
    }

    @Override
    public Optional<Snapshot> latest(String streamId) {
        Objects.requireNonNull(streamId, "streamId");
        return Jdbc.withConnection(dataSource, observations, "snapshot-latest", "read the snapshot of stream '" + streamId + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(latestSql)) {
                statement.setString(1, streamId);
                try (ResultSet rs = statement.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new Snapshot(streamId, rs.getString(1), rs.getLong(2), rs.getInt(3),
                            Jdbc.fromEpochNanos(rs.getLong(4)), EventPayload.of(rs.getBytes(5), null)));
                }
            }
        });
    }

    @Override
    public void delete(String streamId) {
        Objects.requireNonNull(streamId, "streamId");
        Jdbc.withConnection(dataSource, observations, "snapshot-delete", "delete the snapshots of stream '" + streamId + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(deleteSql)) {
                statement.setString(1, streamId);
                return statement.executeUpdate();
            }
        });
    }

    /** Options for {@link PostgresSnapshotStore}; each may be set once. */
    public static final class Builder {
        private final StoreSettings settings;
        private @Nullable Integer maxSize;

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

        /** The largest state accepted, in bytes; default {@value #DEFAULT_MAX_SNAPSHOT_SIZE}. */
        public Builder maxSnapshotSize(int bytes) {
            Settings.requireUnset("maxSnapshotSize", maxSize);
            if (bytes < 1) {
                throw new IllegalArgumentException("maxSnapshotSize must be >= 1, but was " + bytes);
            }
            maxSize = bytes;
            return this;
        }

        /** The store; migrates the schema first unless told not to. */
        public PostgresSnapshotStore build() {
            return new PostgresSnapshotStore(settings.dataSource, settings.observations(), settings.prepare(),
                    maxSize == null ? DEFAULT_MAX_SNAPSHOT_SIZE : maxSize);
        }
    }
}
