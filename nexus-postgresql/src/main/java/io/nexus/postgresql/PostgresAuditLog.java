package io.nexus.postgresql;

import io.micrometer.observation.ObservationRegistry;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexus.core.temporal.AuditLog;
import io.nexus.core.temporal.AuditRecord;
import io.nexus.postgresql.internal.Jdbc;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The audit log (temporal queries and policy decisions) on PostgreSQL: an append-only table {@code <schema>.audit_log}, read in
 * the order of the records' instants and, for one instant, in recording order (an identity column), so that
 * processes sharing the log interleave correctly; the principal as JSONB, instants and durations to the
 * nanosecond.
 * Nothing is ever deleted by the store; retention is the operator's (a {@code DELETE ... WHERE at_ns < ...}
 * job). Thread-safe; the caller owns the {@link DataSource}.
 */
public final class PostgresAuditLog implements AuditLog {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {
    };
    private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {
    };

    private final DataSource dataSource;
    private final ObservationRegistry observations;
    private final String recordSql;
    private final String recentSql;

    private PostgresAuditLog(DataSource dataSource, ObservationRegistry observations, String schema) {
        this.dataSource = dataSource;
        this.observations = observations;
        String t = schema + ".audit_log";
        recordSql = "INSERT INTO " + t + " (at_ns, client_id, principal, aggregate_type, aggregate_id, target, outcome, "
                + "detail, duration_ns, action, rule, reasons) VALUES (?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)";
        recentSql = "SELECT at_ns, client_id, principal::text, aggregate_type, aggregate_id, target, outcome, detail, "
                + "duration_ns, action, rule, reasons::text FROM " + t + " ORDER BY at_ns DESC, seq DESC LIMIT ?";
    }

    /** A builder over {@code dataSource} (the caller owns it). */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * {@inheritDoc}
     *
     * @throws PostgresAccessException if the record could not be stored (transient when a retry may help)
     */
    @Override
    public void record(AuditRecord record) {
        Objects.requireNonNull(record, "record");
        String principal;
        String reasons;
        try {
            principal = JSON.writeValueAsString(record.principal());
            reasons = record.reasons().isEmpty() ? null : JSON.writeValueAsString(record.reasons());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("principal of an audit record does not serialize: " + record.principal(), e);
        }
        Jdbc.withConnection(dataSource, observations, "audit-record", "record a temporal query of '" + record.aggregateId() + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(recordSql)) {
                statement.setLong(1, Jdbc.epochNanos(Objects.requireNonNull(record.at(), "at")));
                statement.setString(2, record.clientId());
                statement.setString(3, principal);
                statement.setString(4, record.aggregateType());
                statement.setString(5, record.aggregateId());
                statement.setString(6, record.target());
                statement.setString(7, record.outcome() == null ? null : record.outcome().name());
                statement.setString(8, record.detail());
                if (record.duration() == null) {
                    statement.setNull(9, Types.BIGINT);
                } else {
                    statement.setLong(9, record.duration().toNanos());
                }
                statement.setString(10, record.action());
                statement.setString(11, record.rule());
                statement.setString(12, reasons);
                return statement.executeUpdate();
            }
        });
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if {@code max} is negative
     */
    @Override
    public List<AuditRecord> recent(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max must be >= 0, but was " + max);
        }
        if (max == 0) {
            return List.of();
        }
        return Jdbc.withConnection(dataSource, observations, "audit-read", "read the audit log", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(recentSql)) {
                statement.setInt(1, max);
                try (ResultSet rs = statement.executeQuery()) {
                    List<AuditRecord> newestFirst = new ArrayList<>();
                    while (rs.next()) {
                        // written for every record
                        String outcome = Objects.requireNonNull(rs.getString(7), "outcome");
                        Duration took = Duration.ofNanos(rs.getLong(9));
                        newestFirst.add(new AuditRecord(Jdbc.fromEpochNanos(rs.getLong(1)), rs.getString(2),
                                principal(rs.getString(3)), rs.getString(4), rs.getString(5), rs.getString(6),
                                AuditRecord.Outcome.valueOf(outcome), rs.getString(8), took,
                                rs.getString(10), rs.getString(11), reasons(rs.getString(12))));
                    }
                    Collections.reverse(newestFirst);
                    return List.copyOf(newestFirst);
                }
            }
        });
    }

    private static List<String> reasons(String json) {
        if (json == null) {
            return List.of();
        }
        try {
            return JSON.readValue(json, STRING_LIST);
        } catch (JsonProcessingException e) {
            throw new PostgresAccessException("Stored audit reasons are not a JSON array of strings: " + json, e, false);
        }
    }

    private static Map<String, String> principal(String json) {
        try {
            return JSON.readValue(json, STRING_MAP);
        } catch (JsonProcessingException e) {
            throw new PostgresAccessException("A stored audit principal is not a JSON object of strings: " + json, e, false);
        }
    }

    /** Options for {@link PostgresAuditLog}; each may be set once. */
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

        /** The log; migrates the schema first unless told not to. */
        public PostgresAuditLog build() {
            return new PostgresAuditLog(settings.dataSource, settings.observations(), settings.prepare());
        }
    }
}
