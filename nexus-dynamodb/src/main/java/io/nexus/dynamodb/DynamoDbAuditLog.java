package io.nexus.dynamodb;

import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.temporal.AuditLog;
import io.nexus.core.temporal.AuditRecord;
import io.nexus.dynamodb.internal.AwsCalls;
import io.nexus.dynamodb.internal.PortItems;
import io.nexus.dynamodb.internal.Queries;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The {@link AuditLog} on DynamoDB: every temporal query's record kept across restarts, in one partition
 * per log name of the audit table ({@link DynamoDbTables#auditTable}).
 *
 * <p>Implementation notes. A record is one {@code PutItem} with {@code pk} = log name and {@code sk} = the
 * record's time as sortable text, an arrival stamp and a random suffix, so records sort by
 * {@link AuditRecord#at()} and records of one instant by arrival; {@link #recent} is one strongly
 * consistent {@code Query} read backwards with a limit. The arrival stamp is the writer's wall clock in
 * microseconds, kept strictly increasing per instance, so the order of one instant also holds across a
 * restart; the random suffix keeps two processes from ever writing the same key. Audit traffic is rate
 * limited by the temporal query service, so one partition (1,000 writes per second on the service) is
 * plenty. With {@link Builder#retention} each record carries an expiry ({@code exp}, epoch seconds) that
 * DynamoDB's time to live can delete once enabled on the table; the log never deletes by itself.
 *
 * <p>Thread-safe; the caller owns the client.
 */
public final class DynamoDbAuditLog implements AuditLog {

    private static final String AT = "at";
    private static final String CLIENT = "cl";
    private static final String PRINCIPAL = "pr";
    private static final String AGGREGATE_TYPE = "ag";
    private static final String AGGREGATE_ID = "ai";
    private static final String TARGET = "tg";
    private static final String OUTCOME = "oc";
    private static final String DETAIL = "dt";
    private static final String DURATION = "du";
    private static final String ACTION = "ac";
    private static final String RULE = "ru";
    private static final String REASONS = "rs";
    private static final String EXPIRES = "exp";

    private final DynamoDbClient client;
    private final String table;
    private final String logName;
    private final @Nullable Duration retention;
    private final Clock clock;
    private final AwsCalls calls;
    private final Queries queries;
    private final AtomicLong lastArrival = new AtomicLong();

    private DynamoDbAuditLog(Builder b) {
        this.client = b.client;
        this.table = Objects.requireNonNull(b.tableName, "tableName"); // build() has checked it
        this.logName = b.logName;
        this.retention = b.retention;
        this.clock = b.clock;
        this.calls = new AwsCalls(b.retryPolicy, DynamoDbAccessException::new);
        this.queries = new Queries(client, calls);
    }

    /** A builder on the caller's client; {@link Builder#tableName} is required. */
    public static Builder builder(DynamoDbClient client) {
        return new Builder(client);
    }

    /**
     * {@inheritDoc}
     *
     * @throws DynamoDbAccessException if DynamoDB stays throttled or refuses the write (transient when throttled)
     */
    @Override
    public void record(AuditRecord record) {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(record.at(), "record.at");
        String sk = PortItems.sortable(record.at()) + PortItems.sortable(nextArrival())
                + String.format("%08x", ThreadLocalRandom.current().nextInt());
        Map<String, AttributeValue> item = new HashMap<>(16);
        item.put("pk", AttributeValue.fromS(logName));
        item.put("sk", AttributeValue.fromS(sk));
        item.put(AT, PortItems.instant(record.at()));
        putText(item, CLIENT, record.clientId());
        Map<String, AttributeValue> principal = new HashMap<>();
        record.principal().forEach((k, v) -> principal.put(k, AttributeValue.fromS(v)));
        item.put(PRINCIPAL, AttributeValue.fromM(principal));
        putText(item, AGGREGATE_TYPE, record.aggregateType());
        putText(item, AGGREGATE_ID, record.aggregateId());
        putText(item, TARGET, record.target());
        putText(item, OUTCOME, record.outcome().name());
        putText(item, DETAIL, record.detail());
        item.put(DURATION, AttributeValue.fromN(Long.toString(record.duration().toNanos())));
        putText(item, ACTION, record.action());
        putText(item, RULE, record.rule());
        if (!record.reasons().isEmpty()) {
            item.put(REASONS, AttributeValue.fromL(record.reasons().stream().map(AttributeValue::fromS).toList()));
        }
        if (retention != null) {
            item.put(EXPIRES, AttributeValue.fromN(Long.toString(clock.instant().plus(retention).getEpochSecond())));
        }
        calls.call("record the audit of a query on '" + record.aggregateId() + "' in log '" + logName + "'",
                () -> client.putItem(b -> b.tableName(table).item(item)));
    }

    /**
     * {@inheritDoc}
     *
     * @throws DynamoDbAccessException if DynamoDB stays throttled or refuses the read
     */
    @Override
    public List<AuditRecord> recent(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max must be >= 0, but was " + max);
        }
        if (max == 0) {
            return List.of();
        }
        QueryRequest request = QueryRequest.builder().tableName(table).consistentRead(true).scanIndexForward(false)
                .keyConditionExpression("pk = :l").expressionAttributeValues(Map.of(":l", AttributeValue.fromS(logName)))
                .build();
        List<AuditRecord> out = new ArrayList<>();
        for (Map<String, AttributeValue> item : queries.upTo("read the audit log '" + logName + "'", request, max)) {
            out.add(toRecord(item));
        }
        Collections.reverse(out);
        return List.copyOf(out);
    }

    private long nextArrival() {
        long now = Math.multiplyExact(clock.millis(), 1000L);
        return lastArrival.updateAndGet(last -> Math.max(last + 1, now));
    }

    private static void putText(Map<String, AttributeValue> item, String name, @Nullable String value) {
        if (value != null) {
            item.put(name, AttributeValue.fromS(value));
        }
    }

    private static AuditRecord toRecord(Map<String, AttributeValue> item) {
        Map<String, String> principal = new HashMap<>();
        AttributeValue pr = item.get(PRINCIPAL);
        if (pr != null && pr.hasM()) {
            pr.m().forEach((k, v) -> principal.put(k, v.s()));
        }
        // at, client, target, outcome and duration are written for every record
        return new AuditRecord(PortItems.instant(PortItems.attribute(item, AT)), PortItems.attribute(item, CLIENT).s(), principal,
                PortItems.text(item.get(AGGREGATE_TYPE)), PortItems.text(item.get(AGGREGATE_ID)),
                PortItems.attribute(item, TARGET).s(), AuditRecord.Outcome.valueOf(PortItems.attribute(item, OUTCOME).s()),
                PortItems.text(item.get(DETAIL)), Duration.ofNanos(Long.parseLong(PortItems.attribute(item, DURATION).n())),
                PortItems.text(item.get(ACTION)), PortItems.text(item.get(RULE)),
                item.containsKey(REASONS) ? PortItems.attribute(item, REASONS).l().stream().map(AttributeValue::s).toList() : List.of());
    }

    /** Options for {@link DynamoDbAuditLog}; setters validate as they go. */
    public static final class Builder {
        private final DynamoDbClient client;
        private @Nullable String tableName;
        private String logName = "temporal-queries";
        private @Nullable Duration retention;
        private Clock clock = Clock.systemUTC();
        private RetryPolicy retryPolicy = RetryPolicy.custom().maxAttempts(8).initialDelay(Duration.ofMillis(50))
                .maxDelay(Duration.ofSeconds(5)).build();

        private Builder(DynamoDbClient client) {
            this.client = Objects.requireNonNull(client, "client");
        }

        /** The audit table. */
        public Builder tableName(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("tableName must not be blank, but was '" + value + "'");
            }
            this.tableName = value;
            return this;
        }

        /** The log's partition in the table, so several logs can share it (default {@code "temporal-queries"}). */
        public Builder logName(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("logName must not be blank, but was '" + value + "'");
            }
            this.logName = value;
            return this;
        }

        /**
         * Stamps each record with an expiry ({@code exp}, epoch seconds) this long after it is written, for
         * DynamoDB's time to live on that attribute (enable it on the table). None by default: kept forever.
         */
        public Builder retention(Duration value) {
            Objects.requireNonNull(value, "retention");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("retention must be positive, but was " + value);
            }
            this.retention = value;
            return this;
        }

        /** The clock of the arrival stamps and expiries (default system UTC). */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Retry of throttled and failed requests (default 8 attempts, 50 ms .. 5 s). */
        public Builder retryPolicy(RetryPolicy value) {
            this.retryPolicy = Objects.requireNonNull(value, "retryPolicy");
            return this;
        }

        /** @throws IllegalStateException if no table name was given */
        public DynamoDbAuditLog build() {
            if (tableName == null) {
                throw new IllegalStateException("tableName is required; call tableName(...) before build()");
            }
            return new DynamoDbAuditLog(this);
        }
    }
}
