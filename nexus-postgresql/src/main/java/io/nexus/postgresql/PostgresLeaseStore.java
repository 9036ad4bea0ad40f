package io.nexus.postgresql;

import io.micrometer.observation.ObservationRegistry;
import io.nexus.core.lease.Lease;
import io.nexus.core.lease.LeaseStore;
import io.nexus.postgresql.internal.Jdbc;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Objects;
import java.util.Optional;

/**
 * The lease store on PostgreSQL: one row per lease name in {@code <schema>.leases} (owner, token, renewal and
 * expiry time), so that the processes sharing one database agree on which of them runs each exclusive consumer.
 *
 * <p>Every call is one statement in autocommit mode, one round trip. Expiry is judged, and every expiry set, on
 * the database server's clock ({@code clock_timestamp()}, taken once per statement when the server executes it:
 * never before the caller sent the request, and not the start of an enclosing transaction as {@code now()} would
 * be), so the processes' own clocks play no part. {@link #tryAcquire} is an {@code INSERT ... ON CONFLICT DO
 * UPDATE ... WHERE ... RETURNING}: the row lock makes racing callers queue, each judging the row as the previous
 * one left it, so of owners racing for a free lease exactly one gets it. A released lease keeps its row and its
 * token (owner {@code NULL}), so tokens grow for as long as the table lives. Writes wait for their WAL flush (the
 * session's {@code synchronous_commit}, on by default): a granted term lost in a server crash would let the next
 * term reuse its token.
 *
 * <p>A duration is counted in whole microseconds, rounded up, and at most {@value #MAX_YEARS} years. Failures
 * surface as {@link PostgresAccessException}, transient when the server could not be reached; the caller then
 * holds nothing new. Thread-safe; the caller owns the {@link DataSource}.
 */
public final class PostgresLeaseStore implements LeaseStore {

    /** The longest lease term; longer durations are cut to it (PostgreSQL timestamps end in the year 294276). */
    static final int MAX_YEARS = 1000;
    private static final long MAX_MICROS = MAX_YEARS * 366L * 86_400L * 1_000_000L;

    private final DataSource dataSource;
    private final ObservationRegistry observations;
    private final String acquireSql;
    private final String renewSql;
    private final String releaseSql;
    private final String currentSql;

    private PostgresLeaseStore(DataSource dataSource, ObservationRegistry observations, String schema) {
        this.dataSource = dataSource;
        this.observations = observations;
        String t = schema + ".leases";
        // clock_timestamp() once, in the proposed row: EXCLUDED.renewed_at is this statement's now in both branches.
        // The holder taking its own unexpired lease again renews it (same token); a free or expired one starts a
        // new term. The WHERE leaves a lease another owner holds untouched, and RETURNING then gives no row.
        acquireSql = "INSERT INTO " + t + " AS l (name, owner, token, renewed_at, expires_at)"
                + " SELECT ?, ?, 1, n.t, n.t + ? * interval '1 microsecond' FROM clock_timestamp() AS n(t)"
                + " ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner,"
                + " token = CASE WHEN l.owner = EXCLUDED.owner AND l.expires_at > EXCLUDED.renewed_at"
                + " THEN l.token ELSE l.token + 1 END,"
                + " renewed_at = EXCLUDED.renewed_at, expires_at = EXCLUDED.expires_at"
                + " WHERE l.owner IS NULL OR l.expires_at <= EXCLUDED.renewed_at OR l.owner = EXCLUDED.owner"
                + " RETURNING l.owner, l.token, l.expires_at";
        renewSql = "UPDATE " + t + " AS l SET renewed_at = n.t, expires_at = n.t + ? * interval '1 microsecond'"
                + " FROM clock_timestamp() AS n(t) WHERE l.name = ? AND l.owner = ? AND l.token = ?"
                + " RETURNING l.owner, l.token, l.expires_at";
        releaseSql = "UPDATE " + t + " SET owner = NULL, expires_at = clock_timestamp()"
                + " WHERE name = ? AND owner = ? AND token = ?";
        currentSql = "SELECT owner, token, expires_at FROM " + t
                + " WHERE name = ? AND owner IS NOT NULL AND expires_at > clock_timestamp()";
    }

