package io.nexus.dynamodb;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.NewEvent;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.store.AppendListener;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.AppendTooLargeException;
import io.nexus.core.store.ConcurrencyConflictException;
import io.nexus.core.store.DuplicateEventIdException;
import io.nexus.core.store.EventStore;
import io.nexus.core.store.EventStoreUnavailableException;
import io.nexus.core.store.EventTooLargeException;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.ExpectedVersionAheadException;
import io.nexus.core.store.StreamQuery;
import io.nexus.core.store.StreamRead;
import io.nexus.core.store.StreamTypeMismatchException;
import io.nexus.core.store.Subscription;
import io.nexus.dynamodb.internal.AwsCalls;
import io.nexus.dynamodb.internal.EventItems;
import io.nexus.dynamodb.internal.ItemSizes;
import io.nexus.dynamodb.internal.LogIndex;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;

import static io.nexus.dynamodb.internal.PortItems.attribute;
import org.jspecify.annotations.Nullable;

/**
 * The event store on DynamoDB: one item per event, keyed by stream id and version, appended with
 * {@code TransactWriteItems} so a multi-event append is all or nothing.
 *
 * <p>Implementation notes. An append writes one transaction that touches only the stream's own items and its
 * event ids: the stream head set to the new version (condition: still at the version the append expects — the
 * optimistic-concurrency check), and per event the event item and an event-id guard item (condition: neither
 * exists). Only with {@link ExpectedVersion#any()} is the head read first (one strongly consistent read) to
 * learn that version; with an exact expectation the head's condition also checks the aggregate type and that
 * its last timestamp is not after the new events', and a refusal is decided by reading the head then. No item
 * is written by every append, so appends to different streams never contend and throughput grows with the
 * number of streams (and the table's partitions). Losing a race on the head is a {@link ConcurrencyConflictException} for an exact
 * expectation and a retry for {@link ExpectedVersion#any()}. A failing guard means the ids are stored
 * already: an idempotent replay or a {@link DuplicateEventIdException}, decided from the guards' versions.
 * Every size and count check happens before any request, so a rejected append writes nothing; a cancelled
 * transaction writes nothing by DynamoDB's guarantee.
 *
 * <p>Global positions are not known at append time ({@link AppendResult} events carry
 * {@link EventEnvelope#NO_POSITION}): a {@link DynamoDbLogIndexer} gives them out after the fact from the
 * table's Stream, and {@link #readAll} and {@link #headPosition} read its index (see that class for the
 * order across streams). Without a running indexer the global log does not grow; with
 * {@link Builder#indexOnRead(boolean)} each {@code readAll} and {@code headPosition} first indexes what the
 * Stream shows, in the caller's thread (read-your-writes in one process). {@link #subscribe} is backed by a
 * feed shared by all subscribers when a {@link DynamoDbStreamsClient} is configured (see {@link #subscribe}).
 *
 * <p>Thread-safe; the caller owns (and closes) the clients.
 */
public final class DynamoDbEventStore implements EventStore, AutoCloseable {

    /** Events per append: TransactWriteItems takes 100 items; each event needs 2, plus the head. */
    public static final int MAX_EVENTS_PER_APPEND = 49;
    /** Bytes per append: TransactWriteItems takes 4 MB in all. */
    public static final int MAX_APPEND_BYTES = 4 * 1024 * 1024;

    private static final String COND_NEW = "attribute_not_exists(pk)";

    private final DynamoDbClient client;
    private final @Nullable DynamoDbStreamsClient streamsClient;
    private final String table;
    private final boolean consistentReads;
    private final int pageSize;
    private final int maxEventItemBytes;
    private final RetryPolicy contentionBackoff;
    private final Duration subscriptionPollInterval;
    private final Clock clock;
    private final AwsCalls calls;
    private final LogIndex index;
    private final @Nullable DynamoDbLogIndexer indexOnRead;
    private final RetryPolicy retryPolicy;
    /** The one feed of every subscription; {@code null} without a Streams client. */
    private final @Nullable SharedSubscriptions subscriptions;

