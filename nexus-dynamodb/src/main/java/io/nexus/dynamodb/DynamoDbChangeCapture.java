package io.nexus.dynamodb;

import io.nexus.core.NexusException;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.checkpoint.ShardCheckpoints;
import io.nexus.core.checkpoint.ShardLineage;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.store.AppendListener;
import io.nexus.dynamodb.internal.AwsCalls;
import io.nexus.dynamodb.internal.EventItems;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamResponse;
import software.amazon.awssdk.services.dynamodb.model.ExpiredIteratorException;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.TrimmedDataAccessException;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Change capture from the events table's DynamoDB Stream: every event item INSERTed becomes an
 * {@link EventEnvelope} handed to a listener, in version order per stream, at least once.
 *
 * <p>Implementation notes. One thread (or the caller of {@link #pollOnce()}) walks the Stream's shards.
 * A shard is read only after its parent is fully read (or has aged out of the Stream), so a stream's
 * events that moved to a child shard on a split never overtake those left in the parent. Within a shard,
 * records of one partition key — one event stream — are in write order (the parent-before-child rule is
 * core's {@link ShardLineage}, shared with the Kinesis bus). After the listener returns for a batch, the
 * batch's last sequence number is saved as a shard checkpoint in the {@link CheckpointStore} port, in
 * the one encoding of {@link ShardCheckpoints} (consumer = reader name, partition = shard id); a restart
 * resumes {@code AFTER_SEQUENCE_NUMBER} of it, so a crash between delivery and checkpoint redelivers that
 * batch (never loses it). A listener that throws gets the same batch again on the next poll. An expired
 * iterator is replaced from the last sequence number handled; data trimmed before it was read (older
 * than the Stream's 24 h retention) is logged as an error and reading continues at the oldest record:
 * a reader down for longer than that must rebuild from {@link DynamoDbEventStore#readAll}.
 *
 * <p>Without {@link Builder#leases} one reader per reader name runs at a time and reads every shard. With
 * leases, readers of one name run in several processes: each reads only the shards it holds a lease on,
 * checkpoints into the lease item on the condition that it still holds it, and a shard whose parent another
 * process holds waits until that lease item shows the parent finished ({@link DynamoDbShardLeases}). The one
 * shard-reading path serves listeners and the log indexer's sink alike.
 *
 * <p>Thread-safe: {@link #pollOnce()} is serialized; {@link #start()} and {@link #close()} may be called
 * from any thread. The caller owns the clients.
 */
public final class DynamoDbChangeCapture implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DynamoDbChangeCapture.class);

    private final DynamoDbClient client;
    private final DynamoDbStreamsClient streams;
    private final String table;
    private final String readerName;
    private final Positions checkpoints;
    private final @Nullable AppendListener listener;
    private final @Nullable RecordSink sink;
    private final boolean startAtLatest;
    private final Duration pollInterval;
    private final Duration shardRefreshInterval;
    private final int maxRecordsPerRead;
    private final @Nullable ShardLeaseCoordinator leases;
    private final AwsCalls calls;
    private final RetryPolicy failureBackoff = RetryPolicy.custom().maxAttempts(Integer.MAX_VALUE)
            .initialDelay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(10)).build();

    private final Map<String, ShardState> states = new HashMap<>();
    /** Empty until the first listing ({@link #listed}). */
    private volatile List<Shard> shards = List.of();
    private ShardLineage lineage = ShardLineage.of(List.of());
    private boolean listed;
    private boolean firstListing = true;
    private long nextRefreshNanos;
    private @Nullable String streamArn;
    private volatile @Nullable Thread worker;
    private volatile boolean running;

    /**
     * Where shard checkpoints go: core's {@link ShardCheckpoints}, a store given through the deprecated API,
     * or the log indexer, which keeps them with its index.
     */
    interface Positions {
        io.nexus.core.checkpoint.@Nullable ShardCheckpoint load(String reader, String shardId);

        void save(String reader, io.nexus.core.checkpoint.ShardCheckpoint checkpoint);

        static Positions of(ShardCheckpoints shards) {
            return new Positions() {
                @Override
                public io.nexus.core.checkpoint.@Nullable ShardCheckpoint load(String reader, String shardId) {
                    return shards.load(reader, shardId).orElse(null);
                }

                @Override
                public void save(String reader, io.nexus.core.checkpoint.ShardCheckpoint checkpoint) {
                    shards.save(reader, checkpoint);
                }
            };
        }

        @SuppressWarnings("deprecation")
        static Positions of(ShardCheckpointStore legacy) {
            return new Positions() {
                @Override
                public io.nexus.core.checkpoint.@Nullable ShardCheckpoint load(String reader, String shardId) {
                    return legacy.load(reader, shardId).map(c -> new io.nexus.core.checkpoint.ShardCheckpoint(
                            c.shardId(), c.sequenceNumber(), c.finished())).orElse(null);
                }

                @Override
                public void save(String reader, io.nexus.core.checkpoint.ShardCheckpoint c) {
                    legacy.save(reader, new ShardCheckpoint(c.shardId(), c.sequenceNumber(), c.finished()));
                }
            };
        }
    }

    /**
     * Takes each shard read's events in the Stream's record order (each stream's events put in version order
     * within the slots they hold) together with the checkpoint after them, and stores both atomically:
     * used by {@link DynamoDbLogIndexer}, for which a separate checkpoint would allow duplicates. A sink that
     * throws gets the same records again on the next poll.
     */
    interface RecordSink {
        void accept(String shardId, List<EventEnvelope> events, io.nexus.core.checkpoint.ShardCheckpoint after);
    }

    private static final class ShardState {
        @Nullable String iterator;
        @Nullable String lastSequence;
        boolean finished;
        boolean latest;
    }

    private DynamoDbChangeCapture(Builder b) {
        this.client = b.client;
        this.streams = b.streams;
        this.table = Objects.requireNonNull(b.tableName, "tableName"); // build() has checked it
        this.readerName = Objects.requireNonNull(b.readerName, "readerName");
        this.listener = b.listener;
        this.sink = b.sink;
        this.startAtLatest = b.startAtLatest;
        this.pollInterval = b.pollInterval;
        this.shardRefreshInterval = b.shardRefreshInterval;
        this.maxRecordsPerRead = b.maxRecordsPerRead;
        this.calls = new AwsCalls(b.retryPolicy, DynamoDbAccessException::new);
        if (b.leases != null) {
            this.leases = new ShardLeaseCoordinator(b.leases, b.readerName);
            this.checkpoints = new Positions() {
                @Override
                public io.nexus.core.checkpoint.@Nullable ShardCheckpoint load(String reader, String shardId) {
                    ShardLeaseCoordinator.@Nullable Lease lease = leases.lease(shardId);
                    return lease == null ? null
                            : new io.nexus.core.checkpoint.ShardCheckpoint(shardId, lease.sequence(), lease.finished());
                }

                @Override
                public void save(String reader, io.nexus.core.checkpoint.ShardCheckpoint checkpoint) {
                    leases.checkpoint(checkpoint.shardId(), checkpoint.sequenceNumber(), checkpoint.finished());
                }
            };
        } else {
            this.leases = null;
            this.checkpoints = Objects.requireNonNull(b.checkpoints, "checkpoints"); // build() has checked it
        }
    }

    /** A builder on the caller's clients; table name, reader name, checkpoints and listener are required. */
    public static Builder builder(DynamoDbClient client, DynamoDbStreamsClient streamsClient) {
        return new Builder(client, streamsClient);
    }

    /**
     * Starts polling on a daemon thread. Shard iterators for a reader that starts at the latest position
     * are taken before this method returns, so every append committed after it is delivered.
     *
     * @throws IllegalStateException   if already started or closed
     * @throws DynamoDbAccessException if the table, its Stream or the shards cannot be read
     */
    public synchronized void start() {
        if (worker != null) {
            throw new IllegalStateException("change capture '" + readerName + "' was already started");
        }
        prepare();
        running = true;
        Thread thread = new Thread(this::run, "nexus-dynamodb-capture-" + readerName);
        thread.setDaemon(true);
        worker = thread;
        thread.start();
    }

    /**
     * Takes the Stream's description and, for a reader that starts at the latest position, the shard iterators,
     * without reading: for a caller that drives {@link #pollOnce()} itself and must not miss what is appended
     * after this returns.
     *
     * @throws DynamoDbAccessException if the table, its Stream or the shards cannot be read
     */
    synchronized void open() {
        prepare();
    }

    /**
     * Stops polling and waits (bounded) for the thread to end; a leased reader then releases its leases, so that
     * the other processes of its reader name take its shards at once. Closing twice is harmless.
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
        if (leases != null) {
            if (thread != null && thread != Thread.currentThread() && thread.isAlive()) {
                // Still inside a read (a listener that does not return): its leases run out by themselves.
                log.warn("Change capture '{}' did not stop within 10 s; its shards move to other processes when their"
                        + " leases run out", readerName);
                return;
            }
            synchronized (this) {
                leases.releaseAll();
            }
        }
    }

    /**
     * The shards whose leases this reader holds now, sorted; for a reader without leases every shard it listed.
     * Safe to call from any thread, also while a read is being delivered.
     */
    public java.util.Set<String> leasedShards() {
        if (leases != null) {
            return leases.heldShards();
        }
        List<Shard> listed = shards;
        return listed == null ? java.util.Set.of()
                : listed.stream().map(Shard::shardId).collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    /**
     * One pass over the readable shards: at most one {@code GetRecords} per shard, delivery, checkpoint.
     *
     * @return the number of events delivered
     * @throws NexusException if DynamoDB, the checkpoint store or the listener fails; nothing is checkpointed
     *                        past what was delivered
     */
    public synchronized int pollOnce() {
        prepare();
        if (System.nanoTime() - nextRefreshNanos >= 0) {
            refreshShards();
        }
        if (leases != null && leases.tickDue()) {
            balanceLeases();
        }
        int delivered = 0;
        for (Shard shard : shards) {
            ShardState state = state(shard.shardId());
            if (state.finished || (leases != null && !leases.holds(shard.shardId())) || !parentDone(shard)) {
                continue;
            }
            try {
                delivered += readShard(shard, state);
            } catch (ShardLeaseCoordinator.LeaseLostException e) {
                log.info("Change capture '{}' lost shard '{}' to another process; it delivers the records after the last"
                        + " checkpoint again", readerName, shard.shardId());
                state.iterator = null;
            }
        }
        return delivered;
    }

    /**
     * Renews, reads and balances the leases; a shard taken starts at its lease's checkpoint, a shard another
     * process holds counts as finished when its lease says so (for its children's parent-first rule).
     */
    private void balanceLeases() {
        ShardLeaseCoordinator leases = Objects.requireNonNull(this.leases, "leases"); // only a leased reader balances
        List<String> listed = new ArrayList<>(shards.size());
        shards.forEach(s -> listed.add(s.shardId()));
        ShardLeaseCoordinator.Changes changes = leases.tick(listed);
        for (String lost : changes.lost()) {
            ShardState state = states.get(lost);
            if (state != null) {
                state.iterator = null;
            }
            log.info("Change capture '{}' ({}) lost shard '{}'", readerName, leases.owner(), lost);
        }
        for (ShardLeaseCoordinator.Lease lease : changes.taken()) {
            ShardState state = states.computeIfAbsent(lease.shardId(), k -> new ShardState());
            state.iterator = null;
            state.lastSequence = lease.sequence();
            state.finished = lease.finished();
            state.latest = false;
        }
        for (Shard shard : shards) {
            ShardLeaseCoordinator.Lease lease = leases.lease(shard.shardId());
            if (lease != null && !leases.holds(shard.shardId())) {
                state(shard.shardId()).finished = lease.finished();
            }
        }
    }

    /** The reader name its checkpoints are stored under. */
    public String readerName() {
        return readerName;
    }

    private void run() {
        RetryPolicy.Backoff backoff = failureBackoff.backoff(ThreadLocalRandom.current());
        while (running) {
            try {
                int delivered = pollOnce();
                backoff.succeeded();
                if (delivered == 0) {
                    Thread.sleep(pollInterval.toMillis());
                }
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                if (!running) {
                    break;
                }
                Duration delay = backoff.failed();
                log.warn("Change capture '{}' on table '{}' failed (attempt {}); retrying", readerName, table,
                        backoff.failures(), e);
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException ie) {
                    break;
                }
            }
        }
    }

    private void prepare() {
        if (streamArn == null) {
            String arn = calls.call("describe table '" + table + "'",
                    () -> client.describeTable(b -> b.tableName(table))).table().latestStreamArn();
            if (arn == null) {
                throw new DynamoDbAccessException("Table '" + table + "' has no DynamoDB Stream; enable Streams with view "
                        + "type NEW_IMAGE (DynamoDbTables.createIfMissing does).", null, false);
            }
            streamArn = arn;
        }
        if (!listed) {
            refreshShards();
            for (Shard shard : shards) {
                ShardState state = state(shard.shardId());
                if (state.latest && !state.finished && state.iterator == null) {
                    state.iterator = iterator(shard, state);
                }
            }
        }
    }

    private void refreshShards() {
        List<Shard> listed = new ArrayList<>();
        String start = null;
        do {
            String from = start;
            DescribeStreamResponse response = calls.call("describe the Stream of table '" + table + "'",
                    () -> streams.describeStream(b -> b.streamArn(streamArn).exclusiveStartShardId(from)));
            listed.addAll(response.streamDescription().shards());
            start = response.streamDescription().lastEvaluatedShardId();
        } while (start != null);
        for (Shard shard : listed) {
            if (!states.containsKey(shard.shardId())) {
                ShardState state = new ShardState();
                io.nexus.core.checkpoint.ShardCheckpoint checkpoint = checkpoints.load(readerName, shard.shardId());
                if (checkpoint != null) {
                    state.lastSequence = checkpoint.sequenceNumber();
                    state.finished = checkpoint.finished();
                } else if (firstListing && startAtLatest) {
                    boolean closed = shard.sequenceNumberRange() != null
                            && shard.sequenceNumberRange().endingSequenceNumber() != null;
                    state.finished = closed;
                    state.latest = !closed;
                }
                states.put(shard.shardId(), state);
            }
        }
        shards = orderParentsFirst(listed);
        lineage = lineageOf(listed);
        this.listed = true;
        firstListing = false;
        nextRefreshNanos = System.nanoTime() + shardRefreshInterval.toNanos();
    }

    private boolean parentDone(Shard shard) {
        return lineage.isReady(ShardLineage.Shard.of(shard.shardId(), shard.parentShardId()), id -> state(id).finished);
    }

    /** The state of a listed shard: every shard gets one when it is first listed. */
    private ShardState state(String shardId) {
        return Objects.requireNonNull(states.get(shardId), () -> "no state for listed shard '" + shardId + "'");
    }

    /**
     * The shards with every parent before its children (a parent no longer listed counts as done), so one
     * pass can finish a parent and continue with its children.
     */
    static List<Shard> orderParentsFirst(List<Shard> listed) {
        Map<String, Shard> byId = new LinkedHashMap<>();
        listed.forEach(s -> byId.put(s.shardId(), s));
        List<Shard> ordered = new ArrayList<>(listed.size());
        for (ShardLineage.Shard shard : lineageOf(listed).parentsFirst()) {
            ordered.add(byId.get(shard.shardId()));
        }
        return ordered;
    }

    private static ShardLineage lineageOf(List<Shard> listed) {
        List<ShardLineage.Shard> shards = new ArrayList<>(listed.size());
        for (Shard shard : listed) {
            shards.add(ShardLineage.Shard.of(shard.shardId(), shard.parentShardId()));
        }
        return ShardLineage.of(shards);
    }

    private @Nullable String iterator(Shard shard, ShardState state) {
        String what = "get an iterator for shard '" + shard.shardId() + "' of table '" + table + "'";
        try {
            if (state.lastSequence != null) {
                return calls.call(what, () -> streams.getShardIterator(b -> b.streamArn(streamArn).shardId(shard.shardId())
                        .shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER)
                        .sequenceNumber(state.lastSequence))).shardIterator();
            }
            ShardIteratorType type = state.latest ? ShardIteratorType.LATEST : ShardIteratorType.TRIM_HORIZON;
            return calls.call(what, () -> streams.getShardIterator(b -> b.streamArn(streamArn).shardId(shard.shardId())
                    .shardIteratorType(type))).shardIterator();
        } catch (DynamoDbAccessException e) {
            if (e.getCause() instanceof TrimmedDataAccessException) {
                log.error("Change capture '{}': records of shard '{}' after sequence {} aged out of the Stream before "
                        + "they were read; continuing at the oldest record. Rebuild affected read models from the "
                        + "global log.", readerName, shard.shardId(), state.lastSequence);
                state.lastSequence = null;
                state.latest = false;
                return calls.call(what, () -> streams.getShardIterator(b -> b.streamArn(streamArn)
                        .shardId(shard.shardId()).shardIteratorType(ShardIteratorType.TRIM_HORIZON))).shardIterator();
            }
            if (e.getCause() instanceof ResourceNotFoundException) {
                state.finished = true;
                return null;
            }
            throw e;
        }
    }

    private int readShard(Shard shard, ShardState state) {
        if (state.iterator == null) {
            state.iterator = iterator(shard, state);
            if (state.iterator == null) {
                return 0;
            }
        }
        String current = state.iterator;
        GetRecordsResponse response;
        try {
            response = calls.call("read shard '" + shard.shardId() + "' of table '" + table + "'",
                    () -> streams.getRecords(b -> b.shardIterator(current).limit(maxRecordsPerRead)));
        } catch (DynamoDbAccessException e) {
            if (e.getCause() instanceof ExpiredIteratorException) {
                log.debug("Change capture '{}': iterator of shard '{}' expired; renewing it", readerName, shard.shardId());
                state.iterator = iterator(shard, state);
                return 0;
            }
            if (e.getCause() instanceof TrimmedDataAccessException) {
                state.iterator = null;
                state.lastSequence = null;
                state.latest = false;
                log.error("Change capture '{}': shard '{}' was trimmed before it was read; continuing at the oldest "
                        + "record. Rebuild affected read models from the global log.", readerName, shard.shardId());
                return 0;
            }
            throw e;
        }
        List<Record> records = response.records();
        int delivered = 0;
        if (!records.isEmpty()) {
            List<EventEnvelope> events = inRecordOrder(records);
            io.nexus.core.checkpoint.ShardCheckpoint after = io.nexus.core.checkpoint.ShardCheckpoint.at(shard.shardId(),
                    records.get(records.size() - 1).dynamodb().sequenceNumber());
            try {
                if (sink != null) {
                    sink.accept(shard.shardId(), events, after);
                } else {
                    delivered = deliverPerStream(events);
                }
            } catch (RuntimeException e) {
                state.iterator = againFrom(shard, records);
                throw e;
            }
            if (sink != null) {
                delivered = events.size();
            } else {
                checkpoints.save(readerName, after);
            }
            state.lastSequence = after.sequenceNumber();
            state.latest = false;
        }
        state.iterator = response.nextShardIterator();
        if (state.iterator == null) {
            state.finished = true;
            checkpoints.save(readerName, new io.nexus.core.checkpoint.ShardCheckpoint(shard.shardId(), state.lastSequence, true));
            nextRefreshNanos = System.nanoTime();
        }
        return delivered;
    }

    /** An iterator that reads this response's records again, whatever the shard's starting point was. */
    private String againFrom(Shard shard, List<Record> records) {
        String first = records.get(0).dynamodb().sequenceNumber();
        return calls.call("get an iterator for shard '" + shard.shardId() + "' of table '" + table + "'",
                () -> streams.getShardIterator(b -> b.streamArn(streamArn).shardId(shard.shardId())
                        .shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER).sequenceNumber(first)))
                .shardIterator();
    }

    /**
     * The event records in the Stream's order, except that each stream's events are put in version order
     * within the slots they occupy: DynamoDB does not keep a transaction's order among its items in Streams.
     */
    static List<EventEnvelope> inRecordOrder(List<Record> records) {
        List<EventEnvelope> out = new ArrayList<>(records.size());
        Map<String, List<Integer>> slots = new LinkedHashMap<>();
        for (Record record : records) {
            if (record.eventName() == OperationType.INSERT && record.dynamodb() != null
                    && record.dynamodb().hasNewImage() && EventItems.isEvent(record.dynamodb().newImage())) {
                EventEnvelope envelope = EventItems.toEnvelope(record.dynamodb().newImage());
                slots.computeIfAbsent(envelope.streamId(), k -> new ArrayList<>()).add(out.size());
                out.add(envelope);
            }
        }
        for (List<Integer> at : slots.values()) {
            if (at.size() > 1) {
                List<EventEnvelope> mine = new ArrayList<>(at.size());
                at.forEach(i -> mine.add(out.get(i)));
                mine.sort(java.util.Comparator.comparingLong(EventEnvelope::version));
                for (int i = 0; i < at.size(); i++) {
                    out.set(at.get(i), mine.get(i));
                }
            }
        }
        return out;
    }

    /** One list per stream, in the order the streams first appear, each in version order (see {@link #inRecordOrder}). */
    private int deliverPerStream(List<EventEnvelope> events) {
        // a reader without a sink has a listener (build() requires one of them)
        AppendListener listener = Objects.requireNonNull(this.listener, "listener");
        Map<String, List<EventEnvelope>> byStream = new LinkedHashMap<>();
        for (EventEnvelope e : events) {
            byStream.computeIfAbsent(e.streamId(), k -> new ArrayList<>()).add(e);
        }
        int delivered = 0;
        for (List<EventEnvelope> batch : byStream.values()) {
            try {
                listener.onAppend(List.copyOf(batch));
            } catch (RuntimeException e) {
                throw new ChangeCaptureListenerException(readerName, batch.get(0).streamId(), e);
            }
            delivered += batch.size();
        }
        return delivered;
    }

    @Override
    public String toString() {
        return "DynamoDbChangeCapture[" + readerName + " on " + table + ", shards=" + (!listed ? "?" :
                shards.stream().map(Shard::shardId).collect(Collectors.joining(","))) + "]";
    }

    /** Options for {@link DynamoDbChangeCapture}; setters validate as they go. */
    public static final class Builder {
        private final DynamoDbClient client;
        private final DynamoDbStreamsClient streams;
        private @Nullable String tableName;
        private @Nullable String readerName;
        private @Nullable Positions checkpoints;
        /** One of listener and sink is set. */
        private @Nullable AppendListener listener;
        private @Nullable RecordSink sink;
        private @Nullable DynamoDbShardLeases leases;
        private boolean startAtLatest;
        private Duration pollInterval = Duration.ofMillis(50);
        private Duration shardRefreshInterval = Duration.ofSeconds(30);
        private int maxRecordsPerRead = 1000;
        private RetryPolicy retryPolicy = RetryPolicy.custom().maxAttempts(8).initialDelay(Duration.ofMillis(50))
                .maxDelay(Duration.ofSeconds(5)).build();

        private Builder(DynamoDbClient client, DynamoDbStreamsClient streams) {
            this.client = Objects.requireNonNull(client, "client");
            this.streams = Objects.requireNonNull(streams, "streamsClient");
        }

        /** The events table whose Stream is read. */
        public Builder tableName(String value) {
            this.tableName = requireText(value, "tableName");
            return this;
        }

        /** The name checkpoints are stored under; one running reader per name. */
        public Builder readerName(String value) {
            this.readerName = requireText(value, "readerName");
            return this;
        }

        /**
         * Where the reader keeps its shard checkpoints: any {@link CheckpointStore} (the DynamoDB one, the
         * embedded one), in the shard-checkpoint encoding of {@link ShardCheckpoints}.
         */
        public Builder checkpoints(CheckpointStore value) {
            this.checkpoints = Positions.of(ShardCheckpoints.over(Objects.requireNonNull(value, "checkpoints")));
            return this;
        }

        /**
         * Where the reader keeps its shard checkpoints.
         *
         * @deprecated pass a {@link CheckpointStore} to {@link #checkpoints(CheckpointStore)}: shard
         *             checkpoints are kept in the one checkpoint port in one encoding.
         */
        @Deprecated
        public Builder checkpoints(ShardCheckpointStore value) {
            this.checkpoints = Positions.of(Objects.requireNonNull(value, "checkpoints"));
            return this;
        }

        /**
         * Runs this reader in several processes: the Stream's shards are leased to the processes that run a reader
         * of this name with leases in the same table, balanced between them, and taken over from a process that
         * stops renewing them; each shard's checkpoint is kept in its lease item (so {@link #checkpoints} is not
         * needed and must not be given). Delivery stays at least once and in order per stream: a shard that moves
         * is read again from its last checkpoint, so the records a process handled after its last checkpoint
         * (at most {@link #maxRecordsPerRead}) may be delivered again by the next holder. Cannot be combined with
         * {@link #startAtLatest}. See {@link DynamoDbShardLeases} and docs/dynamodb.md.
         */
        public Builder leases(DynamoDbShardLeases value) {
            this.leases = Objects.requireNonNull(value, "leases");
            return this;
        }

        /** The log indexer's mode: records in Stream order to a sink that keeps its own checkpoints. */
        Builder sink(Positions positions, RecordSink value) {
            this.checkpoints = Objects.requireNonNull(positions, "positions");
            this.sink = Objects.requireNonNull(value, "sink");
            this.listener = events -> {
                throw new IllegalStateException("a sink reader delivers to its sink");
            };
            return this;
        }

        /** Receives each stream's events in version order; must be idempotent (delivery is at least once). */
        public Builder listener(AppendListener value) {
            this.listener = Objects.requireNonNull(value, "listener");
            return this;
        }

        /**
         * For shards without a checkpoint when the reader first starts: {@code false} (default) reads them
         * from their oldest record, {@code true} only what is appended from now on.
         */
        public Builder startAtLatest(boolean value) {
            this.startAtLatest = value;
            return this;
        }

        /**
         * The wait between polls when nothing arrived (default 50 ms, so that an append reaches the listener
         * within about 100 ms: the wait, one {@code GetRecords} and the Stream's own delay). An idle reader
         * sends 20 {@code GetRecords} per second per shard; DynamoDB advises at most two readers per shard.
         */
        public Builder pollInterval(Duration value) {
            this.pollInterval = positive(value, "pollInterval");
            return this;
        }

        /** How often the shard list is refreshed besides when a shard closes (default 30 s). */
        public Builder shardRefreshInterval(Duration value) {
            this.shardRefreshInterval = positive(value, "shardRefreshInterval");
            return this;
        }

        /** Records per {@code GetRecords}, 1..1000 (default 1000). */
        public Builder maxRecordsPerRead(int value) {
            if (value < 1 || value > 1000) {
                throw new IllegalArgumentException("maxRecordsPerRead must be 1..1000, but was " + value);
            }
            this.maxRecordsPerRead = value;
            return this;
        }

        /** Retry of throttled and failed requests (default 8 attempts, 50 ms .. 5 s). */
        public Builder retryPolicy(RetryPolicy value) {
            this.retryPolicy = Objects.requireNonNull(value, "retryPolicy");
            return this;
        }

        /** @throws IllegalStateException listing every required option not given */
        public DynamoDbChangeCapture build() {
            List<String> missing = new ArrayList<>();
            if (tableName == null) {
                missing.add("tableName");
            }
            if (readerName == null) {
                missing.add("readerName");
            }
            if (checkpoints == null && leases == null) {
                missing.add("checkpoints");
            }
            if (listener == null) {
                missing.add("listener");
            }
            if (!missing.isEmpty()) {
                throw new IllegalStateException("DynamoDbChangeCapture needs " + String.join(", ", missing)
                        + " before build()");
            }
            if (leases != null && checkpoints != null) {
                throw new IllegalStateException("DynamoDbChangeCapture '" + readerName + "' was given both leases and"
                        + " checkpoints; a leased reader keeps its checkpoints in its lease items, so leave checkpoints out");
            }
            if (leases != null && startAtLatest) {
                throw new IllegalStateException("DynamoDbChangeCapture '" + readerName + "' cannot combine leases with"
                        + " startAtLatest(true): a shard taken over without a checkpoint would be read from its oldest"
                        + " record; start leased readers from the oldest record");
            }
            return new DynamoDbChangeCapture(this);
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
