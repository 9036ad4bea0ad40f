package io.nexus.dynamodb;

import io.nexus.core.NexusException;
import io.nexus.core.checkpoint.ShardCheckpoint;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.lifecycle.NexusComponent;
import io.nexus.core.lifecycle.NexusContext;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.dynamodb.internal.AwsCalls;
import io.nexus.dynamodb.internal.EventItems;
import io.nexus.dynamodb.internal.ItemSizes;
import io.nexus.dynamodb.internal.LogIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.UUID;

import static io.nexus.dynamodb.internal.PortItems.attribute;
import org.jspecify.annotations.Nullable;

/**
 * Builds the global log of a DynamoDB events table from its DynamoDB Stream: it reads the event items
 * appended, gives them the next positions in the order it reads them, and writes those positions to an
 * index in the same table, which {@link DynamoDbEventStore#readAll} and {@code headPosition} read. Appends
 * never touch the index, so the write path has no item that every append writes (the design of
 * Equinox's DynamoStore indexer, on one index instead of epochs per partition).
 *
 * <p>Ordering. Each stream's events get positions in version order (a shard is read only after its
 * parent, and one stream's items are in one shard at a time). Events of different streams get positions
 * in the order the Stream shows them: within one shard that is commit order; across shards it is the
 * order the indexer reads them in, which may differ from commit order by up to the indexer's lag. Once
 * written, a position never changes and is never reused: positions are gapless and only grow.
 *
 * <p>Exactly once. Each shard read becomes one {@code TransactWriteItems}: the new index chunks (each
 * created only if absent) and the index tail, which holds the last position, the Stream checkpoints after
 * those records and the indexer's lease, on the condition that the tail still shows this indexer's lease
 * and the position it read. A crash before the transaction leaves nothing behind; after it, the
 * checkpoints it stored say where to resume, so nothing is indexed twice or skipped.
 *
 * <p>Several processes. Every process may run an indexer; one holds the lease (an owner and an end time
 * on the tail, renewed with every write and at a third of {@link Builder#leaseDuration} when idle) and
 * indexes; the others check the tail every third of the lease and take over when it has run out. A
 * stalled holder whose lease another took loses its next write on the condition, so clocks that disagree
 * can delay indexing but never corrupt the index. {@link #close()} releases the lease, so a standby takes over at
 * its next check rather than after the lease runs out.
 *
 * <p>Lag. The index follows the Stream at {@link Builder#pollInterval} when idle (default 50 ms) and every
 * {@link Builder#batchInterval} while events trickle in (default 200 ms, so that each transaction carries a
 * batch), plus the Stream's own delay (usually well under a second). A reader of {@code readAll} sees a committed event
 * once it is indexed; an indexer down for longer than the Stream's 24 h retention loses events, which is
 * logged as an error (see docs/dynamodb.md for recovery).
 *
 * <p>Subscriptions. The {@link DynamoDbEventStore} of the same {@link DynamoDbEngines} reads no Stream of its own
 * once this indexer is started: each read this indexer indexes is handed to the store's subscriptions right after
 * its transaction, so a process reads each shard once (see {@link DynamoDbEventStore#subscribe}).
 *
 * <p>Thread-safe: {@link #catchUp()} is serialized; {@link #start} and {@link #close} may be called from
 * any thread. The caller owns the clients.
 */
public final class DynamoDbLogIndexer implements NexusComponent {

    private static final Logger log = LoggerFactory.getLogger(DynamoDbLogIndexer.class);
    private static final long FINISHED_SHARD_KEPT_MILLIS = Duration.ofHours(25).toMillis();