    private DynamoDbEventStore(Builder b) {
        this.client = b.client;
        this.streamsClient = b.streamsClient;
        this.table = Objects.requireNonNull(b.tableName, "tableName"); // build() has checked it
        this.consistentReads = b.consistentReads;
        this.pageSize = b.pageSize;
        this.maxEventItemBytes = b.maxEventItemBytes;
        this.contentionBackoff = RetryPolicy.custom().maxAttempts(Math.max(1, b.maxContentionRetries))
                .initialDelay(Duration.ofMillis(2)).maxDelay(Duration.ofMillis(200)).build();
        this.subscriptionPollInterval = b.subscriptionPollInterval;
        this.clock = b.clock;
        this.calls = new AwsCalls(b.retryPolicy, EventStoreUnavailableException::new);
        this.index = new LogIndex(client, table, calls);
        this.indexOnRead = b.indexOnRead ? DynamoDbLogIndexer.builder(client, Objects.requireNonNull(streamsClient, "streamsClient")).tableName(table)
                .name("index-on-read").clock(clock).retryPolicy(b.retryPolicy).build() : null;
        this.retryPolicy = b.retryPolicy;
        DynamoDbStreamsClient streams = streamsClient;
        if (streams == null) {
            this.subscriptions = null;
        } else {
            SharedSubscriptions[] feed = new SharedSubscriptions[1];
            feed[0] = new SharedSubscriptions(table, () -> subscriptionReader(streams, Objects.requireNonNull(feed[0], "feed")),
                    index, subscriptionPollInterval);
            this.subscriptions = feed[0];
        }
    }

    /** A builder on the caller's client; {@link Builder#tableName} is required. */
    public static Builder builder(DynamoDbClient client) {
        return new Builder(client);
    }

    // ------------------------------------------------------------------------------------------ append

    /**
     * {@inheritDoc}
     *
     * <p>On DynamoDB: at most {@value #MAX_EVENTS_PER_APPEND} events and 4 MB per append, at most 400 KB per
     * event item (payload, metadata and about 250 bytes of attributes).
     *
     * @throws EventStoreUnavailableException if DynamoDB stays throttled or unavailable past the retry policy
     *                                        (transient), or refuses the request (permanent); the AWS error is the cause
     * @throws IllegalArgumentException       also if {@code streamId} contains U+001F, reserved for the store's own items
     */
    @Override
    public AppendResult append(String streamId, String aggregateType, ExpectedVersion expected, List<NewEvent> events) {
        requireStreamId(streamId);
        requireText(aggregateType, "aggregateType");
        Objects.requireNonNull(expected, "expected");
        if (events == null || events.isEmpty()) {
            throw new IllegalArgumentException("events must hold at least one event for stream '" + streamId + "'");
        }
        validateBatch(streamId, aggregateType, events);
        String what = "append to stream '" + streamId + "'";
        return calls.repeat(what, contentionBackoff, attempt -> appendOnce(streamId, aggregateType, expected, events, attempt),
                (attempts, cause) -> lostRaces(streamId, attempts, cause));
    }

    /** One attempt of {@link #append}: a result, an exception, or {@link AwsCalls.Again} to try again. */
    private AppendResult appendOnce(String streamId, String aggregateType, ExpectedVersion expected, List<NewEvent> events,
                                    int attempt) {
        if (attempt == 1 && expected instanceof ExpectedVersion.Exact exact) {
            // The caller names the version: the transaction's head condition checks it (and the type and clock), so
            // the head need not be read first. Whatever fails is read and decided as after any cancelled append;
            // a head whose last timestamp is ahead of the clock is retried on the reading path, which clamps.
            return write(streamId, aggregateType, expected, events, exact.version(), clock.instant(), true, attempt);
        }
        Head head = readHead(streamId);
        // The type check comes first: a re-sent batch under another aggregate type is misuse, not a no-op.
        if (head != null && !head.aggregateType.equals(aggregateType)) {
            throw new StreamTypeMismatchException(streamId, aggregateType, head.aggregateType);
        }
        long current = head == null ? 0 : head.version;
        if (!expected.isSatisfiedBy(current)) {
            AppendResult replay = replayOrDuplicate(streamId, expected, events, head);
            if (replay != null) {
                return replay;
            }
            if (expected.isAheadOf(current)) {
                throw new ExpectedVersionAheadException(streamId, expected, current);
            }
            throw new ConcurrencyConflictException(streamId, expected, current);
        }
        Instant now = clock.instant();
        if (head != null && now.isBefore(head.lastTimestamp)) {
            now = head.lastTimestamp;
        }
        return write(streamId, aggregateType, expected, events, current, now, false, attempt);
    }

