package io.nexus.dynamodb.internal;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.store.EventStoreUnavailableException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.nexus.dynamodb.internal.PortItems.attribute;
import org.jspecify.annotations.Nullable;

/**
 * The global-log index in the events table: what the log indexer writes and {@code readAll} reads.
 *
 * <p>Two kinds of item, both under reserved partition keys:
 * <ul>
 *   <li>chunk: {@code pk} = U+001F "log" U+001F (first position / {@value #POSITIONS_PER_PARTITION}),
 *       {@code sk} = its first position; {@code n} = how many positions it covers (gapless, from
 *       {@code sk}); {@code sp} = its spans in position order, each "first version U+001F count U+001F
 *       stream id" — a run of one stream's consecutive versions;</li>
 *   <li>tail: {@code pk} = U+001F "log-tail", {@code sk} = 0: the last position indexed ({@code pos}),
 *       the indexer's Stream checkpoints ({@code cp}: shard id to "sequence|finished-at-millis") and its
 *       lease ({@code own}, {@code lu} = lease end in epoch millis).</li>
 * </ul>
 * A chunk covers at most {@value #MAX_CHUNK_EVENTS} positions, so the chunk holding a position starts in
 * that position's index partition or the one before. Each index partition takes
 * {@value #POSITIONS_PER_PARTITION} positions, so no partition key of the index stays hot for long.
 */
public final class LogIndex {

    public static final String TAIL_PK = EventItems.RESERVED + "log-tail";
    public static final long POSITIONS_PER_PARTITION = 100_000;
    public static final int MAX_CHUNK_EVENTS = 1000;
    public static final int MAX_CHUNK_BYTES = 300 * 1024;

    public static final String COUNT = "n";
    public static final String SPANS = "sp";
    public static final String POSITION = "pos";
    public static final String CHECKPOINTS = "cp";
    public static final String OWNER = "own";
    public static final String LEASE_UNTIL = "lu";

    /** A run of one stream's consecutive versions at consecutive positions. */
    public record Span(String streamId, long fromVersion, int count) {
        String encode() {
            return fromVersion + String.valueOf(EventItems.RESERVED) + count + EventItems.RESERVED + streamId;
        }

        static Span decode(String text) {
            int a = text.indexOf(EventItems.RESERVED);
            int b = text.indexOf(EventItems.RESERVED, a + 1);
            return new Span(text.substring(b + 1), Long.parseLong(text.substring(0, a)),
                    Integer.parseInt(text.substring(a + 1, b)));
        }
    }

    private record Chunk(long first, List<Span> spans, int count) {
    }

    private final DynamoDbClient client;
    private final String table;
    private final AwsCalls calls;

    public LogIndex(DynamoDbClient client, String table, AwsCalls calls) {
        this.client = client;
        this.table = table;
        this.calls = calls;
    }

    public static String chunkPk(long firstPosition) {
        return EventItems.RESERVED + "log" + EventItems.RESERVED + (firstPosition / POSITIONS_PER_PARTITION);
    }

    /** The chunk item covering {@code first} .. {@code first + count - 1} with {@code spans}. */
    public static Map<String, AttributeValue> chunkItem(long first, List<Span> spans) {
        Map<String, AttributeValue> item = new HashMap<>(EventItems.key(chunkPk(first), first));
        int count = 0;
        List<AttributeValue> encoded = new ArrayList<>(spans.size());
        for (Span span : spans) {
            encoded.add(EventItems.s(span.encode()));
            count += span.count();
        }
        item.put(COUNT, EventItems.n(count));
        item.put(SPANS, AttributeValue.fromL(encoded));
        return item;
    }

    /** The last position indexed, 0 when nothing is (one strongly consistent read of the tail). */
    public long head() {
        Map<String, AttributeValue> item = calls.call("read the global-log tail",
                () -> client.getItem(b -> b.tableName(table).key(EventItems.key(TAIL_PK, 0)).consistentRead(true))).item();
        if (item == null || item.isEmpty() || !item.containsKey(POSITION)) {
            return 0;
        }
        return Long.parseLong(attribute(item, POSITION).n());
    }