    /** A builder over {@code dataSource} (the caller owns it). */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * {@inheritDoc}
     *
     * <p>One {@code INSERT ... ON CONFLICT DO UPDATE}.
     */
    @Override
    public Optional<Lease> tryAcquire(String name, String owner, Duration duration) {
        LeaseStore.requireText(name, "name");
        LeaseStore.requireText(owner, "owner");
        LeaseStore.requirePositive(duration);
        return Jdbc.withConnection(dataSource, observations, "lease-acquire",
                "take the lease '" + name + "' for owner '" + owner + "' (it holds nothing new)", connection -> {
                    try (PreparedStatement statement = connection.prepareStatement(acquireSql)) {
                        statement.setString(1, name);
                        statement.setString(2, owner);
                        statement.setLong(3, micros(duration));
                        return lease(name, statement);
                    }
                });
    }

    /**
     * {@inheritDoc}
     *
     * <p>One {@code UPDATE} conditioned on owner and token.
     */
    @Override
    public Optional<Lease> renew(Lease lease, Duration duration) {
        Objects.requireNonNull(lease, "lease");
        LeaseStore.requirePositive(duration);
        return Jdbc.withConnection(dataSource, observations, "lease-renew",
                "renew the lease '" + lease.name() + "' of owner '" + lease.owner() + "' (token " + lease.token()
                        + "); it runs out at " + lease.expiresAt() + " unless a retry renews it", connection -> {
                    try (PreparedStatement statement = connection.prepareStatement(renewSql)) {
                        statement.setLong(1, micros(duration));
                        statement.setString(2, lease.name());
                        statement.setString(3, lease.owner());
                        statement.setLong(4, lease.token());
                        return lease(lease.name(), statement);
                    }
                });
    }

    /**
     * {@inheritDoc}
     *
     * <p>One {@code UPDATE} conditioned on owner and token; the row and its token stay.
     */
    @Override
    public void release(Lease lease) {
        Objects.requireNonNull(lease, "lease");
        Jdbc.withConnection(dataSource, observations, "lease-release",
                "release the lease '" + lease.name() + "' of owner '" + lease.owner() + "' (token " + lease.token()
                        + "); it runs out at " + lease.expiresAt() + " instead", connection -> {
                    try (PreparedStatement statement = connection.prepareStatement(releaseSql)) {
                        statement.setString(1, lease.name());
                        statement.setString(2, lease.owner());
                        statement.setLong(3, lease.token());
                        return statement.executeUpdate();
                    }
                });
    }

    /**
     * {@inheritDoc}
     *
     * <p>One {@code SELECT} by primary key.
     */
    @Override
    public Optional<Lease> current(String name) {
        LeaseStore.requireText(name, "name");
        return Jdbc.withConnection(dataSource, observations, "lease-current", "read the lease '" + name + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(currentSql)) {
                statement.setString(1, name);
                return lease(name, statement);
            }
        });
    }

    private static Optional<Lease> lease(String name, PreparedStatement statement) throws SQLException {
        try (ResultSet rs = statement.executeQuery()) {
            return rs.next() ? Optional.of(new Lease(name, rs.getString(1), rs.getLong(2),
                    rs.getObject(3, OffsetDateTime.class).toInstant())) : Optional.empty();
        }
    }

    /** Whole microseconds, rounded up so that a positive duration never becomes an expired lease; capped. */
    static long micros(Duration duration) {
        if (duration.getSeconds() >= MAX_MICROS / 1_000_000L) {
            return MAX_MICROS;
        }
        return duration.getSeconds() * 1_000_000L + (duration.getNano() + 999) / 1000;
    }

    /** Options for {@link PostgresLeaseStore}; each may be set once. */
    public static final class Builder {
        private final StoreSettings settings;

        private Builder(DataSource dataSource) {
            this.settings = new StoreSettings(dataSource);
        }

        /** The schema of the {@code leases} table; default {@value PostgresSchema#DEFAULT_SCHEMA}. */
        public Builder schema(String value) {
            settings.schema(value);
            return this;
        }

        /**
         * Where each operation on the database is observed, as a {@code nexus.remote.call} (system {@code postgresql},
         * operations {@code lease-acquire}, {@code lease-renew}, {@code lease-release}, {@code lease-current});
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

        /**
         * The store; migrates the schema first unless told not to.
         *
         * @throws PostgresAccessException if the migration fails
         */
        public PostgresLeaseStore build() {
            return new PostgresLeaseStore(settings.dataSource, settings.observations(), settings.prepare());
        }
    }
}