    /**
     * The append's one transaction from version {@code current}; {@code unread}: the head was not read, so its
     * condition also checks the aggregate type and that its last timestamp is not after {@code now}.
     */
    private AppendResult write(String streamId, String aggregateType, ExpectedVersion expected, List<NewEvent> events,
                               long current, Instant now, boolean unread, int attempt) {
        List<TransactWriteItem> writes = new ArrayList<>(1 + 2 * events.size());
        List<EventEnvelope> stored = new ArrayList<>(events.size());
        writes.add(headPut(streamId, aggregateType, current, current + events.size(), now, unread));
        for (int i = 0; i < events.size(); i++) {
            NewEvent event = events.get(i);
            long version = current + 1 + i;
            writes.add(put(EventItems.toItem(event, streamId, aggregateType, version, current + events.size(), now)));
            stored.add(EventItems.envelope(event, streamId, aggregateType, version, now));
        }
        for (int i = 0; i < events.size(); i++) {
            writes.add(put(guardItem(streamId, events.get(i).eventId(), current + 1 + i)));
        }
        String token = UUID.randomUUID().toString();
        try {
            calls.call("append to stream '" + streamId + "'",
                    () -> client.transactWriteItems(b -> b.transactItems(writes).clientRequestToken(token)));
            return new AppendResult(streamId, current + events.size(), stored, false);
        } catch (TransactionCanceledException e) {
            return onCancelled(e, streamId, aggregateType, expected, events, current, attempt);
        }
    }

    private EventStoreUnavailableException lostRaces(String streamId, int attempts, @Nullable SdkException cause) {
        return new EventStoreUnavailableException("The append to stream '" + streamId + "' lost " + attempts
                + " races for the stream's head in table '" + table + "'; nothing was written. Retry later or "
                + "reduce the number of concurrent writers of this stream.", cause, true);
    }

    /** Decides a cancelled append: a result, an exception, or {@link AwsCalls.Again} to try again. */
    private AppendResult onCancelled(TransactionCanceledException e, String streamId, String aggregateType,
                                     ExpectedVersion expected,
                                     List<NewEvent> events, long current, int attempt) {
        List<CancellationReason> reasons = e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
        int n = events.size();
        boolean guardFailed = false;
        boolean headFailed = false;
        boolean eventFailed = false;
        boolean retryable = reasons.isEmpty();
        for (int i = 0; i < reasons.size(); i++) {
            String code = reasons.get(i).code();
            if ("ConditionalCheckFailed".equals(code)) {
                if (i == 0) {
                    headFailed = true;
                } else if (i <= n) {
                    eventFailed = true;
                } else {
                    guardFailed = true;
                }
            } else if (code != null && !"None".equals(code)) {
                if (!"TransactionConflict".equals(code) && !"ThrottlingError".equals(code)
                        && !"ProvisionedThroughputExceeded".equals(code)) {
                    throw new EventStoreUnavailableException("DynamoDB cancelled the append to stream '" + streamId
                            + "' (" + code + ": " + reasons.get(i).message() + "); nothing was written. Check the "
                            + "table definition and the item limits.", e, false);
                }
                retryable = true;
            }
        }
        if (guardFailed || headFailed) {
            Head head = readHead(streamId);
            if (head != null && !head.aggregateType.equals(aggregateType)) {
                throw new StreamTypeMismatchException(streamId, aggregateType, head.aggregateType);
            }
            AppendResult replay = replayOrDuplicate(streamId, expected, events, head);
            if (replay != null) {
                return replay;
            }
            long actual = head == null ? 0 : head.version;
            if (headFailed && expected.isAheadOf(actual)) {
                throw new ExpectedVersionAheadException(streamId, expected, actual);
            }
            if (headFailed && expected instanceof ExpectedVersion.Exact && !expected.isSatisfiedBy(actual)) {
                throw new ConcurrencyConflictException(streamId, expected, actual);
            }
            retryable = true;
        } else if (eventFailed) {
            throw new EventStoreUnavailableException("Stream '" + streamId + "' holds an event item past its head version "
                    + current + " in table '" + table + "'; the table was written outside Nexus. Nothing was appended; "
                    + "remove the stray items or restore the stream head.", e, false);
        }
        if (retryable) {
            throw new AwsCalls.Again(e);
        }
        throw lostRaces(streamId, attempt, e);
    }

