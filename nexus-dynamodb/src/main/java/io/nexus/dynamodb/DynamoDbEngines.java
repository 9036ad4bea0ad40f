package io.nexus.dynamodb;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexus.core.Nexus;
import io.nexus.core.NexusEngines;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.serialization.JacksonEventSerializer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The DynamoDB engine family: one call sets on a {@link Nexus.Builder} every port this module implements,
 * each on its table of {@link DynamoDbTables.Names}: event store, snapshot store, checkpoints, dead letters,
 * timers, audit log and read models; and a {@link DynamoDbLeaseStore} in the checkpoints table (or the
 * {@linkplain Builder#leaseTable lease table}), so that each exclusive consumer runs in one process at a time among
 * those sharing the tables.
 *
 * <pre>{@code
 * DynamoDbTables.Names tables = DynamoDbTables.Names.withPrefix("shop-");
 * DynamoDbTables.createIfMissing(ddb, tables);
 * Nexus nexus = Nexus.builder()
 *         .engines(DynamoDbEngines.builder(ddb).streams(streams).tables(tables).build())
 *         .eventTypes(...)
 *         .build();
 * }</pre>
 *
 * With a Streams client and an events table it also registers a {@link DynamoDbLogIndexer} component, which
 * builds the global log that {@code readAll} (and so every projection, router and saga) reads; every
 * process may run one, one at a time indexes (see its lease). Without a Streams client the event store
 * takes appends but its global log stays empty, which is logged as a warning. {@link #changeCapture} builds
 * change-capture readers on the family's table, across processes with {@link Builder#changeCaptureLeases}.
 *
 * <p>A table whose name is {@code null} leaves its port out, so the builder keeps that port's embedded
 * default (or takes one the application sets itself). The ports are built once, by {@link Builder#build()},
 * and the same instances are set by every {@link #configure} call. The caller owns the clients; nothing
 * here creates tables (see {@link DynamoDbTables#createIfMissing}). Immutable and thread-safe.
 */
public final class DynamoDbEngines implements NexusEngines {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DynamoDbEngines.class);

    private final @Nullable DynamoDbEventStore eventStore;
    private final @Nullable DynamoDbLogIndexer indexer;
    private final @Nullable DynamoDbSnapshotStore snapshotStore;
    private final @Nullable DynamoDbCheckpointStore checkpoints;
    private final @Nullable DynamoDbDeadLetterQueue deadLetters;
    private final @Nullable DynamoDbScheduler timers;
    private final @Nullable DynamoDbAuditLog auditLog;
    private final @Nullable DynamoDbReadModelStores readModels;
    private final @Nullable DynamoDbLeaseStore leaseStore;
    private final String description;
    private final DynamoDbClient client;
    private final @Nullable DynamoDbStreamsClient streams;
    private final @Nullable String eventsTable;
    private final @Nullable DynamoDbShardLeases leases;

    private DynamoDbEngines(Builder b) {
        DynamoDbTables.Names t = Objects.requireNonNull(b.tables, "tables"); // build() has checked it
        String events = t.events();
        this.client = b.client;
        this.streams = b.streams;
        this.eventsTable = events;
        this.leases = b.leases;
        this.eventStore = events == null ? null : eventStore(b, events);
        this.indexer = t.events() == null || b.streams == null ? null
                : DynamoDbLogIndexer.builder(b.client, b.streams).tableName(t.events()).clock(b.clock)
                .retryPolicy(b.retryPolicy).pollInterval(b.indexPollInterval).build();
        if (eventStore != null && indexer != null) {
            eventStore.indexedBy(indexer);
        }
        if (t.events() != null && b.streams == null) {
            log.warn("DynamoDbEngines on table '{}' has no Streams client: appends are stored, but the global log "
                    + "(readAll: projections, routers, sagas) is not indexed in this process. Pass streams(...) "
                    + "unless another process runs the indexer.", t.events());
        }
        this.snapshotStore = t.snapshots() == null ? null
                : DynamoDbSnapshotStore.builder(b.client).tableName(t.snapshots()).retryPolicy(b.retryPolicy).build();
        this.checkpoints = t.checkpoints() == null ? null : new DynamoDbCheckpointStore(b.client, t.checkpoints(), b.clock);
        this.deadLetters = t.deadLetters() == null ? null
                : DynamoDbDeadLetterQueue.builder(b.client).tableName(t.deadLetters()).retryPolicy(b.retryPolicy).build();
        this.timers = t.timers() == null ? null
                : DynamoDbScheduler.builder(b.client).tableName(t.timers()).retryPolicy(b.retryPolicy).build();
        this.auditLog = t.audit() == null ? null
                : DynamoDbAuditLog.builder(b.client).tableName(t.audit()).clock(b.clock).retryPolicy(b.retryPolicy).build();
        this.readModels = t.readModels() == null ? null
                : DynamoDbReadModelStores.builder(b.client).tableName(t.readModels()).objectMapper(b.mapper)
                .retryPolicy(b.retryPolicy).build();
        String leaseTable = b.leaseTable != null ? b.leaseTable : t.checkpoints();
        this.leaseStore = leaseTable == null ? null
                : DynamoDbLeaseStore.builder(b.client, leaseTable).clock(b.clock).retryPolicy(b.retryPolicy).build();
        this.description = "DynamoDbEngines" + t + (b.leaseTable == null ? "" : "[leases=" + b.leaseTable + "]");
    }

    private static DynamoDbEventStore eventStore(Builder b, String table) {
        DynamoDbEventStore.Builder store = DynamoDbEventStore.builder(b.client).tableName(table)
                .retryPolicy(b.retryPolicy).clock(b.clock);
        if (b.streams != null) {
            store.streamsClient(b.streams);
        }
        return store.build();
    }

    /** A builder on the caller's client; {@link Builder#tables} is required. */
    public static Builder builder(DynamoDbClient client) {
        return new Builder(client);
    }

    /** Sets every port whose table is named; the others are left to the builder. */
    @Override
    public void configure(Nexus.Builder builder) {
        Objects.requireNonNull(builder, "builder");
        if (eventStore != null) {
            builder.eventStore(eventStore);
        }
        if (indexer != null) {
            builder.component(indexer);
        }
        if (snapshotStore != null) {
            builder.snapshotStore(snapshotStore);
        }
        if (checkpoints != null) {
            builder.checkpointStore(checkpoints);
        }
        if (deadLetters != null) {
            builder.deadLetterQueue(deadLetters);
        }
        if (timers != null) {
            builder.timers(timers);
        }
        if (auditLog != null) {
            builder.auditLog(auditLog);
        }
        if (readModels != null) {
            builder.readModels(readModels);
        }
        if (leaseStore != null) {
            builder.leaseStore(leaseStore);
        }
    }

    /** The indexer registered as a component, if this family has a Streams client and an events table. */
    public java.util.Optional<DynamoDbLogIndexer> logIndexer() {
        return java.util.Optional.ofNullable(indexer);
    }

    /**
     * A change-capture reader of the events table's Stream, wired to this family: its clients and table, and
     * either the {@linkplain Builder#changeCaptureLeases shard leases} (the reader then runs across processes, its
     * checkpoints in its leases) or the checkpoints table. Add the listener (and any option) and build it.
     *
     * @param readerName the name its checkpoints or leases are kept under; the same in every process of one reader
     * @throws IllegalStateException if the family has no Streams client or no events table
     */
    public DynamoDbChangeCapture.Builder changeCapture(String readerName) {
        if (streams == null || eventsTable == null) {
            throw new IllegalStateException("DynamoDbEngines " + description + " cannot build change capture '" + readerName
                    + "': it needs a Streams client and an events table; pass streams(...) and name the events table");
        }
        DynamoDbChangeCapture.Builder builder = DynamoDbChangeCapture.builder(client, streams).tableName(eventsTable)
                .readerName(readerName);
        if (leases != null) {
            builder.leases(leases);
        } else if (checkpoints != null) {
            builder.checkpoints(checkpoints);
        }
        return builder;
    }

    /** The event store this family sets, or null without an events table. */
    @Nullable DynamoDbEventStore eventStore() {
        return eventStore;
    }

    /** The family and its table names, as the builder names it in its messages. */
    @Override
    public String toString() {
        return description;
    }

    /** Options for {@link DynamoDbEngines}; setters validate as they go, {@link #build()} reports every gap at once. */
    public static final class Builder {
        private final DynamoDbClient client;
        private @Nullable DynamoDbStreamsClient streams;
        private DynamoDbTables.@Nullable Names tables;
        private Clock clock = Clock.systemUTC();
        private ObjectMapper mapper = JacksonEventSerializer.defaultMapper();
        private RetryPolicy retryPolicy = RetryPolicy.custom().maxAttempts(8).initialDelay(Duration.ofMillis(50))
                .maxDelay(Duration.ofSeconds(5)).build();
        private Duration indexPollInterval = Duration.ofMillis(50);
        private @Nullable DynamoDbShardLeases leases;
        private @Nullable String leaseTable;

        private Builder(DynamoDbClient client) {
            this.client = Objects.requireNonNull(client, "client");
        }

        /**
         * The Streams client: the event store can {@code subscribe}, and the log indexer component is
         * registered. Without one neither happens.
         */
        public Builder streams(DynamoDbStreamsClient value) {
            this.streams = Objects.requireNonNull(value, "streams");
            return this;
        }

        /** The tables; a {@code null} name leaves that port out. Required. */
        public Builder tables(DynamoDbTables.Names value) {
            this.tables = Objects.requireNonNull(value, "tables");
            return this;
        }

        /**
         * The clock of event timestamps, checkpoint times, audit arrival stamps and lease expiries (default system
         * UTC); pass the application's clock when it is not the system's. Every process sharing the leases must run
         * on clocks that agree to well within a lease's duration ({@link DynamoDbLeaseStore}).
         */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** How read-model values become JSON (default: the event serializer's mapper). */
        public Builder objectMapper(ObjectMapper value) {
            this.mapper = Objects.requireNonNull(value, "objectMapper");
            return this;
        }

        /** Retry of throttled and failed requests, for every port (default 8 attempts, 50 ms .. 5 s). */
        public Builder retryPolicy(RetryPolicy value) {
            this.retryPolicy = Objects.requireNonNull(value, "retryPolicy");
            return this;
        }

        /** How often the log indexer polls the Stream when idle (default 50 ms). */
        public Builder indexPollInterval(Duration value) {
            Objects.requireNonNull(value, "indexPollInterval");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("indexPollInterval must be positive, but was " + value);
            }
            this.indexPollInterval = value;
            return this;
        }

        /**
         * Runs the readers of {@link DynamoDbEngines#changeCapture} across processes, their shards leased in
         * {@code value}'s table (normally the checkpoints table); see {@link DynamoDbShardLeases}. Without it each
         * reader reads every shard in its own process, one process per reader name.
         */
        public Builder changeCaptureLeases(DynamoDbShardLeases value) {
            this.leases = Objects.requireNonNull(value, "changeCaptureLeases");
            return this;
        }

        /**
         * The table of the {@link DynamoDbLeaseStore}'s items ({@code pk} S, {@code sk} S, as
         * {@link DynamoDbTables#checkpointsTable} creates); default the checkpoints table, and without either the
         * family sets no lease store (the builder keeps its in-process default).
         *
         * @throws IllegalArgumentException if {@code value} is blank
         */
        public Builder leaseTable(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("leaseTable must not be blank, but was '" + value + "'");
            }
            this.leaseTable = value;
            return this;
        }

        /** @throws IllegalStateException if no tables were given, or every table name is null (and no lease table) */
        public DynamoDbEngines build() {
            List<String> problems = new ArrayList<>();
            if (tables == null) {
                problems.add("tables is required; call tables(DynamoDbTables.Names.withPrefix(...))");
            } else if (tables.events() == null && tables.snapshots() == null && tables.checkpoints() == null
                    && tables.deadLetters() == null && tables.timers() == null && tables.audit() == null
                    && tables.readModels() == null && leaseTable == null) {
                problems.add("tables names no table at all, so no port would be set; name at least one");
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException("DynamoDbEngines cannot be built: " + String.join("; ", problems));
            }
            return new DynamoDbEngines(this);
        }
    }
}
