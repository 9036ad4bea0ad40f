package io.nexus.dynamodb.internal;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

import static io.nexus.dynamodb.internal.PortItems.attribute;

/**
 * The item layout of the events table, shared by the event store and the change-capture reader.
 *
 * <p>Four kinds of item live in the table, told apart by their keys:
 * <ul>
 *   <li>event: {@code pk} = stream id, {@code sk} = version (1, 2, ...);</li>
 *   <li>stream head: {@code pk} = stream id, {@code sk} = 0: the stream's version, aggregate type and last
 *       timestamp, the target of the optimistic-concurrency condition;</li>
 *   <li>event-id guard: {@code pk} = U+001F "id" U+001F stream U+001F event id, {@code sk} = 0: the version that
 *       holds the id, so ids stay unique per stream under concurrent appends;</li>
 *   <li>global-log index chunks and tail, written by the log indexer (see {@link LogIndex}).</li>
 * </ul>
 * Stream ids may therefore not contain U+001F. Short attribute names keep every item small: names count
 * against the 400 KB item limit and the 1 KB write unit.
 */
public final class EventItems {

    public static final String PK = "pk";
    public static final String SK = "sk";

    public static final char RESERVED = '\u001F';

    static final String EVENT_ID = "id";
    static final String AGGREGATE_TYPE = "at";
    static final String EVENT_TYPE = "et";
    static final String SCHEMA_VERSION = "sv";
    static final String TIMESTAMP = "ts";
    static final String CORRELATION = "co";
    static final String CAUSATION = "ca";
    static final String METADATA = "md";
    static final String PAYLOAD = "pl";
    /** The last version of the append that wrote the event: lets a reader tell a fully visible append. */
    public static final String BATCH_END = "be";

    public static final String HEAD_VERSION = "hv";
    public static final String HEAD_TYPE = "at";
    public static final String HEAD_LAST_TS = "lt";
    public static final String GUARD_VERSION = "v";

    private EventItems() {
    }

    public static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    public static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    public static Map<String, AttributeValue> key(String pk, long sk) {
        return Map.of(PK, s(pk), SK, n(sk));
    }

    public static String guardKey(String streamId, UUID eventId) {
        return RESERVED + "id" + RESERVED + streamId + RESERVED + eventId;
    }

    public static long toNanos(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
    }

    public static Instant fromNanos(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    /** The item of {@code event} stored at {@code version}. */
    public static Map<String, AttributeValue> toItem(NewEvent event, String streamId, String aggregateType, long version,
                                                     long batchEnd, Instant timestamp) {
        Map<String, AttributeValue> item = new HashMap<>(16);
        item.put(PK, s(streamId));
        item.put(SK, n(version));
        item.put(BATCH_END, n(batchEnd));
        item.put(EVENT_ID, s(event.eventId().toString()));
        item.put(AGGREGATE_TYPE, s(aggregateType));
        item.put(EVENT_TYPE, s(event.eventType()));
        item.put(SCHEMA_VERSION, n(event.schemaVersion()));
        item.put(TIMESTAMP, n(toNanos(timestamp)));
        if (event.correlationId() != null) {
            item.put(CORRELATION, s(event.correlationId()));
        }
        if (event.causationId() != null) {
            item.put(CAUSATION, s(event.causationId()));
        }
        if (!event.metadata().isEmpty()) {
            Map<String, AttributeValue> md = new HashMap<>();
            event.metadata().forEach((k, v) -> md.put(k, s(v)));
            item.put(METADATA, AttributeValue.fromM(md));
        }
        item.put(PAYLOAD, AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(event.payload().unsafeBytes())));
        return item;
    }

    /** Whether {@code item} (or a stream record's image) is an event rather than a head, guard or index item. */
    public static boolean isEvent(Map<String, AttributeValue> item) {
        AttributeValue sk = item.get(SK);
        AttributeValue pk = item.get(PK);
        return pk != null && sk != null && sk.n() != null && !"0".equals(sk.n()) && pk.s() != null
                && pk.s().indexOf(RESERVED) < 0 && item.containsKey(PAYLOAD);
    }

    /** The last version of the append that wrote {@code item}; its own version for items without the attribute. */
    public static long batchEnd(Map<String, AttributeValue> item) {
        AttributeValue be = item.get(BATCH_END);
        return Long.parseLong(be == null ? attribute(item, SK).n() : be.n());
    }

    /** The envelope stored in an event item. */
    public static EventEnvelope toEnvelope(Map<String, AttributeValue> item) {
        Map<String, String> metadata = new HashMap<>();
        AttributeValue md = item.get(METADATA);
        if (md != null && md.hasM()) {
            md.m().forEach((k, v) -> metadata.put(k, v.s()));
        }
        return new EventEnvelope(UUID.fromString(attribute(item, EVENT_ID).s()), attribute(item, PK).s(),
                attribute(item, AGGREGATE_TYPE).s(), Long.parseLong(attribute(item, SK).n()), EventEnvelope.NO_POSITION,
                attribute(item, EVENT_TYPE).s(),
                Integer.parseInt(attribute(item, SCHEMA_VERSION).n()), fromNanos(Long.parseLong(attribute(item, TIMESTAMP).n())),
                text(item.get(CORRELATION)), text(item.get(CAUSATION)), metadata,
                EventPayload.ofBytes(attribute(item, PAYLOAD).b().asByteArrayUnsafe()));
    }

    /** The envelope as the store places {@code event}, without a round trip through an item; no position yet. */
    public static EventEnvelope envelope(NewEvent event, String streamId, String aggregateType, long version,
                                         Instant timestamp) {
        return EventEnvelope.stored(event, streamId, aggregateType, version, EventEnvelope.NO_POSITION, timestamp);
    }

    private static @Nullable String text(@Nullable AttributeValue v) {
        return v == null ? null : v.s();
    }
}