    /**
     * Applies the contract's id rules to a batch whose ids may already be stored: the stored originals when
     * the batch repeats an earlier append at the expected position, {@code null} when none of its ids is
     * stored, and a {@link DuplicateEventIdException} otherwise.
     */
    private @Nullable AppendResult replayOrDuplicate(String streamId, ExpectedVersion expected, List<NewEvent> events, @Nullable Head head) {
        if (head == null) {
            return null;
        }
        Map<UUID, Long> stored = readGuards(streamId, events);
        if (stored.isEmpty()) {
            return null;
        }
        UUID firstId = events.get(0).eventId();
        Long first = stored.get(firstId);
        if (first == null) {
            for (NewEvent event : events) {
                Long at = stored.get(event.eventId());
                if (at != null) {
                    throw new DuplicateEventIdException(streamId, event.eventId(), "is already stored at version " + at);
                }
            }
            return null;
        }
        long firstVersion = first;
        boolean samePosition = expected instanceof ExpectedVersion.Exact exact ? exact.version() == firstVersion - 1
                : expected == ExpectedVersion.any();
        boolean sameRun = firstVersion - 1 + events.size() <= head.version;
        for (int i = 0; sameRun && i < events.size(); i++) {
            Long at = stored.get(events.get(i).eventId());
            sameRun = at != null && at == firstVersion + i;
        }
        if (!samePosition || !sameRun) {
            throw new DuplicateEventIdException(streamId, firstId,
                    "is already stored at version " + firstVersion + ", not where this append expects it");
        }
        List<EventEnvelope> originals = read(StreamQuery.stream(streamId).fromVersion(firstVersion)
                .toVersion(firstVersion + events.size() - 1));
        return new AppendResult(streamId, firstVersion + events.size() - 1, originals, true);
    }

    private void validateBatch(String streamId, String aggregateType, List<NewEvent> events) {
        if (events.size() > MAX_EVENTS_PER_APPEND) {
            throw new AppendTooLargeException(streamId, "events", events.size(), MAX_EVENTS_PER_APPEND);
        }
        Set<UUID> ids = new HashSet<>(events.size() * 2);
        long total = 0;
        Instant probeTime = Instant.EPOCH;
        for (NewEvent event : events) {
            if (event == null) {
                throw new IllegalArgumentException("events must not hold null, but the batch for stream '" + streamId
                        + "' does: " + events);
            }
            if (!ids.add(event.eventId())) {
                throw new DuplicateEventIdException(streamId, event.eventId(), "appears twice in one append");
            }
            int size = ItemSizes.of(EventItems.toItem(event, streamId, aggregateType, Long.MAX_VALUE, Long.MAX_VALUE,
                    probeTime));
            if (size > maxEventItemBytes) {
                throw new EventTooLargeException(streamId, event.eventType(), size, maxEventItemBytes);
            }
            total += size + ItemSizes.of(guardItem(streamId, event.eventId(), Long.MAX_VALUE));
        }
        total += 256; // the head
        if (total > MAX_APPEND_BYTES) {
            throw new AppendTooLargeException(streamId, "bytes", total, MAX_APPEND_BYTES);
        }
    }

    private TransactWriteItem headPut(String streamId, String aggregateType, long from, long to, Instant now,
                                      boolean unread) {
        Map<String, AttributeValue> item = new HashMap<>(EventItems.key(streamId, 0));
        item.put(EventItems.HEAD_VERSION, EventItems.n(to));
        item.put(EventItems.HEAD_TYPE, EventItems.s(aggregateType));
        item.put(EventItems.HEAD_LAST_TS, EventItems.n(EventItems.toNanos(now)));
        Put.Builder put = Put.builder().tableName(table).item(item);
        if (from == 0) {
            put.conditionExpression(COND_NEW);
        } else if (unread) {
            put.conditionExpression("#hv = :from AND #at = :at AND #lt <= :now")
                    .expressionAttributeNames(Map.of("#hv", EventItems.HEAD_VERSION, "#at", EventItems.HEAD_TYPE,
                            "#lt", EventItems.HEAD_LAST_TS))
                    .expressionAttributeValues(Map.of(":from", EventItems.n(from), ":at", EventItems.s(aggregateType),
                            ":now", EventItems.n(EventItems.toNanos(now))));
        } else {
            put.conditionExpression("#hv = :from").expressionAttributeNames(Map.of("#hv", EventItems.HEAD_VERSION))
                    .expressionAttributeValues(Map.of(":from", EventItems.n(from)));
        }
        return TransactWriteItem.builder().put(put.build()).build();
    }

