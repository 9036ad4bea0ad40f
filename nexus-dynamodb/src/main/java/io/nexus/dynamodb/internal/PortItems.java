package io.nexus.dynamodb.internal;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Shared encodings of the tables behind the durable ports (dead letters, timers, audit log, read models):
 * sort keys that order as their values do, and an event envelope as one map attribute.
 *
 * <p>Sort keys are text because DynamoDB compares strings byte by byte: a signed {@code long} becomes 16
 * lowercase hex digits of the value with its sign bit flipped, so that negative values sort before
 * positive ones; an instant becomes its epoch second so encoded followed by its nanosecond as 8 hex
 * digits, which covers every {@link Instant} (epoch nanoseconds would overflow past the year 2262).
 */
public final class PortItems {

    /** Starts the keys an application cannot write (id pointers, parked events); names may not contain it. */
    public static final char RESERVED = EventItems.RESERVED;

    private static final String ID = "id";
    private static final String STREAM = "s";
    private static final String AGGREGATE_TYPE = "at";
    private static final String VERSION = "v";
    private static final String GLOBAL_POSITION = "gp";
    private static final String EVENT_TYPE = "et";
    private static final String SCHEMA_VERSION = "sv";
    private static final String TIMESTAMP = "ts";
    private static final String CORRELATION = "co";
    private static final String CAUSATION = "ca";
    private static final String METADATA = "md";
    private static final String PAYLOAD = "pl";

    private PortItems() {
    }

    /** {@code value} as 16 hex digits that sort as the signed values do. */
    public static String sortable(long value) {
        String hex = Long.toHexString(value ^ Long.MIN_VALUE);
        return "0".repeat(16 - hex.length()) + hex;
    }

    /** {@code instant} as 24 hex digits that sort as the instants do. */
    public static String sortable(Instant instant) {
        String nanos = Integer.toHexString(instant.getNano());
        return sortable(instant.getEpochSecond()) + "0".repeat(8 - nanos.length()) + nanos;
    }

    /**
     * Refuses a name that holds {@link #RESERVED}, so that it can never meet a reserved key.
     *
     * @throws IllegalArgumentException naming the value
     */
    public static String requireUnreserved(String value, String what) {
        if (value.indexOf(RESERVED) >= 0) {
            throw new IllegalArgumentException(what + " must not contain U+001F, but was '" + value.replace(RESERVED, '?')
                    + "'");
        }
        return value;
    }

    /** {@code event} as a map attribute; absent correlation, causation, metadata and aggregate type are left out. */
    public static AttributeValue envelope(EventEnvelope event) {
        Map<String, AttributeValue> m = new HashMap<>(16);
        m.put(ID, AttributeValue.fromS(event.eventId().toString()));
        m.put(STREAM, AttributeValue.fromS(event.streamId()));
        if (event.aggregateType() != null) {
            m.put(AGGREGATE_TYPE, AttributeValue.fromS(event.aggregateType()));
        }
        m.put(VERSION, EventItems.n(event.version()));
        m.put(GLOBAL_POSITION, EventItems.n(event.globalPosition()));
        m.put(EVENT_TYPE, AttributeValue.fromS(event.eventType()));
        m.put(SCHEMA_VERSION, EventItems.n(event.schemaVersion()));
        m.put(TIMESTAMP, instant(event.timestamp()));
        if (event.correlationId() != null) {
            m.put(CORRELATION, AttributeValue.fromS(event.correlationId()));
        }
        if (event.causationId() != null) {
            m.put(CAUSATION, AttributeValue.fromS(event.causationId()));
        }
        if (!event.metadata().isEmpty()) {
            Map<String, AttributeValue> md = new HashMap<>();
            event.metadata().forEach((k, v) -> md.put(k, AttributeValue.fromS(v)));
            m.put(METADATA, AttributeValue.fromM(md));
        }
        m.put(PAYLOAD, AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(event.payload().unsafeBytes())));
        return AttributeValue.fromM(m);
    }

    /** The envelope stored by {@link #envelope(EventEnvelope)}. */
    public static EventEnvelope envelope(AttributeValue value) {
        Map<String, AttributeValue> m = value.m();
        Map<String, String> metadata = new HashMap<>();
        AttributeValue md = m.get(METADATA);
        if (md != null && md.hasM()) {
            md.m().forEach((k, v) -> metadata.put(k, v.s()));
        }
        return new EventEnvelope(UUID.fromString(attribute(m, ID).s()), attribute(m, STREAM).s(), attribute(m, AGGREGATE_TYPE).s(),
                Long.parseLong(attribute(m, VERSION).n()), Long.parseLong(attribute(m, GLOBAL_POSITION).n()), attribute(m, EVENT_TYPE).s(),
                Integer.parseInt(attribute(m, SCHEMA_VERSION).n()), instant(attribute(m, TIMESTAMP)), text(m.get(CORRELATION)),
                text(m.get(CAUSATION)), metadata, EventPayload.ofBytes(attribute(m, PAYLOAD).b().asByteArray()));
    }

    /** {@code instant} as a string attribute "seconds.nanoseconds", exact for every instant. */
    public static AttributeValue instant(Instant instant) {
        return AttributeValue.fromS(instant.getEpochSecond() + "." + instant.getNano());
    }

    /** The instant stored by {@link #instant(Instant)}. */
    public static Instant instant(AttributeValue value) {
        String s = value.s();
        int dot = s.indexOf('.');
        return Instant.ofEpochSecond(Long.parseLong(s.substring(0, dot)), Long.parseLong(s.substring(dot + 1)));
    }

    /**
     * The attribute {@code name} of {@code item}, which every item of its kind has.
     *
     * @throws IllegalStateException if the item lacks it: it was not written by this version of Nexus
     */
    public static AttributeValue attribute(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        if (value == null) {
            throw new IllegalStateException("DynamoDB item with attributes " + item.keySet() + " has no attribute '" + name
                    + "'; it was not written by this version of Nexus: remove or rewrite it");
        }
        return value;
    }

    /** The string of an optional attribute, {@code null} when absent. */
    public static @Nullable String text(@Nullable AttributeValue value) {
        return value == null ? null : value.s();
    }
}
