package io.nexus.postgresql.internal;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.nexus.core.observation.NexusObservation;
import io.nexus.postgresql.PostgresAccessException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Connection handling shared by the PostgreSQL stores: borrow, run, give back; one transaction when
 * asked; SQL failures translated into {@link PostgresAccessException} with a transient flag from the
 * SQLState. Not part of the API.
 */
public final class Jdbc {

    /** The {@code nexus.remote.system} of the stores' observations. */
    public static final String SYSTEM = "postgresql";

    private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private Jdbc() {
    }

    /** Work on one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs {@code work} on a connection in autocommit mode. */
    public static <T> T withConnection(DataSource dataSource, String what, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            if (!connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
            return work.run(connection);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** As {@link #withConnection(DataSource, String, Work)}, observed as the port operation {@code operation}. */
    public static <T> T withConnection(DataSource dataSource, ObservationRegistry observations, String operation, String what,
                                       Work<T> work) {
        return observed(observations, operation, () -> withConnection(dataSource, what, work));
    }

    /** As {@link #inTransaction(DataSource, String, Work)}, observed as the port operation {@code operation}. */
    public static <T> T inTransaction(DataSource dataSource, ObservationRegistry observations, String operation, String what,
                                      Work<T> work) {
        return observed(observations, operation, () -> inTransaction(dataSource, what, work));
    }

    /**
     * Runs {@code call}, one operation of a port (however many statements it takes), as a
     * {@link NexusObservation#REMOTE_CALL} ({@code postgresql append}) in the current observation; its outcome is
     * {@code success} or the class of what it threw ({@code ConcurrencyConflictException}, {@code PostgresAccessException}).
     * Only {@code call} runs when {@code observations} is the no-op registry or no observation is current: the stores
     * are polled in the background (trackers, the router, the scheduler), and a poll must not start a trace of its own
     * ({@link NexusObservation#remoteCallInTrace}).
     */
    public static <T> T observed(ObservationRegistry observations, String operation, Supplier<T> call) {
        Observation observation = NexusObservation.remoteCallInTrace(SYSTEM, operation, observations);
        if (observation.isNoop()) {
            return call.get();
        }
        observation.start();
        String outcome = "failed";
        try (Observation.Scope ignored = observation.openScope()) {
            T result = call.get();
            outcome = "success";
            return result;
        } catch (RuntimeException | Error e) {
            outcome = e.getClass().getSimpleName();
            observation.error(e);
            throw e;
        } finally {
            observation.lowCardinalityKeyValue(NexusObservation.KeyNames.OUTCOME.asString(), outcome).stop();
        }
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public static <T> T inTransaction(DataSource dataSource, String what, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(connection, e);
                throw e;
            } finally {
                restoreAutoCommit(connection);
            }
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** Rolls back, keeping a rollback failure as a suppressed exception of {@code cause}. */
    public static void rollbackQuietly(Connection connection, Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException rollbackFailure) {
            cause.addSuppressed(rollbackFailure);
        }
    }

    /** Gives a pooled connection back in autocommit mode, whatever pool the caller uses. */
    public static void restoreAutoCommit(Connection connection) {
        try {
            if (!connection.isClosed()) {
                connection.setAutoCommit(true);
            }
        } catch (SQLException ignored) {
            // the pool validates the connection before its next use
        }
    }

    /** The exception for a failed request: transient for lost connections, contention and shutdowns. */
    public static PostgresAccessException failure(String what, SQLException e) {
        return new PostgresAccessException("PostgreSQL failed to " + what + " (SQLState " + e.getSQLState() + "): "
                + e.getMessage() + (isTransient(e) ? "; retry later" : "; check the database and the schema"),
                e, isTransient(e));
    }

    /**
     * Whether {@code e} is worth retrying unchanged: connection failures (class 08), serialization
     * failures and deadlocks (class 40), insufficient resources (53), operator intervention (57P), and
     * a driver error without a state (a broken socket).
     */
    public static boolean isTransient(SQLException e) {
        String state = e.getSQLState();
        if (state == null) {
            return true;
        }
        return state.startsWith("08") || state.startsWith("40") || state.startsWith("53") || state.startsWith("57P");
    }

    /**
     * Checks a schema name: lower-case letters, digits and '_', so that it is used unquoted in SQL.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public static String requireSchemaName(String schema) {
        if (schema == null || !SCHEMA_NAME.matcher(schema).matches()) {
            throw new IllegalArgumentException("schema must be 1..63 lower-case letters, digits or '_' and must not "
                    + "start with a digit, but was '" + schema + "'");
        }
        return schema;
    }

    /** An instant at PostgreSQL's precision (microseconds), rounded down so that "at or before" keeps its meaning. */
    public static Instant toMicros(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }

    /** The JDBC value of a {@code timestamptz} column. */
    public static OffsetDateTime timestamp(Instant instant) {
        return OffsetDateTime.ofInstant(toMicros(instant), ZoneOffset.UTC);
    }

    /** An instant as whole nanoseconds since the epoch, for columns that keep callers' instants exactly. */
    public static long epochNanos(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
    }

    /** The instant of {@link #epochNanos}. */
    public static Instant fromEpochNanos(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }
}