    private TransactWriteItem put(Map<String, AttributeValue> item) {
        return TransactWriteItem.builder()
                .put(Put.builder().tableName(table).item(item).conditionExpression(COND_NEW).build()).build();
    }

    private static Map<String, AttributeValue> guardItem(String streamId, UUID eventId, long version) {
        Map<String, AttributeValue> item = new HashMap<>(EventItems.key(EventItems.guardKey(streamId, eventId), 0));
        item.put(EventItems.GUARD_VERSION, EventItems.n(version));
        return item;
    }

    // ------------------------------------------------------------------------------------------ reads

    private record Head(long version, String aggregateType, Instant lastTimestamp) {
    }

    private @Nullable Head readHead(String streamId) {
        Map<String, AttributeValue> item = calls.call("read the head of stream '" + streamId + "'",
                () -> client.getItem(b -> b.tableName(table).key(EventItems.key(streamId, 0)).consistentRead(true)))
                .item();
        if (item == null || item.isEmpty()) {
            return null;
        }
        return new Head(Long.parseLong(attribute(item, EventItems.HEAD_VERSION).n()), attribute(item, EventItems.HEAD_TYPE).s(),
                EventItems.fromNanos(Long.parseLong(attribute(item, EventItems.HEAD_LAST_TS).n())));
    }

    private Map<UUID, Long> readGuards(String streamId, List<NewEvent> events) {
        Map<String, UUID> byKey = new HashMap<>();
        List<Map<String, AttributeValue>> keys = new ArrayList<>(events.size());
        for (NewEvent event : events) {
            String key = EventItems.guardKey(streamId, event.eventId());
            byKey.put(key, event.eventId());
            keys.add(EventItems.key(key, 0));
        }
        Map<UUID, Long> found = new HashMap<>();
        for (Map<String, AttributeValue> item : calls.batchGet("read event ids of stream '" + streamId + "'", client,
                Map.of(table, KeysAndAttributes.builder().keys(keys).consistentRead(true).build()))) {
            found.put(byKey.get(attribute(item, EventItems.PK).s()), Long.parseLong(attribute(item, EventItems.GUARD_VERSION).n()));
        }
        return found;
    }

    /**
     * {@inheritDoc}
     *
     * <p>On DynamoDB: one {@code Query} per page of {@link Builder#pageSize} events, strongly consistent
     * unless {@link Builder#consistentReads(boolean)} turned that off. As-of reads stop at the first event
     * stored after the instant (timestamps never decrease within a stream).
     */
    @Override
    public List<EventEnvelope> read(StreamQuery query) {
        Objects.requireNonNull(query, "query");
        if (query.maxCount() == 0 || query.toVersion() < query.fromVersion()) {
            return List.of();
        }
        requireStreamId(query.streamId());
        // A Query is read-committed, not a snapshot: the rest of a committed append shows up at once, so a read
        // that saw part of one runs again.
        return calls.repeat("read stream '" + query.streamId() + "'", contentionBackoff, attempt -> {
            List<EventEnvelope> events = readOnce(query);
            if (events == null) {
                throw new AwsCalls.Again(null);
            }
            return events;
        }, (attempts, cause) -> new EventStoreUnavailableException("Stream '" + query.streamId() + "' in table '" + table
                + "' showed only part of an append in " + attempts + " reads; an event item may have been "
                + "deleted outside Nexus. Retry later, or restore the missing items.", null, true));
    }

