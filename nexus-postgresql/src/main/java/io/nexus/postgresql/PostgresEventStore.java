package io.nexus.postgresql;

import io.micrometer.observation.ObservationRegistry;
import io.nexus.core.NexusException;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.store.AppendListener;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.ConcurrencyConflictException;
import io.nexus.core.store.DuplicateEventIdException;
import io.nexus.core.store.EventStore;
import io.nexus.core.store.EventStoreUnavailableException;
import io.nexus.core.store.EventTooLargeException;
import io.nexus.core.store.ExpectedVersionAheadException;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.store.StreamQuery;
import io.nexus.core.store.StreamRead;
import io.nexus.core.store.StreamTypeMismatchException;
import io.nexus.core.store.Subscription;
import io.nexus.postgresql.internal.Jdbc;
import org.postgresql.PGConnection;
import org.postgresql.PGResultSetMetaData;
import org.postgresql.copy.CopyIn;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event store on PostgreSQL: streams, the global log and change capture in one table.
 *
 * <p>Implementation notes.
 * <ul>
 *   <li>An append is one transaction and one round trip: a call of the schema's {@code append_events} function
 *       in autocommit mode reads the stream's head, checks the expectation and the aggregate type, claims global
 *       positions and inserts every event in one statement. The unique key {@code (stream_id, version)} decides races: the loser's
 *       insert fails and becomes a {@link ConcurrencyConflictException}; {@code (stream_id, event_id)}
 *       catches re-sent batches, which are then answered from the stored originals.</li>
 *   <li>Concurrent appends of fewer than {@link #MAX_GROUP_EVENTS} events are committed in groups: one call of
 *       {@code append_group} checks every head, claims positions once and inserts every row, and the group
 *       shares one round trip and one flush of the log.</li>
 *   <li>A batch of {@link #DEFAULT_COPY_THRESHOLD} events or more committed alone (no other append running, or
 *       too large to group) goes another way, in one transaction of three round trips: {@code claim_append} does the head check and the position claim of {@code append_events},
 *       the rows follow by binary {@code COPY} (no text to format or parse, the server's multi-row insert),
 *       then the commit. Same constraints, same answers.</li>
 *   <li>The global log has no gap a reader could skip. Positions come from a sequence, claimed together
 *       with the transaction id under an advisory lock that is released at once (the {@code claim_positions}
 *       function), so position order follows transaction-id order. Each row keeps its transaction id, and
 *       {@link #readAll} hands out rows only below the oldest transaction still running
 *       ({@code pg_snapshot_xmin(pg_current_snapshot())}): every transaction that could still commit a
 *       position holds a higher transaction id, hence a higher position than anything handed out. Commits
 *       are not serialized, so concurrent writers share fsyncs (group commit).</li>
 *   <li>Rows committed but not yet below that horizon are held back; a read that meets one waits up to the
 *       visibility timeout for the older transactions to end, so that a reader sees its own appends.</li>
 *   <li>Subscriptions: a change feed follows the log with the same reads and tells listeners; it is woken by
 *       appends of this instance, by {@code LISTEN/NOTIFY} from other processes, and by a poll as fallback.
 *       The {@code NOTIFY} is part of the append's own statement and transaction (a group's, for a group
 *       commit): PostgreSQL delivers it when that transaction commits and never for one that rolls back.</li>
 *   <li>A reader paging through the log in order has its next page read on a background thread while it
 *       handles the current one ({@link ReadAhead}: a full page read earlier is exactly what a read now returns).</li>
 * </ul>
 *
 * <p>Thread-safe. The caller owns the {@link DataSource}; {@link #close()} stops the feed's and the read-ahead's
 * threads only.
 */
public final class PostgresEventStore implements EventStore, AutoCloseable {

    /** The default largest event accepted, in bytes as {@link NewEvent#approximateSize()} counts them. */
    public static final int DEFAULT_MAX_EVENT_SIZE = InMemoryEventStore.DEFAULT_MAX_EVENT_SIZE;

    /** The column of {@code rangeAndFindSql} after the event's {@link #COLUMNS}: the looked-up version. */
    private static final Logger log = LoggerFactory.getLogger(PostgresEventStore.class);
    /** SQLState of a call to a function the schema does not have. */
    private static final String UNDEFINED_FUNCTION = "42883";
    private static final int FOUND_COLUMN = 13;
    private static final String COLUMNS = "position, stream_id, version, aggregate_type, event_id, event_type, "
            + "schema_version, recorded_at, correlation_id, causation_id, metadata, payload";
    private static final int MAX_ANY_ATTEMPTS = 1_000;
    /**
     * The smallest batch whose rows go by binary COPY (three round trips: claim, rows, commit) rather than as
     * arrays to one {@code append_events} call (one round trip): from here on, the cheaper rows outweigh the
     * two round trips more.
     */
    static final int DEFAULT_COPY_THRESHOLD = 8;
    /** The most appends committed in one group. */
    private static final int MAX_GROUP = 64;
    /**
     * The most events in one group, and the size from which an append is never grouped: such a batch goes alone
     * (by {@code COPY}), where its rows, not its commit, are its cost.
     */
    static final int MAX_GROUP_EVENTS = 1_000;
    /** The most payload bytes in one group, and the size from which an append is never grouped. */
    static final long MAX_GROUP_BYTES = 4L << 20;
    /** How many groups may be committed at once (each on its own server process, so on its own core). */
    private static final int MAX_LEADERS = 2;
    private static final RetryPolicy ANY_RACES = RetryPolicy.attempts(MAX_ANY_ATTEMPTS);
    /** 2000-01-01T00:00Z, the zero of PostgreSQL's binary timestamps, in seconds since 1970. */
    private static final long POSTGRES_EPOCH_SECOND = 946_684_800L;

    private final DataSource dataSource;
    private final ObservationRegistry observations;
    private final String schema;
    private final Clock clock;
    private final int maxEventSize;
    private final Duration visibilityTimeout;
    private final ChangeFeed feed;
    private final ReadAhead readAhead;
    private final @Nullable Consumer<String> beforeCommit;

    private final String headSql;
    private final String appendSql;
    private final String claimSql;
    private final String appendGroupSql;
    private final boolean groupCommit;
    private final Object groupMonitor = new Object();
    private final java.util.ArrayDeque<GroupedAppend> waiting = new java.util.ArrayDeque<>();
    private int leaders;
    private final java.util.concurrent.atomic.LongAdder groupedAppends = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.AtomicInteger largestGroupedAppend = new java.util.concurrent.atomic.AtomicInteger();
    /**
     * Set once a group found no append_group in the schema (dropped by hand: the build checks versions only):
     * appends are then committed one by one.
     */
    private final AtomicBoolean groupFunctionMissing = new AtomicBoolean();
    private final String copySql;
    private final int copyThreshold;
    private final String findIdsSql;
    private final String rangeSql;
    private final String rangeAndFindSql;
    private final String readAllSql;
    private final String feedSql;
    private final String lastPositionSql;
    private final String lastSafePositionSql;
    private final String horizonPastSql;
    private final String versionOfSql;

    private PostgresEventStore(Builder b) {
        this.dataSource = b.dataSource;
        this.observations = b.observations == null ? ObservationRegistry.NOOP : b.observations;
        // build() has set the defaults
        this.schema = Objects.requireNonNull(b.schema, "schema");
        this.clock = Objects.requireNonNull(b.clock, "clock");
        this.maxEventSize = b.maxEventSize;
        this.visibilityTimeout = Objects.requireNonNull(b.visibilityTimeout, "visibilityTimeout");
        this.beforeCommit = b.beforeCommit;
        this.copyThreshold = b.copyThreshold;
        // The test hook runs per append and transaction; appends under it are never grouped.
        this.groupCommit = b.groupCommit && b.beforeCommit == null;
        String t = schema + ".events";
        String horizon = "(SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) h";
        headSql = "SELECT version, aggregate_type FROM " + t + " WHERE stream_id = ? ORDER BY version DESC LIMIT 1";
        // The NOTIFY rides in the append's own statement and transaction: PostgreSQL delivers it at the commit and
        // drops it on a rollback, and no second transaction per append is needed. The channel is a literal: the
        // schema name is an identifier of lower-case letters, digits and '_' (checked by the builder).
        String notify = b.notifications ? ", CASE WHEN outcome = 'ok' THEN pg_notify('" + channel(schema) + "', '') END" : "";
        appendSql = "SELECT outcome, head_version, head_type, first_position, recorded_at" + notify + " FROM " + schema
                + ".append_events(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        claimSql = "SELECT outcome, head_version, head_type, first_position, recorded_at, tx_id::text" + notify + " FROM "
                + schema + ".claim_append(?, ?, ?, ?, ?)";
        appendGroupSql = "SELECT outcome, head_version, head_type, first_position, recorded_at" + notify
                + " FROM " + schema + ".append_group(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        copySql = "COPY " + t + " (" + CopyRows.COLUMNS + ") FROM STDIN (FORMAT binary)";
        findIdsSql = "SELECT event_id, version FROM " + t + " WHERE stream_id = ? AND event_id = ANY(?)";
        rangeSql = "SELECT " + COLUMNS + " FROM " + t + " WHERE stream_id = ? AND version BETWEEN ? AND ? "
                + "AND recorded_at <= ? ORDER BY version LIMIT ?";
        // The lookup is an uncorrelated scalar subquery: the server runs it once per statement, in the statement's snapshot.
        rangeAndFindSql = "SELECT " + prefixed("e.", COLUMNS) + ", (SELECT f.version FROM " + t
                + " f WHERE f.stream_id = ? AND f.event_id = ?) AS found_version FROM " + t
                + " e WHERE e.stream_id = ? AND e.version BETWEEN ? AND ? AND e.recorded_at <= ? ORDER BY e.version LIMIT ?";
        // The transaction id as text only where it is needed: the feed groups rows by it, a plain read needs only
        // the first held-back row's.
        readAllSql = "SELECT e.tx_id < h.xmin, CASE WHEN e.tx_id < h.xmin THEN NULL ELSE e.tx_id::text END, "
                + prefixed("e.", COLUMNS) + " FROM " + horizon + ", " + t + " e WHERE e.position >= ? ORDER BY e.position LIMIT ?";
        feedSql = "SELECT e.tx_id < h.xmin, e.tx_id::text, " + prefixed("e.", COLUMNS) + " FROM " + horizon + ", " + t
                + " e WHERE e.position >= ? ORDER BY e.position LIMIT ?";
        lastPositionSql = "SELECT e.tx_id < h.xmin, e.tx_id::text, e.position FROM " + horizon + ", " + t
                + " e ORDER BY e.position DESC LIMIT 1";
        lastSafePositionSql = "SELECT e.position FROM " + horizon + ", " + t
                + " e WHERE e.tx_id < h.xmin ORDER BY e.position DESC LIMIT 1";
        horizonPastSql = "SELECT pg_snapshot_xmin(pg_current_snapshot()) > ?::text::xid8";
        versionOfSql = "SELECT version FROM " + t + " WHERE stream_id = ? AND event_id = ?";
        this.feed = new ChangeFeed(this, dataSource, channel(schema), Objects.requireNonNull(b.pollInterval, "pollInterval"),
                b.probeEvery, b.probeTimeout);
        this.readAhead = new ReadAhead(this::readAllNow, "nexus-postgres-read-ahead-" + schema);
    }

    /**
     * A builder over {@code dataSource}: any pool of connections to the database (the caller owns it).
     *
     * @throws NullPointerException if {@code dataSource} is null
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /** The schema this store's tables live in. */
    public String schema() {
        return schema;
    }

    @Override
    public AppendResult append(String streamId, String aggregateType, ExpectedVersion expected, List<NewEvent> events) {
        return Jdbc.observed(observations, "append", () -> appendDirectly(streamId, aggregateType, expected, events));
    }

    private AppendResult appendDirectly(String streamId, String aggregateType, ExpectedVersion expected, List<NewEvent> events) {
        requireText(streamId, "streamId");
        requireText(aggregateType, "aggregateType");
        Objects.requireNonNull(expected, "expected");
        validate(streamId, events);
        // Batches of up to a few hundred events are grouped too: concurrent writers then share round trips and
        // flushes. A group of one goes alone, by COPY from copyThreshold events on; so does a very large batch.
        long bytes = CopyRows.payloadBytes(events);
        AppendResult result = groupCommit && events.size() < MAX_GROUP_EVENTS && bytes < MAX_GROUP_BYTES
                && !groupFunctionMissing.get()
                ? appendInGroup(new GroupedAppend(streamId, aggregateType, expected, events, bytes))
                : appendAlone(streamId, aggregateType, expected, events);
        if (!result.duplicate()) {
            feed.wake();
        }
        return result;
    }

    /** One append in its own transaction; an any() append that loses a race runs again at the new end. */
    private AppendResult appendAlone(String streamId, String aggregateType, ExpectedVersion expected, List<NewEvent> events) {
        AppendResult result;
        try {
            // Only any() runs again: another writer took the version it read; any() means "wherever the end is".
            result = ANY_RACES.execute(() -> {
                Outcome outcome = tryAppend(streamId, aggregateType, expected, events);
                if (outcome.result == null) {
                    throw new LostRace();
                }
                return outcome.result;
            }, e -> e instanceof LostRace);
        } catch (LostRace e) {
            throw conflict(streamId, expected, currentVersion(streamId));
        } catch (SQLException e) {
            throw unavailable("append to stream '" + streamId + "'", e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            // tryAppend throws only SQLException, and ANY_RACES never waits, so nothing can interrupt it.
            throw new IllegalStateException("Unexpected checked exception from the append to stream '" + streamId + "'", e);
        }
        return result;
    }

    /**
     * Group commit: the append waits while {@link #MAX_LEADERS} other callers commit groups; a caller that finds
     * fewer running commits the appends waiting then (its own among them), of distinct streams and within the
     * limits of {@link #takeGroup}, in one transaction, until its own is done. An append waiting alone runs alone, as before.
     */
    private AppendResult appendInGroup(GroupedAppend append) {
        boolean interrupted = false;
        boolean lead = false;
        synchronized (groupMonitor) {
            waiting.add(append);
        }
        // Each waiter is woken on its own (no notifyAll): when its append is done, or when it is the oldest
        // waiting and a leader left.
        while (true) {
            synchronized (groupMonitor) {
                if (append.done) {
                    break;
                }
                if (leaders < MAX_LEADERS) {
                    leaders++;
                    lead = true;
                    break;
                }
            }
            LockSupport.park(this);
            // Another caller may be committing this append: it cannot be withdrawn, only awaited.
            interrupted |= Thread.interrupted();
        }
        if (lead) {
            try {
                while (!append.done) {
                    List<GroupedAppend> group;
                    synchronized (groupMonitor) {
                        group = takeGroup();
                    }
                    commitGroup(group);
                }
            } finally {
                GroupedAppend next;
                synchronized (groupMonitor) {
                    leaders--;
                    next = waiting.peekFirst();
                }
                if (next != null) {
                    LockSupport.unpark(next.thread);
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        synchronized (groupMonitor) {
            if (append.failure != null) {
                throw append.failure;
            }
            // a grouped append ends with its result or its failure
            return Objects.requireNonNull(append.result, "the result of a grouped append that did not fail");
        }
    }

    /**
     * Monitor held. The oldest waiting appends, at most one per stream, {@link #MAX_GROUP} appends,
     * {@link #MAX_GROUP_EVENTS} events and {@link #MAX_GROUP_BYTES} payload bytes (the others wait for the next
     * group; the oldest always joins).
     */
    private List<GroupedAppend> takeGroup() {
        List<GroupedAppend> group = new ArrayList<>();
        Set<String> streams = new HashSet<>();
        int events = 0;
        long bytes = 0;
        for (java.util.Iterator<GroupedAppend> it = waiting.iterator(); it.hasNext() && group.size() < MAX_GROUP; ) {
            GroupedAppend next = it.next();
            boolean fits = group.isEmpty()
                    || (events + next.events.size() <= MAX_GROUP_EVENTS && bytes + next.bytes <= MAX_GROUP_BYTES);
            if (fits && streams.add(next.streamId)) {
                group.add(next);
                events += next.events.size();
                bytes += next.bytes;
                it.remove();
            }
        }
        return group;
    }

    /** Commits {@code group}: together when it holds several, else alone; every append ends done. */
    private void commitGroup(List<GroupedAppend> group) {
        List<GroupedAppend> alone = group;
        try {
            if (group.size() > 1) {
                alone = tryGroup(group);
                if (alone.size() < group.size()) {
                    groupedAppends.add(group.size() - alone.size());
                }
            }
            for (GroupedAppend append : alone) {
                try {
                    append.result = appendAlone(append.streamId, append.aggregateType, append.expected, append.events);
                } catch (RuntimeException e) {
                    append.failure = e;
                }
            }
        } catch (RuntimeException | Error e) {
            for (GroupedAppend append : group) {
                if (append.result == null && append.failure == null) {
                    append.failure = e instanceof RuntimeException r ? r
                            : new IllegalStateException("the group commit of stream '" + append.streamId + "' failed", e);
                }
            }
            throw e;
        } finally {
            synchronized (groupMonitor) {
                for (GroupedAppend append : group) {
                    append.done = true;
                }
            }
            for (GroupedAppend append : group) {
                LockSupport.unpark(append.thread);
            }
        }
    }

    /**
     * The appends of {@code group} in one transaction and one round trip: {@code append_group} checks every head,
     * claims positions for those that pass and inserts their rows; the commit is the statement's own. Returns the
     * appends that must run alone: those whose head check failed (alone they get their exact answer: conflict,
     * re-send or type), or all of them when the statement failed (a race with another writer, a re-sent id, a lost
     * connection; alone, each is decided and reported as it would have been without the group).
     */
    private List<GroupedAppend> tryGroup(List<GroupedAppend> group) {
        int n = group.size();
        String[] streams = new String[n];
        String[] types = new String[n];
        Long[] expected = new Long[n];
        Integer[] counts = new Integer[n];
        int events = 0;
        for (int i = 0; i < n; i++) {
            GroupedAppend append = group.get(i);
            streams[i] = append.streamId;
            types[i] = append.aggregateType;
            expected[i] = append.expected instanceof ExpectedVersion.Exact exact ? exact.version() : -1L;
            counts[i] = append.events.size();
            events += append.events.size();
        }
        Integer[] owners = new Integer[events];
        EventArrays rows = new EventArrays(events);
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (NewEvent event : group.get(i).events) {
                owners[k++] = i + 1;
                rows.add(event);
            }
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(appendGroupSql)) {
            statement.setArray(1, connection.createArrayOf("text", streams));
            statement.setArray(2, connection.createArrayOf("text", types));
            statement.setArray(3, connection.createArrayOf("int8", expected));
            statement.setArray(4, connection.createArrayOf("int4", counts));
            statement.setObject(5, Jdbc.timestamp(Jdbc.toMicros(clock.instant())));
            statement.setArray(6, connection.createArrayOf("int4", owners));
            rows.bind(connection, statement, 7);
            AppendResult[] results = new AppendResult[n];
            List<GroupedAppend> alone = new ArrayList<>();
            // autocommit: once the rows are read, the group is committed
            try (ResultSet rs = statement.executeQuery()) {
                for (int i = 0; i < n; i++) {
                    rs.next();
                    GroupedAppend append = group.get(i);
                    if (!"ok".equals(rs.getString(1))) {
                        alone.add(append);
                        continue;
                    }
                    long head = rs.getLong(2);
                    long firstPosition = rs.getLong(4);
                    Instant recordedAt = rs.getObject(5, OffsetDateTime.class).toInstant();
                    List<EventEnvelope> stored = new ArrayList<>(append.events.size());
                    for (int e = 0; e < append.events.size(); e++) {
                        stored.add(EventEnvelope.stored(append.events.get(e), append.streamId,
                                append.aggregateType, head + 1 + e, firstPosition + e, recordedAt));
                    }
                    results[i] = new AppendResult(append.streamId, head + append.events.size(), stored, false);
                }
            }
            for (int i = 0; i < n; i++) {
                if (results[i] != null) {
                    group.get(i).result = results[i];
                    largestGroupedAppend.accumulateAndGet(group.get(i).events.size(), Math::max);
                }
            }
            return alone;
        } catch (SQLException e) {
            if (UNDEFINED_FUNCTION.equals(e.getSQLState()) && groupFunctionMissing.compareAndSet(false, true)) {
                log.error("Schema '{}' has no function append_group, although it records migration 11, which creates "
                        + "it: appends are committed one by one from now on. Create it again by running the statements "
                        + "of script 11 of PostgresSchema.scripts(\"{}\") as a user that may run DDL, then restart.",
                        schema, schema);
            }
            return group;
        }
    }

    /** How many appends were committed in a group with others (for tests). */
    long groupedAppends() {
        return groupedAppends.sum();
    }

    /** The most events of one append committed in a group with others (for tests). */
    int largestGroupedAppend() {
        return largestGroupedAppend.get();
    }

    /** An append waiting for, or in, a group commit; its outcome is published under the group monitor. */
    private static final class GroupedAppend {
        final String streamId;
        final String aggregateType;
        final ExpectedVersion expected;
        final List<NewEvent> events;
        final long bytes;
        final Thread thread = Thread.currentThread();
        @Nullable AppendResult result;
        @Nullable RuntimeException failure;
        boolean done;

        GroupedAppend(String streamId, String aggregateType, ExpectedVersion expected, List<NewEvent> events, long bytes) {
            this.streamId = streamId;
            this.aggregateType = aggregateType;
            this.expected = expected;
            this.events = events;
            this.bytes = bytes;
        }
    }

    /** An any() append lost the race for the version it read; {@link #ANY_RACES} runs it again. */
    private static final class LostRace extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LostRace() {
            super(null, null, false, false);
        }
    }

    /**
     * One attempt: the result, or no result when an any() append lost a race and should run again. The append is
     * one call of {@code append_events} in autocommit mode: one round trip, commit included.
     */
    private Outcome tryAppend(String streamId, String aggregateType, ExpectedVersion expected, List<NewEvent> events)
            throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            Consumer<String> hookAction = beforeCommit;
            boolean hook = hookAction != null;
            boolean copy = events.size() >= copyThreshold && connection.isWrapperFor(PGConnection.class);
            boolean transaction = hook || copy;
            connection.setAutoCommit(!transaction);
            try {
                Instant now = Jdbc.toMicros(clock.instant());
                String outcome;
                long head;
                String headType;
                long firstPosition = 0;
                @Nullable Instant recordedAt = null;
                long txId = 0;
                try (PreparedStatement statement = connection.prepareStatement(copy ? claimSql : appendSql)) {
                    if (copy) {
                        bindClaim(statement, streamId, aggregateType, expected, now, events.size());
                    } else {
                        bindAppend(connection, statement, streamId, aggregateType, expected, now, events);
                    }
                    try (ResultSet rs = statement.executeQuery()) {
                        rs.next();
                        outcome = rs.getString(1);
                        head = rs.getLong(2);
                        headType = rs.getString(3);
                        if ("ok".equals(outcome)) {
                            firstPosition = rs.getLong(4);
                            recordedAt = rs.getObject(5, OffsetDateTime.class).toInstant();
                            if (copy) {
                                txId = Long.parseUnsignedLong(rs.getString(6));
                            }
                        }
                    }
                }
                if (copy && "ok".equals(outcome)) {
                    copyRows(connection, CopyRows.of(events, streamId, aggregateType, head, firstPosition, txId,
                            postgresMicros(Objects.requireNonNull(recordedAt, "recorded_at of an accepted append"))));
                }
                if (transaction) {
                    if (hookAction != null) {
                        hookAction.accept(streamId);
                    }
                    connection.commit();
                }
                if ("type".equals(outcome)) {
                    throw new StreamTypeMismatchException(streamId, aggregateType, headType);
                }
                if ("conflict".equals(outcome)) {
                    AppendResult replay = idempotentReplay(connection, streamId, expected, events);
                    if (replay != null) {
                        return new Outcome(replay);
                    }
                    throw conflict(streamId, expected, head);
                }
                List<EventEnvelope> stored = new ArrayList<>(events.size());
                for (int i = 0; i < events.size(); i++) {
                    stored.add(EventEnvelope.stored(events.get(i), streamId, aggregateType, head + 1 + i,
                            firstPosition + i, Objects.requireNonNull(recordedAt, "recorded_at of an accepted append")));
                }
                return new Outcome(new AppendResult(streamId, head + events.size(), stored, false));
            } catch (SQLException e) {
                if (transaction) {
                    Jdbc.rollbackQuietly(connection, e);
                }
                String constraint = violatedConstraint(e);
                if ("events_stream_event_id_key".equals(constraint)) {
                    AppendResult replay = idempotentReplay(connection, streamId, expected, events);
                    if (replay != null) {
                        return new Outcome(replay);
                    }
                    throw new IllegalStateException("stream '" + streamId + "' rejected an event id as stored, but "
                            + "none of the batch's ids is there", e);
                }
                if ("events_stream_version_key".equals(constraint)) {
                    if (expected == ExpectedVersion.any()) {
                        return new Outcome(null);
                    }
                    AppendResult replay = idempotentReplay(connection, streamId, expected, events);
                    if (replay != null) {
                        return new Outcome(replay);
                    }
                    Head now = head(connection, streamId);
                    if (now != null && !now.aggregateType.equals(aggregateType)) {
                        throw new StreamTypeMismatchException(streamId, aggregateType, now.aggregateType);
                    }
                    throw conflict(streamId, expected, now == null ? 0 : now.version);
                }
                throw e;
            } catch (RuntimeException | Error e) {
                if (transaction) {
                    Jdbc.rollbackQuietly(connection, e);
                }
                throw e;
            } finally {
                Jdbc.restoreAutoCommit(connection);
            }
        }
    }

    /** A stream past the expectation is a conflict (transient); one behind it was never read by the caller (permanent). */
    private static NexusException conflict(String streamId, ExpectedVersion expected, long actual) {
        if (expected.isAheadOf(actual)) {
            return new ExpectedVersionAheadException(streamId, expected, actual);
        }
        return new ConcurrencyConflictException(streamId, expected, actual);
    }

    private @Nullable Head head(Connection connection, String streamId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(headSql)) {
            statement.setString(1, streamId);
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new Head(rs.getLong(1), rs.getString(2));
            }
        }
    }

    private static void bindClaim(PreparedStatement statement, String streamId, String aggregateType,
                                  ExpectedVersion expected, Instant now, int count) throws SQLException {
        statement.setString(1, streamId);
        statement.setString(2, aggregateType);
        statement.setLong(3, expected instanceof ExpectedVersion.Exact exact ? exact.version() : -1);
        statement.setObject(4, Jdbc.timestamp(now));
        statement.setInt(5, count);
    }

    /** Sends the rows by binary COPY on the append's transaction; a unique violation surfaces at its end. */
    private void copyRows(Connection connection, CopyRows rows) throws SQLException {
        CopyIn in = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql);
        try {
            in.writeToCopy(rows.buffer(), 0, rows.length());
            in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    /** An instant as PostgreSQL's binary timestamp: microseconds since 2000-01-01 UTC. */
    private static long postgresMicros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond() - POSTGRES_EPOCH_SECOND, 1_000_000L),
                instant.getNano() / 1_000L);
    }

    private static void bindAppend(Connection connection, PreparedStatement statement, String streamId,
                                   String aggregateType, ExpectedVersion expected, Instant now, List<NewEvent> events)
            throws SQLException {
        EventArrays rows = new EventArrays(events.size());
        for (NewEvent event : events) {
            rows.add(event);
        }
        statement.setString(1, streamId);
        statement.setString(2, aggregateType);
        statement.setLong(3, expected instanceof ExpectedVersion.Exact exact ? exact.version() : -1);
        statement.setObject(4, Jdbc.timestamp(now));
        rows.bind(connection, statement, 5);
    }

    /** The columns of events that {@code append_events} and {@code append_group} take as arrays, one element per event. */
    private static final class EventArrays {
        private final UUID[] ids;
        private final String[] types;
        private final Integer[] schemaVersions;
        private final @Nullable String[] correlations;
        private final @Nullable String[] causations;
        private final @Nullable String[] metadata;
        private final byte[][] payloads;
        private int size;

        EventArrays(int capacity) {
            ids = new UUID[capacity];
            types = new String[capacity];
            schemaVersions = new Integer[capacity];
            correlations = new String[capacity];
            causations = new String[capacity];
            metadata = new String[capacity];
            payloads = new byte[capacity][];
        }

        void add(NewEvent event) {
            ids[size] = event.eventId();
            types[size] = event.eventType();
            schemaVersions[size] = event.schemaVersion();
            correlations[size] = event.correlationId();
            causations[size] = event.causationId();
            metadata[size] = EventColumns.metadataJson(event.metadata());
            payloads[size] = event.payload().unsafeBytes();
            size++;
        }

        /** Binds the seven arrays to the parameters from {@code first} on, in the functions' order. */
        void bind(Connection connection, PreparedStatement statement, int first) throws SQLException {
            statement.setArray(first, connection.createArrayOf("uuid", ids));
            statement.setArray(first + 1, connection.createArrayOf("text", types));
            statement.setArray(first + 2, connection.createArrayOf("int4", schemaVersions));
            statement.setArray(first + 3, connection.createArrayOf("text", correlations));
            statement.setArray(first + 4, connection.createArrayOf("text", causations));
            statement.setArray(first + 5, connection.createArrayOf("text", metadata));
            statement.setArray(first + 6, connection.createArrayOf("bytea", payloads));
        }
    }

    /**
     * The stored originals when {@code batch} repeats an earlier append at the position {@code expected} names
     * (anywhere for any()); null when none of its ids is stored.
     *
     * @throws DuplicateEventIdException when some id is stored, but not as this batch at that position
     */
    private @Nullable AppendResult idempotentReplay(Connection connection, String streamId, ExpectedVersion expected,
                                          List<NewEvent> batch) throws SQLException {
        Map<UUID, Long> stored = new HashMap<>();
        UUID[] ids = batch.stream().map(NewEvent::eventId).toArray(UUID[]::new);
        try (PreparedStatement statement = connection.prepareStatement(findIdsSql)) {
            statement.setString(1, streamId);
            statement.setArray(2, connection.createArrayOf("uuid", ids));
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    stored.put(rs.getObject(1, UUID.class), rs.getLong(2));
                }
            }
        }
        if (!connection.getAutoCommit()) {
            connection.commit();
        }
        if (stored.isEmpty()) {
            return null;
        }
        Long first = stored.get(ids[0]);
        if (first == null) {
            for (UUID id : ids) {
                if (stored.containsKey(id)) {
                    throw new DuplicateEventIdException(streamId, id, "is already stored at version " + stored.get(id));
                }
            }
            throw new IllegalStateException("stream '" + streamId + "' holds event ids " + stored.keySet()
                    + " that the batch does not have");
        }
        boolean samePosition = expected instanceof ExpectedVersion.Exact exact ? exact.version() == first - 1
                : expected == ExpectedVersion.any();
        boolean sameRun = true;
        for (int i = 0; sameRun && i < ids.length; i++) {
            Long version = stored.get(ids[i]);
            sameRun = version != null && version == first + i;
        }
        if (!samePosition || !sameRun) {
            throw new DuplicateEventIdException(streamId, ids[0],
                    "is already stored at version " + first + ", not where this append expects it");
        }
        List<EventEnvelope> originals = read(connection,
                StreamQuery.stream(streamId).fromVersion(first).toVersion(first + ids.length - 1));
        return new AppendResult(streamId, first + ids.length - 1, originals, true);
    }

    @Override
    public List<EventEnvelope> read(StreamQuery query) {
        return Jdbc.observed(observations, "read-stream", () -> readDirectly(query));
    }

    private List<EventEnvelope> readDirectly(StreamQuery query) {
        Objects.requireNonNull(query, "query");
        try (Connection connection = dataSource.getConnection()) {
            return read(connection, query);
        } catch (SQLException e) {
            throw unavailable("read stream '" + query.streamId() + "'", e);
        }
    }

    private List<EventEnvelope> read(Connection connection, StreamQuery query) throws SQLException {
        if (query.maxCount() == 0) {
            return List.of();
        }
        try (PreparedStatement statement = connection.prepareStatement(rangeSql)) {
            statement.setString(1, query.streamId());
            statement.setLong(2, query.fromVersion());
            statement.setLong(3, query.toVersion());
            statement.setObject(4, query.asOf() == null ? OffsetDateTime.MAX : Jdbc.timestamp(query.asOf()));
            statement.setInt(5, query.maxCount());
            try (ResultSet rs = statement.executeQuery()) {
                List<EventEnvelope> events = new ArrayList<>();
                boolean binaryTime = binary(rs, 8);
                while (rs.next()) {
                    events.add(envelope(rs, 1, binaryTime));
                }
                return Collections.unmodifiableList(events);
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>One statement: the range read with the lookup as a scalar subquery (from the {@code (stream_id, event_id)}
     * index), both from the statement's snapshot. Only a read that returns no rows although it does not start at
     * version 1 (a load after a snapshot with no event past it, a read up to a version or an instant) looks the id
     * up in a second statement, after it.
     */
    @Override
    public StreamRead readAndFind(StreamQuery query, UUID eventId) {
        return Jdbc.observed(observations, "read-stream-and-find", () -> readAndFindDirectly(query, eventId));
    }

    private StreamRead readAndFindDirectly(StreamQuery query, UUID eventId) {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(eventId, "eventId");
        if (query.maxCount() == 0) {
            return new StreamRead(List.of(), versionOfDirectly(query.streamId(), eventId));
        }
        List<EventEnvelope> events = new ArrayList<>();
        OptionalLong found = OptionalLong.empty();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(rangeAndFindSql)) {
            statement.setString(1, query.streamId());
            statement.setObject(2, eventId);
            statement.setString(3, query.streamId());
            statement.setLong(4, query.fromVersion());
            statement.setLong(5, query.toVersion());
            statement.setObject(6, query.asOf() == null ? OffsetDateTime.MAX : Jdbc.timestamp(query.asOf()));
            statement.setInt(7, query.maxCount());
            try (ResultSet rs = statement.executeQuery()) {
                boolean binaryTime = binary(rs, 8);
                while (rs.next()) {
                    if (events.isEmpty()) {
                        long version = rs.getLong(FOUND_COLUMN);
                        found = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(version);
                    }
                    events.add(envelope(rs, 1, binaryTime));
                }
            }
        } catch (SQLException e) {
            throw unavailable("read stream '" + query.streamId() + "'", e);
        }
        // Without rows the statement returned no lookup. A read that would have returned version 1 found no stream,
        // so there is nothing to find; any other empty read says nothing about the stream, so ask after it.
        boolean readsFromTheStart = query.fromVersion() <= 1 && query.toVersion() >= 1 && query.asOf() == null;
        if (events.isEmpty() && !readsFromTheStart) {
            found = versionOfDirectly(query.streamId(), eventId);
        }
        return new StreamRead(events, found);
    }

    @Override
    public long currentVersion(String streamId) {
        return Jdbc.observed(observations, "current-version", () -> currentVersionDirectly(streamId));
    }

    private long currentVersionDirectly(String streamId) {
        try (Connection connection = dataSource.getConnection()) {
            Head head = head(connection, streamId);
            return head == null ? 0 : head.version;
        } catch (SQLException e) {
            throw unavailable("read the version of stream '" + streamId + "'", e);
        }
    }

    /**
     * The version at which stream {@code streamId} holds event {@code eventId}, from the unique index on
     * {@code (stream_id, event_id)}; empty when it holds none.
     *
     * @throws IllegalArgumentException if {@code streamId} is blank
     * @throws NullPointerException     if {@code eventId} is null
     */
    @Override
    public OptionalLong versionOf(String streamId, UUID eventId) {
        return Jdbc.observed(observations, "version-of", () -> versionOfDirectly(streamId, eventId));
    }

    private OptionalLong versionOfDirectly(String streamId, UUID eventId) {
        requireText(streamId, "streamId");
        Objects.requireNonNull(eventId, "eventId");
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(versionOfSql)) {
            statement.setString(1, streamId);
            statement.setObject(2, eventId);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        } catch (SQLException e) {
            throw unavailable("look up event '" + eventId + "' in stream '" + streamId + "'", e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Returns only events below the oldest transaction still running in the database. When committed events
     * right after the page are held back by such a transaction, waits for it up to the visibility timeout, then
     * returns what is safe.
     */
    @Override
    public List<EventEnvelope> readAll(long fromPosition, int maxCount) {
        return Jdbc.observed(observations, "read-all", () -> readAllDirectly(fromPosition, maxCount));
    }

    private List<EventEnvelope> readAllDirectly(long fromPosition, int maxCount) {
        if (fromPosition < 1) {
            throw new IllegalArgumentException("fromPosition must be >= 1, but was " + fromPosition);
        }
        if (maxCount < 0) {
            throw new IllegalArgumentException("maxCount must be >= 0, but was " + maxCount);
        }
        if (maxCount == 0) {
            return List.of();
        }
        List<EventEnvelope> ahead = readAhead.take(fromPosition, maxCount);
        List<EventEnvelope> events = ahead != null ? ahead : readAllNow(fromPosition, maxCount);
        readAhead.handedOut(fromPosition, maxCount, events, ahead != null);
        return events;
    }

    private List<EventEnvelope> readAllNow(long fromPosition, int maxCount) {
        try (Connection connection = dataSource.getConnection()) {
            Page page = readPage(connection, false, fromPosition, maxCount);
            if (page.heldBackBy != null && awaitHorizonPast(connection, page.heldBackBy)) {
                page = readPage(connection, false, fromPosition, maxCount);
            }
            return page.events;
        } catch (SQLException e) {
            throw unavailable("read the global log from position " + fromPosition, e);
        }
    }

    /** Rows from {@code from} in position order, cut at the first one a running transaction could still precede. */
    private Page readPage(Connection connection, boolean forFeed, long from, int maxCount) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(forFeed ? feedSql : readAllSql)) {
            statement.setLong(1, from);
            statement.setInt(2, maxCount);
            try (ResultSet rs = statement.executeQuery()) {
                List<EventEnvelope> events = new ArrayList<>();
                List<String> transactions = forFeed ? new ArrayList<>() : null;
                boolean binaryTime = binary(rs, 10);
                while (rs.next()) {
                    if (!rs.getBoolean(1)) {
                        return new Page(Collections.unmodifiableList(events), transactions, rs.getString(2));
                    }
                    if (transactions != null) {
                        transactions.add(rs.getString(2));
                    }
                    events.add(envelope(rs, 3, binaryTime));
                }
                return new Page(Collections.unmodifiableList(events), transactions, null);
            }
        }
    }

    /** Waits, boundedly, until every transaction older than {@code txId} has ended; whether it happened. */
    private boolean awaitHorizonPast(Connection connection, String txId) throws SQLException {
        long deadline = System.nanoTime() + visibilityTimeout.toNanos();
        long pause = TimeUnit.MICROSECONDS.toNanos(200);
        try (PreparedStatement statement = connection.prepareStatement(horizonPastSql)) {
            statement.setString(1, txId);
            while (true) {
                try (ResultSet rs = statement.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return true;
                    }
                }
                if (System.nanoTime() >= deadline) {
                    return false;
                }
                LockSupport.parkNanos(pause);
                pause = Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
    }

    @Override
    public long headPosition() {
        return Jdbc.observed(observations, "head-position", this::headPositionDirectly);
    }

    private long headPositionDirectly() {
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement statement = connection.prepareStatement(lastPositionSql);
                 ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    return 0;
                }
                if (rs.getBoolean(1) || awaitHorizonPast(connection, rs.getString(2))) {
                    return rs.getLong(3);
                }
            }
            try (PreparedStatement statement = connection.prepareStatement(lastSafePositionSql);
                 ResultSet rs = statement.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException e) {
            throw unavailable("read the head of the global log", e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Listeners are told on the store's feed thread, one call per committed append, in global-log order; an
     * append committed by another process reaches them too (woken by {@code LISTEN/NOTIFY}, or by the poll).
     */
    @Override
    public Subscription subscribe(AppendListener listener) {
        return feed.subscribe(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Stops the change feed and the read-ahead; later {@link #subscribe} calls fail. The data source stays open (the
     * caller owns it).
     */
    @Override
    public void close() {
        feed.close();
        readAhead.close();
    }

    /** How many {@link #readAll} pages were answered by a read ahead. */
    long pagesReadAhead() {
        return readAhead.served();
    }

    /** How many {@link #readAll} pages were read ahead, whether a reader took them or not. */
    long pagesReadAheadStarted() {
        return readAhead.started();
    }

    /** Reads the global log for the change feed: envelopes with the transaction each came from. */
    Page readForFeed(long fromPosition, int maxCount) {
        try (Connection connection = dataSource.getConnection()) {
            Page page = readPage(connection, true, fromPosition, maxCount);
            if (page.heldBackBy != null && awaitHorizonPast(connection, page.heldBackBy)) {
                page = readPage(connection, true, fromPosition, maxCount);
            }
            return page;
        } catch (SQLException e) {
            throw unavailable("read the global log from position " + fromPosition, e);
        }
    }

    /**
     * Whether column {@code column} of {@code rs} arrives in PostgreSQL's binary format, as the driver asks for
     * once a statement is prepared on the server (from its fifth run on a connection).
     */
    private static boolean binary(ResultSet rs, int column) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        return meta.isWrapperFor(PGResultSetMetaData.class) && meta.unwrap(PGResultSetMetaData.class).getFormat(column) == 1;
    }

    /**
     * A {@code timestamptz} column as an instant. In binary format it is microseconds since 2000-01-01 UTC, read
     * here directly: the driver's own conversion builds calendars and zone rules per result set and row.
     */
    private static Instant timestamptz(ResultSet rs, int column, boolean binary) throws SQLException {
        if (!binary) {
            return rs.getObject(column, OffsetDateTime.class).toInstant();
        }
        byte[] b = rs.getBytes(column);
        long micros = 0;
        for (int k = 0; k < 8; k++) {
            micros = micros << 8 | (b[k] & 0xFF);
        }
        return Instant.ofEpochSecond(POSTGRES_EPOCH_SECOND + Math.floorDiv(micros, 1_000_000L),
                Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    private static EventEnvelope envelope(ResultSet rs, int first, boolean binaryTime) throws SQLException {
        int i = first;
        long position = rs.getLong(i++);
        String streamId = rs.getString(i++);
        long version = rs.getLong(i++);
        String aggregateType = rs.getString(i++);
        UUID eventId = rs.getObject(i++, UUID.class);
        String eventType = rs.getString(i++);
        int schemaVersion = rs.getInt(i++);
        Instant recordedAt = timestamptz(rs, i++, binaryTime);
        String correlationId = rs.getString(i++);
        String causationId = rs.getString(i++);
        Map<String, String> metadata = EventColumns.metadata(rs.getString(i++));
        byte[] payload = rs.getBytes(i);
        return new EventEnvelope(eventId, streamId, aggregateType, version, position, eventType, schemaVersion,
                recordedAt, correlationId, causationId, metadata, EventPayload.of(payload, null));
    }

    private void validate(String streamId, List<NewEvent> events) {
        if (events == null || events.isEmpty()) {
            throw new IllegalArgumentException("events must hold at least one event for stream '" + streamId + "'");
        }
        Set<UUID> ids = new HashSet<>(events.size() * 2);
        for (NewEvent event : events) {
            if (event == null) {
                throw new IllegalArgumentException("events must not hold null, but the batch for stream '" + streamId
                        + "' does: " + events);
            }
            if (!ids.add(event.eventId())) {
                throw new DuplicateEventIdException(streamId, event.eventId(), "appears twice in one append");
            }
            int size = event.approximateSize();
            if (size > maxEventSize) {
                throw new EventTooLargeException(streamId, event.eventType(), size, maxEventSize);
            }
        }
    }

    private static @Nullable String violatedConstraint(SQLException e) {
        if (e instanceof PSQLException psql && "23505".equals(e.getSQLState())) {
            ServerErrorMessage message = psql.getServerErrorMessage();
            return message == null ? null : message.getConstraint();
        }
        return null;
    }

    private static EventStoreUnavailableException unavailable(String what, SQLException e) {
        return new EventStoreUnavailableException("PostgreSQL failed to " + what + " (SQLState " + e.getSQLState()
                + "): " + e.getMessage() + (Jdbc.isTransient(e) ? "; retry later" : "; check the database and the schema"),
                e, Jdbc.isTransient(e));
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank, but was '" + value + "'");
        }
    }

    private static String prefixed(String prefix, String columns) {
        StringBuilder out = new StringBuilder();
        for (String column : columns.split(", ")) {
            if (out.length() > 0) {
                out.append(", ");
            }
            out.append(prefix).append(column);
        }
        return out.toString();
    }

    static String channel(String schema) {
        return "nexus_events_" + schema;
    }

    private record Head(long version, String aggregateType) {
    }

    private record Outcome(@Nullable AppendResult result) {
    }

    /**
     * A page of the global log: the safe events, the transaction of each (null unless read for the feed), and
     * the transaction id of the first committed row held back after them (null when none was).
     */
    record Page(List<EventEnvelope> events, @Nullable List<String> transactions, @Nullable String heldBackBy) {

        /** The transaction id of each event: a page read for the feed has them. */
        List<String> feedTransactions() {
            return Objects.requireNonNull(transactions, "the transactions of a page read for the feed");
        }
    }

    /** Options for {@link PostgresEventStore}; each may be set once. */
    public static final class Builder {
        private final DataSource dataSource;
        private @Nullable String schema;
        private @Nullable Clock clock;
        private @Nullable Integer maxEventSizeSet;
        private int maxEventSize = DEFAULT_MAX_EVENT_SIZE;
        private @Nullable Duration pollInterval;
        private @Nullable Duration visibilityTimeout;
        private @Nullable Boolean notificationsSet;
        private boolean notifications = true;
        private @Nullable Boolean createSchemaSet;
        private boolean createSchema = true;
        private boolean schemaReady;
        private Duration probeEvery = ChangeFeed.PROBE_EVERY;
        private Duration probeTimeout = ChangeFeed.PROBE_TIMEOUT;
        private @Nullable Consumer<String> beforeCommit;
        private int copyThreshold = DEFAULT_COPY_THRESHOLD;
        private @Nullable Boolean groupCommitSet;
        private boolean groupCommit = true;
        private @Nullable ObservationRegistry observations;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** The schema of the tables; default {@value PostgresSchema#DEFAULT_SCHEMA}. Lower-case letters, digits, '_'. */
        public Builder schema(String value) {
            Settings.requireUnset("schema", schema);
            this.schema = Jdbc.requireSchemaName(value);
            return this;
        }

        /** The clock that timestamps events (kept to the microsecond); default the system clock. */
        public Builder clock(Clock value) {
            Settings.requireUnset("clock", clock);
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** The largest event accepted, in bytes; default {@value #DEFAULT_MAX_EVENT_SIZE}. */
        public Builder maxEventSize(int bytes) {
            Settings.requireUnset("maxEventSize", maxEventSizeSet);
            if (bytes < 1) {
                throw new IllegalArgumentException("maxEventSize must be >= 1, but was " + bytes);
            }
            this.maxEventSizeSet = bytes;
            this.maxEventSize = bytes;
            return this;
        }

        /**
         * How often the change feed reads the log when nothing woke it (a lost notification, an append by a
         * process with notifications off); default 1 second.
         */
        public Builder pollInterval(Duration value) {
            Settings.requireUnset("pollInterval", pollInterval);
            this.pollInterval = Settings.requirePositive("pollInterval", value);
            return this;
        }

        /**
         * How long a global-log read waits for older running transactions that hold back committed events;
         * default 1 second. After it, the read returns what is safe and the rest comes with a later read.
         */
        public Builder visibilityTimeout(Duration value) {
            Settings.requireUnset("visibilityTimeout", visibilityTimeout);
            if (value == null || value.isNegative()) {
                throw new IllegalArgumentException("visibilityTimeout must be >= 0, but was " + value);
            }
            this.visibilityTimeout = value;
            return this;
        }

        /** Whether appends wake other processes' feeds with {@code NOTIFY}; default true. */
        public Builder notifications(boolean value) {
            Settings.requireUnset("notifications", notificationsSet);
            this.notificationsSet = value;
            this.notifications = value;
            return this;
        }

        /**
         * Whether appends that arrive while another is being committed are committed together, in one transaction
         * (group commit: one commit and one flush of the log for many writers, each still answered for its own
         * append); default true. An append that finds no other running is committed alone, without waiting.
         */
        public Builder groupCommit(boolean value) {
            Settings.requireUnset("groupCommit", groupCommitSet);
            this.groupCommitSet = value;
            this.groupCommit = value;
            return this;
        }

        /** Whether {@link #build()} creates and migrates the schema ({@link PostgresSchema#migrate}); default true. */
        public Builder createSchema(boolean value) {
            Settings.requireUnset("createSchema", createSchemaSet);
            this.createSchemaSet = value;
            this.createSchema = value;
            return this;
        }

        /** How often the listening connection is checked, and how long the check waits; for tests. */
        Builder listenProbe(Duration every, Duration timeout) {
            this.probeEvery = every;
            this.probeTimeout = timeout;
            return this;
        }

        /** The engine family migrated or verified the schema already. */
        Builder schemaReady() {
            this.schemaReady = true;
            return this;
        }

        /**
         * Runs inside every append's transaction right before its commit, with the stream id; for tests that
         * hold a transaction open or commit appends out of order.
         */
        Builder beforeCommit(Consumer<String> hook) {
            this.beforeCommit = hook;
            return this;
        }

        /** The smallest batch sent by binary COPY instead of one {@code append_events} call; for tests of both paths. */
        Builder copyThreshold(int events) {
            this.copyThreshold = events;
            return this;
        }

        /**
         * Where each operation on the database is observed, as a {@code nexus.remote.call} (system {@code postgresql}:
         * {@code append}, {@code read-stream}, {@code read-all}, ...); default none ({@link ObservationRegistry#NOOP}).
         */
        public Builder observationRegistry(ObservationRegistry value) {
            Settings.requireUnset("observationRegistry", observations);
            this.observations = Objects.requireNonNull(value, "observationRegistry");
            return this;
        }

        /**
         * The store; migrates the schema first, or only {@link PostgresSchema#verify verifies} it when
         * {@link #createSchema(boolean)} was set to false.
         *
         * @throws PostgresSchemaVersionException if the schema, not to be migrated, lacks migrations
         * @throws PostgresAccessException        if the migration fails
         */
        public PostgresEventStore build() {
            if (schema == null) {
                schema = PostgresSchema.DEFAULT_SCHEMA;
            }
            if (clock == null) {
                clock = Clock.systemUTC();
            }
            if (pollInterval == null) {
                pollInterval = Duration.ofSeconds(1);
            }
            if (visibilityTimeout == null) {
                visibilityTimeout = Duration.ofSeconds(1);
            }
            if (!schemaReady) {
                PostgresSchema.prepare(dataSource, schema, createSchema);
            }
            return new PostgresEventStore(this);
        }
    }
}
