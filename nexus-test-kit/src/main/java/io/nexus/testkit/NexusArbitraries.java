package io.nexus.testkit;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * jqwik arbitraries for Nexus values: stream ids, new events with JSON payloads, batches, and stored
 * envelopes. Use them in properties of stores and consumers:
 *
 * <pre>{@code
 * @Property
 * void appendThenRead(@ForAll("batches") List<NewEvent> batch) { ... }
 *
 * @Provide
 * Arbitrary<List<NewEvent>> batches() { return NexusArbitraries.batches(10); }
 * }</pre>
 */
public final class NexusArbitraries {

    private NexusArbitraries() {
    }

    /** Stream ids like {@code order-3f2a}: lowercase type prefix, dash, hex suffix. */
    public static Arbitrary<String> streamIds() {
        return Combinators.combine(Arbitraries.of("order", "customer", "invoice", "shipment"),
                Arbitraries.strings().withChars("0123456789abcdef").ofMinLength(1).ofMaxLength(12)).as((p, s) -> p + "-" + s);
    }

    /** Event type names. */
    public static Arbitrary<String> eventTypes() {
        return Arbitraries.of("OrderPlaced", "LineAdded", "LineRemoved", "OrderConfirmed", "OrderCancelled");
    }

    /** Small JSON object payloads with a number, a text (any Unicode) and a flag. */
    public static Arbitrary<EventPayload> jsonPayloads() {
        return Combinators.combine(Arbitraries.integers(), Arbitraries.strings().ofMaxLength(40), Arbitraries.of(true, false))
                .as((n, s, b) -> EventPayload.ofJson("{\"n\":" + n + ",\"s\":" + jsonString(s) + ",\"b\":" + b + "}"));
    }

    /** Metadata maps of up to three entries. */
    public static Arbitrary<Map<String, String>> metadata() {
        return Arbitraries.maps(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8),
                Arbitraries.strings().ofMaxLength(16)).ofMaxSize(3);
    }

    /** New events with random ids, types, schema versions 1..3, payloads and metadata. */
    public static Arbitrary<NewEvent> newEvents() {
        return Combinators.combine(eventTypes(), Arbitraries.integers().between(1, 3), jsonPayloads(), metadata(),
                        Arbitraries.strings().alpha().ofMaxLength(10).injectNull(0.3))
                .as((type, version, payload, meta, correlation) -> new NewEvent(UUID.randomUUID(), type, version, payload,
                        correlation, null, meta));
    }

    /** Batches of 1..{@code maxSize} new events with distinct ids. */
    public static Arbitrary<List<NewEvent>> batches(int maxSize) {
        return newEvents().list().ofMinSize(1).ofMaxSize(maxSize);
    }

    /** Stored envelopes of one stream, versions 1..n, non-decreasing timestamps and increasing positions. */
    public static Arbitrary<List<EventEnvelope>> eventStreams(int maxLength) {
        return Combinators.combine(streamIds(), batches(maxLength), Arbitraries.longs().between(0, 1_000_000))
                .as((stream, events, start) -> {
                    Instant t = Instant.parse("2026-01-01T00:00:00Z");
                    EventEnvelope[] out = new EventEnvelope[events.size()];
                    for (int i = 0; i < events.size(); i++) {
                        out[i] = EventEnvelope.stored(events.get(i), stream, "Aggregate", i + 1, start + i + 1, t.plusMillis(i));
                    }
                    return List.of(out);
                });
    }

    /** Single stored envelopes. */
    public static Arbitrary<EventEnvelope> envelopes() {
        return eventStreams(1).map(list -> list.get(0));
    }

    private static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