    /** The events of {@code query}, or {@code null} when the last append read was only partly visible. */
    private @Nullable List<EventEnvelope> readOnce(StreamQuery query) {
        List<EventEnvelope> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        long asOfNanos = query.asOf() == null ? Long.MAX_VALUE : EventItems.toNanos(query.asOf());
        long lastBatchEnd = 0;
        do {
            int limit = (int) Math.min(pageSize, (long) query.maxCount() - out.size());
            QueryRequest.Builder request = QueryRequest.builder().tableName(table)
                    .keyConditionExpression("pk = :pk AND sk BETWEEN :from AND :to")
                    .expressionAttributeValues(Map.of(":pk", EventItems.s(query.streamId()),
                            ":from", EventItems.n(query.fromVersion()), ":to", EventItems.n(query.toVersion())))
                    .consistentRead(consistentReads)
                    .limit(limit);
            if (start != null) {
                request.exclusiveStartKey(start);
            }
            QueryRequest built = request.build();
            QueryResponse page = calls.call("read stream '" + query.streamId() + "'", () -> client.query(built));
            for (Map<String, AttributeValue> item : page.items()) {
                EventEnvelope envelope = EventItems.toEnvelope(item);
                if (EventItems.toNanos(envelope.timestamp()) > asOfNanos) {
                    return List.copyOf(out); // an append's events share one timestamp: this ends on an append boundary
                }
                out.add(envelope);
                lastBatchEnd = EventItems.batchEnd(item);
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null && out.size() < query.maxCount());
        if (out.size() < query.maxCount() && !out.isEmpty()) {
            long last = out.get(out.size() - 1).version();
            if (lastBatchEnd > last && lastBatchEnd <= query.toVersion()) {
                return null;
            }
        }
        return List.copyOf(out);
    }

    /**
     * {@inheritDoc}
     *
     * <p>On DynamoDB: a strongly consistent read of the whole stream (from version 1, no upper bound, limit or
     * instant) holds every event the stream had when it ran, so the lookup is answered from the events read and the
     * call is the read's {@code Query} alone. Any other read (after a snapshot, bounded, as of an instant, or with
     * {@link Builder#consistentReads(boolean) consistentReads(false)}) is followed by {@link #versionOf}, one
     * {@code GetItem}.
     */
    @Override
    public StreamRead readAndFind(StreamQuery query, UUID eventId) {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(eventId, "eventId");
        List<EventEnvelope> events = read(query);
        boolean wholeStream = consistentReads && query.fromVersion() == 1 && query.toVersion() == Long.MAX_VALUE
                && query.asOf() == null && query.maxCount() == Integer.MAX_VALUE;
        if (!wholeStream) {
            return new StreamRead(events, versionOf(query.streamId(), eventId));
        }
        for (EventEnvelope event : events) {
            if (event.eventId().equals(eventId)) {
                return new StreamRead(events, OptionalLong.of(event.version()));
            }
        }
        return new StreamRead(events, OptionalLong.empty());
    }

    /**
     * {@inheritDoc}
     *
     * <p>On DynamoDB: one strongly consistent {@code GetItem} of the event-id guard item, which the append
     * that stored the event wrote in the same transaction (one read unit; no event item is read).
     */
    @Override
    public OptionalLong versionOf(String streamId, UUID eventId) {
        requireStreamId(streamId);
        Objects.requireNonNull(eventId, "eventId");
        Map<String, AttributeValue> item = calls.call("look up event id " + eventId + " in stream '" + streamId + "'",
                () -> client.getItem(b -> b.tableName(table).key(EventItems.key(EventItems.guardKey(streamId, eventId), 0))
                        .consistentRead(true))).item();
        if (item == null || item.isEmpty()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(attribute(item, EventItems.GUARD_VERSION).n()));
    }

    /** {@inheritDoc} One strongly consistent {@code GetItem} of the stream head. */
    @Override
    public long currentVersion(String streamId) {
        requireStreamId(streamId);
        Head head = readHead(streamId);
        return head == null ? 0 : head.version;
    }

    /**
     * {@inheritDoc}
     *
     * <p>On DynamoDB: the events a {@link DynamoDbLogIndexer} has indexed, gapless from position 1, each
     * stream in version order, streams interleaved in the order the indexer read the table's Stream (see
     * docs/dynamodb.md). Costs one strongly consistent {@code Query} per index chunk and one
     * {@code BatchGetItem} per 100 events; with {@link Builder#indexOnRead(boolean)} also a pass over the
     * Stream first.
     */
    @Override
    public List<EventEnvelope> readAll(long fromPosition, int maxCount) {
        if (fromPosition < 1) {
            throw new IllegalArgumentException("fromPosition must be >= 1, but was " + fromPosition);
        }
        if (maxCount < 0) {
            throw new IllegalArgumentException("maxCount must be >= 0, but was " + maxCount);
        }
        if (indexOnRead != null) {
            indexOnRead.catchUp();
        }
        return List.copyOf(index.read(fromPosition, maxCount));
    }

    /** {@inheritDoc} The last position indexed: one strongly consistent {@code GetItem} of the index tail. */
    @Override
    public long headPosition() {
        if (indexOnRead != null) {
            indexOnRead.catchUp();
        }
        return index.head();
    }

    /**
     * {@inheritDoc}
     *
     * <p>On DynamoDB every subscription of this store shares one feed (the first subscribe starts it, the last
     * {@link Subscription#close()} or {@link #close()} stops it), so the subscriptions of a process read each Stream
     * shard at most once however many there are, within the Streams limit of two readers per shard:
     * <ul>
     *   <li>Without a started {@link DynamoDbLogIndexer} in this process: one {@link DynamoDbChangeCapture} reader of
     *       the table's Stream from its latest position, checkpoints in memory, polling every
     *       {@link Builder#subscriptionPollInterval} when idle. Envelopes carry no global position.</li>
     *   <li>With the indexer {@link DynamoDbEngines} registers, once started: no Stream reader of their own. While
     *       it holds its lease, the indexer hands each read to the subscriptions right after indexing it; while
     *       another process indexes, the feed follows the global log's tail (one consistent {@code GetItem} per
     *       poll interval). A log tracker woken here finds the events in {@link #readAll}; envelopes carry their
     *       global positions.</li>
     * </ul>
     * Delivery is at least once (after a switch between the two, or a lost lease, events may come twice) and
     * follows each stream's order; appends of different streams may arrive in any order. A listener that throws is
     * logged (once per subscription, then at debug level) and does not stop the others. For a durable, restartable
     * reader build a {@link DynamoDbChangeCapture} with a {@link DynamoDbCheckpointStore} instead.
     *
     * @throws ChangeCaptureNotConfiguredException if the builder was given no {@link DynamoDbStreamsClient}
     * @throws IllegalStateException               if this store was closed
     * @throws DynamoDbAccessException             if the first subscription cannot find the table's Stream or the log
     */
    @Override
    public Subscription subscribe(AppendListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (subscriptions == null) {
            throw new ChangeCaptureNotConfiguredException(table);
        }
        return subscriptions.subscribe(listener);
    }

    /** The Stream reader of the subscriptions while no indexer runs in this process. */
    private DynamoDbChangeCapture subscriptionReader(DynamoDbStreamsClient streams, SharedSubscriptions feed) {
        return DynamoDbChangeCapture.builder(client, streams)
                .tableName(table)
                .readerName("subscriptions-" + UUID.randomUUID())
                .checkpoints(new io.nexus.core.checkpoint.InMemoryCheckpointStore())
                .startAtLatest(true)
                .pollInterval(subscriptionPollInterval)
                .retryPolicy(retryPolicy)
                .listener(feed::fanOut)
                .build();
    }

    /**
     * Stops the subscriptions' shared feed and detaches every subscriber; appends and reads go on working, and a
     * later {@link #subscribe} fails. The clients stay open (the caller owns them). Harmless twice.
     */
    @Override
    public void close() {
        if (subscriptions != null) {
            subscriptions.close();
        }
    }

    /** Feeds subscriptions from {@code indexer}, which runs in this process, once it is started. */
    void indexedBy(DynamoDbLogIndexer indexer) {
        Objects.requireNonNull(indexer, "indexer");
        if (subscriptions != null) {
            subscriptions.indexedBy(indexer);
        }
    }

    /** The events table this store writes. */
    public String tableName() {
        return table;
    }

    private static void requireStreamId(String streamId) {
        requireText(streamId, "streamId");
        if (streamId.indexOf(EventItems.RESERVED) >= 0) {
            throw new IllegalArgumentException("streamId must not contain U+001F (reserved for the store's own items), "
                    + "but was '" + streamId.replace(EventItems.RESERVED, '?') + "'");
        }
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank, but was '" + value + "'");
        }
    }