    private final DynamoDbClient client;
    private final DynamoDbStreamsClient streams;
    private final String table;
    private final String name;
    private final String owner;
    private final Duration pollInterval;
    private final Duration batchInterval;
    private final Duration leaseDuration;
    private final AwsCalls calls;
    private final RetryPolicy failureBackoff = RetryPolicy.custom().maxAttempts(Integer.MAX_VALUE)
            .initialDelay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(10)).build();
    private volatile Clock clock;

    // Guarded by this.
    private @Nullable DynamoDbChangeCapture capture;
    private boolean holding;
    private long position;
    private long leaseUntil;
    private long nextStandbyCheck;
    private final Map<String, String> checkpoints = new HashMap<>();
    private int readsThisPass;
    private boolean fullRead;

    private volatile @Nullable Thread worker;
    private volatile boolean running;
    /** The event store's subscriptions, fed each read once indexed (see {@link #onIndexed}). */
    private volatile java.util.function.@Nullable Consumer<List<EventEnvelope>> indexedListener;

    private DynamoDbLogIndexer(Builder b) {
        this.client = b.client;
        this.streams = b.streams;
        this.table = Objects.requireNonNull(b.tableName, "tableName"); // build() has checked it
        this.name = b.name;
        this.owner = b.owner;
        this.pollInterval = b.pollInterval;
        this.batchInterval = b.batchInterval;
        this.leaseDuration = b.leaseDuration;
        this.clock = b.clock;
        this.calls = new AwsCalls(b.retryPolicy, DynamoDbAccessException::new);
    }

    /** A builder on the caller's clients; {@link Builder#tableName} is required. */
    public static Builder builder(DynamoDbClient client, DynamoDbStreamsClient streamsClient) {
        return new Builder(client, streamsClient);
    }

    /** {@inheritDoc} The component name given to the builder (default "dynamodb-log-indexer"). */
    @Override
    public String name() {
        return name;
    }

    /** The events table indexed. */
    public String tableName() {
        return table;
    }

    /**
     * Starts indexing on a daemon thread (or standing by while another process holds the lease). The
     * context's clock times the lease.
     *
     * @throws IllegalStateException if already started
     */
    @Override
    public void start(NexusContext context) {
        Objects.requireNonNull(context, "context");
        this.clock = context.clock();
        start();
    }

    /**
     * Starts indexing on a daemon thread, timing the lease with the builder's clock.
     *
     * @throws IllegalStateException if already started
     */
    public synchronized void start() {
        if (worker != null) {
            throw new IllegalStateException("log indexer '" + name + "' of table '" + table + "' was already started");
        }
        running = true;
        Thread thread = new Thread(this::run, "nexus-dynamodb-indexer-" + table);
        thread.setDaemon(true);
        worker = thread;
        thread.start();
    }

    /**
     * Stops indexing, waits (bounded) for the thread to end and releases the lease if this indexer holds it, so
     * that a standby in another process takes over at its next check (a third of the lease duration) instead of
     * after the lease runs out. The release stores the Stream checkpoints with it and is conditioned on the
     * lease and position, so it never undoes another indexer's work. Harmless twice.
     */
    @Override
    public void close() {
        running = false;
        Thread thread = worker;
        if (thread != null && thread != Thread.currentThread()) {
            thread.interrupt();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        releaseLease();
    }

    private synchronized void releaseLease() {
        if (holding) {
            long now = clock.millis();
            Map<String, AttributeValue> values = new HashMap<>();
            values.put(":me", EventItems.s(owner));
            values.put(":pos", EventItems.n(position));
            values.put(":zero", EventItems.n(0));
            values.put(":cp", AttributeValue.fromM(encodedCheckpoints(now)));
            try {
                calls.call("release the log indexer lease of table '" + table + "'",
                        () -> client.updateItem(b -> b.tableName(table).key(EventItems.key(LogIndex.TAIL_PK, 0))
                                .updateExpression("SET #lu = :zero, #cp = :cp")
                                .conditionExpression("#own = :me AND #pos = :pos")
                                .expressionAttributeNames(Map.of("#lu", LogIndex.LEASE_UNTIL, "#cp", LogIndex.CHECKPOINTS,
                                        "#own", LogIndex.OWNER, "#pos", LogIndex.POSITION))
                                .expressionAttributeValues(values)));
                log.info("Log indexer '{}' of table '{}' released its lease at position {}", owner, table, position);
            } catch (DynamoDbAccessException e) {
                if (!(e.getCause() instanceof ConditionalCheckFailedException)) {
                    log.warn("Log indexer '{}' of table '{}' could not release its lease; another process takes over"
                            + " when it runs out", owner, table, e);
                }
            }
        }
        dropCaptureHeld();
        notifyAll();
    }

    /**
     * Indexes everything the Stream shows now, in the calling thread, if this indexer holds or can take the
     * lease: reads every readable shard until a pass finds no new record.
     *
     * @return the number of events indexed; 0 also when another indexer holds the lease
     * @throws NexusException if DynamoDB or its Stream cannot be read or written (nothing is indexed past
     *                        what was stored); a lost lease is not an error, it returns what was indexed
     */
    public synchronized int catchUp() {
        if (!holdLease()) {
            return 0;
        }
        int indexed = 0;
        try {
            while (true) {
                readsThisPass = 0;
                indexed += reader().pollOnce();
                if (readsThisPass == 0) {
                    return indexed;
                }
            }
        } catch (LeaseLostException e) {
            return indexed;
        }
    }

    /** The change-capture reader, which holding the lease has built. */
    private DynamoDbChangeCapture reader() {
        return Objects.requireNonNull(capture, "the reader of an indexer that holds the lease");
    }

    /** One pass over the readable shards, if this indexer holds or can take the lease. */
    private synchronized int indexOnePass() {
        fullRead = false;
        if (!holdLease()) {
            return 0;
        }
        try {
            return reader().pollOnce();
        } catch (LeaseLostException e) {
            return 0;
        }
    }

    /**
     * Hands each indexed read, its events carrying their new positions in position order, to {@code listener} right
     * after the index transaction, in the indexing thread: the event store's subscriptions are fed from this reader
     * instead of reading the Stream again. The listener must be quick and must not throw.
     */
    void onIndexed(java.util.function.Consumer<List<EventEnvelope>> listener) {
        this.indexedListener = Objects.requireNonNull(listener, "listener");
    }

    /** Whether {@link #start} was called (also once closed): the event store then follows this indexer, not the Stream. */
    boolean started() {
        return worker != null;
    }

    /** Whether this indexer holds the lease now, as of its last write or read of the tail. */
    public synchronized boolean holdsLease() {
        return holding && clock.millis() < leaseUntil;
    }

    private void run() {
        RetryPolicy.Backoff backoff = failureBackoff.backoff(ThreadLocalRandom.current());
        while (running) {
            try {
                int indexed = indexOnePass();
                backoff.succeeded();
                if (indexed == 0) {
                    Thread.sleep(pollInterval.toMillis());
                } else if (!fullRead) {
                    // While events trickle in, gather a batch interval's worth per transaction: the index tail is
                    // written once per transaction, so this bounds its writes (and the index's cost) per shard.
                    Thread.sleep(batchInterval.toMillis());
                }
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                if (!running) {
                    break;
                }
                Duration delay = backoff.failed();
                log.warn("Log indexer of table '{}' failed (attempt {}); retrying", table, backoff.failures(), e);
                dropCapture();
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException ie) {
                    break;
                }
            }
        }
    }

    private synchronized void dropCapture() {
        if (capture != null) {
            capture.close();
            capture = null;
        }
        holding = false;
    }

    // ------------------------------------------------------------------------------------------ lease

    /** Holds, renews or takes the lease; {@code false} while another indexer holds it. */
    private boolean holdLease() {
        long now = clock.millis();
        if (holding && now < leaseUntil - leaseDuration.toMillis() * 2 / 3) {
            return true;
        }
        if (!holding && now < nextStandbyCheck) {
            return false;
        }
        long until = now + leaseDuration.toMillis();
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":me", EventItems.s(owner));
        values.put(":until", EventItems.n(until));
        values.put(":zero", EventItems.n(0));
        Map<String, String> names = Map.of("#own", LogIndex.OWNER, "#lu", LogIndex.LEASE_UNTIL,
                "#pos", LogIndex.POSITION, "#cp", LogIndex.CHECKPOINTS);
        String update = "SET #own = :me, #lu = :until, #pos = if_not_exists(#pos, :zero)";
        String condition;
        if (holding) {
            values.put(":pos", EventItems.n(position));
            values.put(":cp", AttributeValue.fromM(encodedCheckpoints(now)));
            update += ", #cp = :cp";
            condition = "#own = :me AND #pos = :pos";
        } else {
            values.put(":now", EventItems.n(now));
            values.put(":empty", AttributeValue.fromM(Map.of()));
            update += ", #cp = if_not_exists(#cp, :empty)";
            condition = "attribute_not_exists(pk) OR #own = :me OR #lu < :now";
        }
        String expression = update;
        try {
            Map<String, AttributeValue> tail = calls.call("take the log indexer lease of table '" + table + "'",
                    () -> client.updateItem(b -> b.tableName(table).key(EventItems.key(LogIndex.TAIL_PK, 0))
                            .updateExpression(expression).conditionExpression(condition)
                            .expressionAttributeNames(names).expressionAttributeValues(values)
                            .returnValues(ReturnValue.ALL_NEW))).attributes();
            leaseUntil = until;
            if (!holding) {
                adopt(tail);
                log.info("Log indexer '{}' of table '{}' took the lease at position {}", owner, table, position);
            }
            return true;
        } catch (DynamoDbAccessException e) {
            if (e.getCause() instanceof ConditionalCheckFailedException) {
                if (holding) {
                    log.info("Log indexer '{}' of table '{}' lost its lease to another process", owner, table);
                }
                dropCaptureHeld();
                nextStandbyCheck = now + leaseDuration.toMillis() / 3;
                return false;
            }
            throw e;
        }
    }

    private void adopt(Map<String, AttributeValue> tail) {
        dropCaptureHeld();
        position = Long.parseLong(attribute(tail, LogIndex.POSITION).n());
        checkpoints.clear();
        AttributeValue cp = tail.get(LogIndex.CHECKPOINTS);
        if (cp != null && cp.hasM()) {
            cp.m().forEach((shard, value) -> checkpoints.put(shard, value.s()));
        }
        capture = DynamoDbChangeCapture.builder(client, streams).tableName(table).readerName(name + "-" + owner)
                .shardRefreshInterval(Duration.ofSeconds(10))
                .sink(new DynamoDbChangeCapture.Positions() {
                    @Override
                    public @Nullable ShardCheckpoint load(String reader, String shardId) {
                        return decode(shardId, checkpoints.get(shardId));
                    }

                    @Override
                    public void save(String reader, ShardCheckpoint checkpoint) {
                        checkpoints.put(checkpoint.shardId(), encode(checkpoint, clock.millis()));
                    }
                }, this::index)
                .build();
        holding = true;
    }

    private void dropCaptureHeld() {
        if (capture != null) {
            capture.close();
            capture = null;
        }
        holding = false;
    }

    // ------------------------------------------------------------------------------------------ index

    /** The change capture's sink: one shard read becomes chunks and a new tail, in one transaction. */
    private void index(String shardId, List<EventEnvelope> events, ShardCheckpoint after) {
        readsThisPass++;
        fullRead |= events.size() >= LogIndex.MAX_CHUNK_EVENTS / 4;
        if (events.isEmpty()) {
            // Heads, guards and the index's own items: remembered, and stored with the next write or renewal.
            checkpoints.put(shardId, encode(after, 0));
            notifyAll();
            return;
        }
        long now = clock.millis();
        long until = now + leaseDuration.toMillis();
        Map<String, String> next = new HashMap<>(checkpoints);
        next.put(shardId, encode(after, 0));
        List<TransactWriteItem> writes = new ArrayList<>();
        long first = position + 1;
        for (List<LogIndex.Span> chunk : chunks(events)) {
            writes.add(TransactWriteItem.builder().put(Put.builder().tableName(table)
                    .item(LogIndex.chunkItem(first, chunk)).conditionExpression("attribute_not_exists(pk)").build()).build());
            first += chunk.stream().mapToInt(LogIndex.Span::count).sum();
        }
        long last = first - 1;
        Map<String, AttributeValue> encoded = new HashMap<>();
        pruned(next, now).forEach((k, v) -> encoded.put(k, EventItems.s(v)));
        writes.add(TransactWriteItem.builder().update(Update.builder().tableName(table)
                .key(EventItems.key(LogIndex.TAIL_PK, 0))
                .updateExpression("SET #pos = :last, #cp = :cp, #lu = :until")
                .conditionExpression("#own = :me AND #pos = :pos")
                .expressionAttributeNames(Map.of("#pos", LogIndex.POSITION, "#cp", LogIndex.CHECKPOINTS,
                        "#lu", LogIndex.LEASE_UNTIL, "#own", LogIndex.OWNER))
                .expressionAttributeValues(Map.of(":last", EventItems.n(last), ":cp", AttributeValue.fromM(encoded),
                        ":until", EventItems.n(until), ":me", EventItems.s(owner), ":pos", EventItems.n(position)))
                .build()).build());
        String token = UUID.randomUUID().toString();
        try {
            calls.call("index positions " + (position + 1) + ".." + last + " of table '" + table + "'",
                    () -> client.transactWriteItems(b -> b.transactItems(writes).clientRequestToken(token)));
        } catch (TransactionCanceledException e) {
            log.info("Log indexer '{}' of table '{}' lost its lease before indexing position {}; standing by",
                    owner, table, position + 1);
            holding = false;
            nextStandbyCheck = now + leaseDuration.toMillis() / 3;
            throw new LeaseLostException();
        }
        long firstPosition = position + 1;
        position = last;
        leaseUntil = until;
        checkpoints.clear();
        checkpoints.putAll(next);
        notifyAll();
        java.util.function.Consumer<List<EventEnvelope>> listener = indexedListener;
        if (listener != null) {
            List<EventEnvelope> positioned = new ArrayList<>(events.size());
            for (int i = 0; i < events.size(); i++) {
                EventEnvelope e = events.get(i);
                positioned.add(new EventEnvelope(e.eventId(), e.streamId(), e.aggregateType(), e.version(),
                        firstPosition + i, e.eventType(), e.schemaVersion(), e.timestamp(), e.correlationId(),
                        e.causationId(), e.metadata(), e.payload()));
            }
            try {
                listener.accept(List.copyOf(positioned));
            } catch (RuntimeException e) {
                log.warn("Log indexer of table '{}': handing positions {}..{} to the subscriptions failed; they read"
                        + " them from the log", table, firstPosition, last, e);
            }
        }
    }

    /** The events as spans, cut into chunks of at most the chunk limits. */
    private static List<List<LogIndex.Span>> chunks(List<EventEnvelope> events) {
        List<List<LogIndex.Span>> out = new ArrayList<>();
        List<LogIndex.Span> current = new ArrayList<>();
        int count = 0;
        int bytes = 0;
        LogIndex.Span open = null;
        for (EventEnvelope e : events) {
            boolean extends_ = open != null && open.streamId().equals(e.streamId())
                    && open.fromVersion() + open.count() == e.version();
            int spanBytes = ItemSizes.utf8(e.streamId()) + 24;
            if (count == LogIndex.MAX_CHUNK_EVENTS || (!extends_ && bytes + spanBytes > LogIndex.MAX_CHUNK_BYTES)) {
                if (open != null) {
                    current.add(open);
                }
                out.add(current);
                current = new ArrayList<>();
                count = 0;
                bytes = 0;
                open = null;
                extends_ = false;
            }
            if (extends_ && open != null) {
                open = new LogIndex.Span(open.streamId(), open.fromVersion(), open.count() + 1);
            } else {
                if (open != null) {
                    current.add(open);
                }
                open = new LogIndex.Span(e.streamId(), e.version(), 1);
                bytes += spanBytes;
            }
            count++;
        }
        if (open != null) {
            current.add(open);
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    private Map<String, AttributeValue> encodedCheckpoints(long now) {
        Map<String, AttributeValue> out = new HashMap<>();
        pruned(checkpoints, now).forEach((k, v) -> out.put(k, EventItems.s(v)));
        return out;
    }

    /** Drops shards finished longer ago than the Stream keeps them: they are no longer listed. */
    private static Map<String, String> pruned(Map<String, String> all, long now) {
        Map<String, String> out = new HashMap<>();
        all.forEach((shard, value) -> {
            int bar = value.indexOf('|');
            long finishedAt = bar < 0 ? 0 : Long.parseLong(value.substring(bar + 1));
            if (bar < 0 || finishedAt == 0 || now - finishedAt < FINISHED_SHARD_KEPT_MILLIS) {
                out.put(shard, value);
            }
        });
        return out;
    }

    private static String encode(ShardCheckpoint checkpoint, long finishedAt) {
        String sequence = checkpoint.sequenceNumber() == null ? "" : checkpoint.sequenceNumber();
        return checkpoint.finished() ? sequence + "|" + Math.max(1, finishedAt) : sequence;
    }

    private static @Nullable ShardCheckpoint decode(String shardId, @Nullable String value) {
        if (value == null) {
            return null;
        }
        int bar = value.indexOf('|');
        String sequence = bar < 0 ? value : value.substring(0, bar);
        return new ShardCheckpoint(shardId, sequence.isEmpty() ? null : sequence, bar >= 0);
    }

    /** Thrown through the change capture when the tail's condition shows another indexer took over. */
    private static final class LeaseLostException extends RuntimeException {
        LeaseLostException() {
            super(null, null, false, false);
        }
    }

    @Override
    public String toString() {
        return "DynamoDbLogIndexer[" + table + ", " + owner + "]";
    }

    /** Options for {@link DynamoDbLogIndexer}; setters validate as they go. */
    public static final class Builder {
        private final DynamoDbClient client;
        private final DynamoDbStreamsClient streams;
        private @Nullable String tableName;
        private String name = "dynamodb-log-indexer";
        private String owner = UUID.randomUUID().toString();
        private Duration pollInterval = Duration.ofMillis(50);
        private Duration batchInterval = Duration.ofMillis(200);
        private Duration leaseDuration = Duration.ofSeconds(10);
        private Clock clock = Clock.systemUTC();
        private RetryPolicy retryPolicy = RetryPolicy.custom().maxAttempts(8).initialDelay(Duration.ofMillis(50))
                .maxDelay(Duration.ofSeconds(5)).build();

        private Builder(DynamoDbClient client, DynamoDbStreamsClient streams) {
            this.client = Objects.requireNonNull(client, "client");
            this.streams = Objects.requireNonNull(streams, "streamsClient");
        }

        /** The events table whose Stream is indexed (Streams on, view type NEW_IMAGE). Required. */
        public Builder tableName(String value) {
            this.tableName = requireText(value, "tableName");
            return this;
        }

        /** The component name (default "dynamodb-log-indexer"); give each indexer of one application its own. */
        public Builder name(String value) {
            this.name = requireText(value, "name");
            return this;
        }

        /** This process's name in the lease (default a random UUID); unique per running indexer. */
        public Builder owner(String value) {
            this.owner = requireText(value, "owner");
            return this;
        }

        /** The wait between polls of the Stream when nothing arrived (default 50 ms). */
        public Builder pollInterval(Duration value) {
            this.pollInterval = positive(value, "pollInterval");
            return this;
        }

        /**
         * The wait after a pass that indexed events but read no full page (default 200 ms): events arriving
         * meanwhile share the next transaction, so the index tail takes at most about one write per shard per
         * batch interval while events trickle in. A backlog is read without waiting.
         */
        public Builder batchInterval(Duration value) {
            this.batchInterval = positive(value, "batchInterval");
            return this;
        }

        /**
         * How long the lease lasts without renewal (default 10 s): how soon another process takes over from
         * one that died, and how long the clocks of the processes may disagree without a pause in indexing.
         */
        public Builder leaseDuration(Duration value) {
            this.leaseDuration = positive(value, "leaseDuration");
            if (value.toMillis() < 300) {
                throw new IllegalArgumentException("leaseDuration must be at least 300 ms, but was " + value);
            }
            return this;
        }

        /** The clock of the lease (default system UTC; a {@link NexusContext}'s clock replaces it on start). */
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
        public DynamoDbLogIndexer build() {
            if (tableName == null) {
                throw new IllegalStateException("DynamoDbLogIndexer needs tableName before build()");
            }
            return new DynamoDbLogIndexer(this);
        }

        private static String requireText(String value, String name) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(name + " must not be blank, but was '" + value + "'");
            }
            return value;
        }

        private static Duration positive(Duration value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, but was " + value);
            }
            return value;
        }
    }
}