    /**
     * Up to {@code maxCount} indexed events from {@code fromPosition}, each carrying its position: one
     * {@code Query} per index partition touched and one {@code BatchGetItem} per 100 events.
     */
    public List<EventEnvelope> read(long fromPosition, int maxCount) {
        List<EventEnvelope> out = new ArrayList<>();
        if (maxCount == 0) {
            return out;
        }
        List<Chunk> chunks = chunksFrom(fromPosition, maxCount);
        List<Located> wanted = new ArrayList<>();
        for (Chunk chunk : chunks) {
            long position = chunk.first();
            for (Span span : chunk.spans()) {
                for (int i = 0; i < span.count(); i++, position++) {
                    if (position >= fromPosition && wanted.size() < maxCount) {
                        wanted.add(new Located(position, span.streamId(), span.fromVersion() + i));
                    }
                }
            }
        }
        Map<String, Map<Long, Map<String, AttributeValue>>> items = fetch(wanted);
        for (Located at : wanted) {
            Map<String, AttributeValue> item = items.getOrDefault(at.streamId(), Map.of()).get(at.version());
            if (item == null) {
                throw new EventStoreUnavailableException("The global-log index of table '" + table + "' names version "
                        + at.version() + " of stream '" + at.streamId() + "' at position " + at.position()
                        + ", but the event item is missing; it was deleted outside Nexus. Restore it from a backup.", null, false);
            }
            EventEnvelope e = EventItems.toEnvelope(item);
            out.add(new EventEnvelope(e.eventId(), e.streamId(), e.aggregateType(), e.version(), at.position(),
                    e.eventType(), e.schemaVersion(), e.timestamp(), e.correlationId(), e.causationId(), e.metadata(),
                    e.payload()));
        }
        return out;
    }

    private record Located(long position, String streamId, long version) {
    }

    /** The chunks from the one covering {@code from}, until {@code maxCount} positions are covered or none is left. */
    private List<Chunk> chunksFrom(long from, int maxCount) {
        List<Chunk> out = new ArrayList<>();
        Chunk covering = lastChunkAtOrBefore(from);
        if (covering == null || covering.first() + covering.count() <= from) {
            return out;
        }
        out.add(covering);
        long covered = covering.first() + covering.count() - from;
        long next = covering.first() + covering.count();
        while (covered < maxCount) {
            long partitionEnd = (next / POSITIONS_PER_PARTITION + 1) * POSITIONS_PER_PARTITION;
            int limit = (int) Math.min(100, Math.max(1, maxCount - covered));
            long start = next;
            QueryRequest request = QueryRequest.builder().tableName(table)
                    .keyConditionExpression("pk = :pk AND sk >= :from")
                    .expressionAttributeValues(Map.of(":pk", EventItems.s(chunkPk(start)), ":from", EventItems.n(start)))
                    .consistentRead(true).limit(limit).build();
            QueryResponse page = calls.call("read the global-log index from position " + start, () -> client.query(request));
            if (page.items().isEmpty()) {
                return out;
            }
            for (Map<String, AttributeValue> item : page.items()) {
                Chunk chunk = chunk(item);
                if (chunk.first() != next) {
                    throw new EventStoreUnavailableException("The global-log index of table '" + table + "' has a gap: position "
                            + next + " expected, chunk at " + chunk.first() + " found; it was changed outside Nexus.", null, false);
                }
                out.add(chunk);
                covered += chunk.count();
                next += chunk.count();
                if (covered >= maxCount) {
                    return out;
                }
            }
            if (next < partitionEnd && page.items().size() < limit) {
                return out;
            }
        }
        return out;
    }

    private @Nullable Chunk lastChunkAtOrBefore(long position) {
        for (long partition = position / POSITIONS_PER_PARTITION; partition >= Math.max(0,
                position / POSITIONS_PER_PARTITION - 1); partition--) {
            long p = partition * POSITIONS_PER_PARTITION;
            QueryRequest request = QueryRequest.builder().tableName(table)
                    .keyConditionExpression("pk = :pk AND sk <= :at")
                    .expressionAttributeValues(Map.of(":pk", EventItems.s(chunkPk(p)), ":at", EventItems.n(position)))
                    .scanIndexForward(false).consistentRead(true).limit(1).build();
            QueryResponse page = calls.call("find the global-log chunk of position " + position,
                    () -> client.query(request));
            if (!page.items().isEmpty()) {
                return chunk(page.items().get(0));
            }
        }
        return null;
    }

    private static Chunk chunk(Map<String, AttributeValue> item) {
        List<Span> spans = new ArrayList<>();
        for (AttributeValue v : attribute(item, SPANS).l()) {
            spans.add(Span.decode(v.s()));
        }
        return new Chunk(Long.parseLong(attribute(item, EventItems.SK).n()), spans, Integer.parseInt(attribute(item, COUNT).n()));
    }

    private Map<String, Map<Long, Map<String, AttributeValue>>> fetch(List<Located> wanted) {
        Map<String, Map<Long, Map<String, AttributeValue>>> found = new HashMap<>();
        for (int from = 0; from < wanted.size(); from += 100) {
            List<Map<String, AttributeValue>> keys = new ArrayList<>();
            for (Located at : wanted.subList(from, Math.min(wanted.size(), from + 100))) {
                keys.add(EventItems.key(at.streamId(), at.version()));
            }
            for (Map<String, AttributeValue> item : calls.batchGet("read events of the global log", client,
                    Map.of(table, KeysAndAttributes.builder().keys(keys).consistentRead(true).build()))) {
                found.computeIfAbsent(attribute(item, EventItems.PK).s(), k -> new HashMap<>())
                        .put(Long.parseLong(attribute(item, EventItems.SK).n()), item);
            }
        }
        return found;
    }
}