    /**
     * Options for {@link DynamoDbEventStore}. Setters validate as they go; {@link #build()} checks that a
     * table name was given.
     */
    public static final class Builder {
        private final DynamoDbClient client;
        private @Nullable DynamoDbStreamsClient streamsClient;
        private @Nullable String tableName;
        private boolean consistentReads = true;
        private int pageSize = 500;
        private int maxEventItemBytes = ItemSizes.MAX_ITEM_BYTES;
        private int maxContentionRetries = 50;
        private RetryPolicy retryPolicy = RetryPolicy.custom().maxAttempts(8).initialDelay(Duration.ofMillis(50))
                .maxDelay(Duration.ofSeconds(5)).build();
        private Duration subscriptionPollInterval = Duration.ofMillis(250);
        private Clock clock = Clock.systemUTC();
        private boolean indexOnRead;

        private Builder(DynamoDbClient client) {
            this.client = Objects.requireNonNull(client, "client");
        }

        /** The events table, created by {@link DynamoDbTables#createIfMissing} or by the documented template. */
        public Builder tableName(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("tableName must not be blank, but was '" + value + "'");
            }
            this.tableName = value;
            return this;
        }

        /** Enables {@link DynamoDbEventStore#subscribe} through the table's Stream. */
        public Builder streamsClient(DynamoDbStreamsClient value) {
            this.streamsClient = Objects.requireNonNull(value, "streamsClient");
            return this;
        }

        /** Strongly consistent stream reads (default {@code true}; {@code false} halves their read units). */
        public Builder consistentReads(boolean value) {
            this.consistentReads = value;
            return this;
        }

        /** Events per {@code Query} page, 1..1000 (default 500; DynamoDB also ends a page at 1 MB). */
        public Builder pageSize(int value) {
            if (value < 1 || value > 1000) {
                throw new IllegalArgumentException("pageSize must be 1..1000, but was " + value);
            }
            this.pageSize = value;
            return this;
        }

        /** The largest event item accepted, 1..409600 bytes (default the DynamoDB maximum, 400 KB). */
        public Builder maxEventItemBytes(int value) {
            if (value < 1 || value > ItemSizes.MAX_ITEM_BYTES) {
                throw new IllegalArgumentException("maxEventItemBytes must be 1.." + ItemSizes.MAX_ITEM_BYTES
                        + ", but was " + value);
            }
            this.maxEventItemBytes = value;
            return this;
        }

        /**
         * How often an append with {@link ExpectedVersion#any()} retries after losing its stream's head to
         * another writer of the same stream, and how often a read retries when the last append it reads is not
         * yet fully visible (default 50).
         */
        public Builder maxContentionRetries(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxContentionRetries must be >= 1, but was " + value);
            }
            this.maxContentionRetries = value;
            return this;
        }

        /** Retry of throttled and failed requests (default 8 attempts, 50 ms .. 5 s, full jitter). */
        public Builder retryPolicy(RetryPolicy value) {
            this.retryPolicy = Objects.requireNonNull(value, "retryPolicy");
            return this;
        }

        /**
         * How often the subscriptions' shared feed polls when idle (default 250 ms): the Stream without a local log
         * indexer, the index tail while another process's indexer holds the lease (see {@link DynamoDbEventStore#subscribe}).
         */
        public Builder subscriptionPollInterval(Duration value) {
            Objects.requireNonNull(value, "subscriptionPollInterval");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("subscriptionPollInterval must be positive, but was " + value);
            }
            this.subscriptionPollInterval = value;
            return this;
        }

        /** The clock that timestamps events (default UTC system clock). */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Whether {@code readAll} and {@code headPosition} first index, in the caller's thread, what the table's
         * Stream shows (default {@code false}: a {@link DynamoDbLogIndexer} component does it, as
         * {@link DynamoDbEngines} registers). On: a reader sees its own process's appends at once, at the cost
         * of a Stream poll per read; for tests and single-process tools. Needs {@link #streamsClient}.
         */
        public Builder indexOnRead(boolean value) {
            this.indexOnRead = value;
            return this;
        }

        /** @throws IllegalStateException if no table name was given, or indexOnRead without a Streams client */
        public DynamoDbEventStore build() {
            if (tableName == null) {
                throw new IllegalStateException("tableName is required; call tableName(...) before build()");
            }
            if (indexOnRead && streamsClient == null) {
                throw new IllegalStateException("indexOnRead needs the table's Stream; call streamsClient(...) before build()");
            }
            return new DynamoDbEventStore(this);
        }
    }
}
