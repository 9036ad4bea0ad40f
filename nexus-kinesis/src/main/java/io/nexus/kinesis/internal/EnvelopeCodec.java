package io.nexus.kinesis.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexus.core.NexusException;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The record format of the Kinesis bus: one UTF-8 JSON object per event, every envelope field by name,
 * the payload bytes in standard base64 (they may be any format), absent optional fields left out, and a
 * format version {@code "nx": 1} so a later format can be told apart. The format is a public contract,
 * described in docs/kinesis.md and by the JSON Schema {@link io.nexus.kinesis.KinesisRecordFormat#SCHEMA_RESOURCE};
 * this class is its implementation, not part of the API. Decoding is strict: a record that does not match
 * the schema is refused, never turned into an event with missing or empty fields. Thread-safe.
 */
public final class EnvelopeCodec {

    public static final int FORMAT = 1;

    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper(JSON);

    private EnvelopeCodec() {
    }

    /** The record bytes of {@code event}. */
    public static byte[] encode(EventEnvelope event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + event.payload().size() * 4 / 3);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("nx", FORMAT);
            g.writeStringField("eventId", event.eventId().toString());
            g.writeStringField("streamId", event.streamId());
            if (event.aggregateType() != null) {
                g.writeStringField("aggregateType", event.aggregateType());
            }
            g.writeNumberField("version", event.version());
            g.writeNumberField("globalPosition", event.globalPosition());
            g.writeStringField("eventType", event.eventType());
            g.writeNumberField("schemaVersion", event.schemaVersion());
            g.writeStringField("timestamp", event.timestamp().toString());
            if (event.correlationId() != null) {
                g.writeStringField("correlationId", event.correlationId());
            }
            if (event.causationId() != null) {
                g.writeStringField("causationId", event.causationId());
            }
            g.writeObjectFieldStart("metadata");
            for (Map.Entry<String, String> entry : event.metadata().entrySet()) {
                g.writeStringField(entry.getKey(), entry.getValue());
            }
            g.writeEndObject();
            g.writeStringField("payload", Base64.getEncoder().encodeToString(event.payload().unsafeBytes()));
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("Encoding an envelope in memory failed", e);
        }
        return out.toByteArray();
    }

    /**
     * The envelope in {@code record}, which must match record format {@value #FORMAT} exactly as
     * {@code event-record-v1.schema.json} describes it (unknown properties are ignored).
     *
     * @throws NexusException if the bytes are not a record of this format, naming the first field that
     *                        does not match (not transient)
     */
    public static EventEnvelope decode(byte[] record, String where) {
        JsonNode node;
        try {
            node = MAPPER.readTree(record);
        } catch (IOException e) {
            throw invalid(where, "it is not JSON (" + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()) + ")");
        }
        if (node == null || !node.isObject()) {
            throw invalid(where, "it is not a JSON object");
        }
        JsonNode nx = node.get("nx");
        if (nx == null || !nx.isIntegralNumber() || nx.asLong() != FORMAT) {
            throw invalid(where, "field 'nx' must be " + FORMAT + ", but was " + nx
                    + " (a later format needs a later Nexus; anything else is not a Nexus record)");
        }
        String eventId = requiredText(node, "eventId", where);
        if (!UUID_TEXT.matcher(eventId).matches()) {
            throw invalid(where, "field 'eventId' must be a UUID, but was '" + eventId + "'");
        }
        String streamId = requiredText(node, "streamId", where);
        String eventType = requiredText(node, "eventType", where);
        long version = integer(node, "version", 1, Long.MAX_VALUE, where);
        long globalPosition = integer(node, "globalPosition", EventEnvelope.NO_POSITION, Long.MAX_VALUE, where);
        int schemaVersion = (int) integer(node, "schemaVersion", 1, Integer.MAX_VALUE, where);
        String timestampText = requiredText(node, "timestamp", where);
        Instant timestamp;
        try {
            if (!TIMESTAMP_TEXT.matcher(timestampText).matches()) {
                throw new IllegalArgumentException("not in the format");
            }
            timestamp = Instant.parse(timestampText);
        } catch (RuntimeException e) {
            throw invalid(where, "field 'timestamp' must be ISO-8601 UTC like 2026-11-30T09:15:02.123Z, but was '"
                    + timestampText + "'");
        }
        JsonNode metadataNode = node.get("metadata");
        if (metadataNode == null || !metadataNode.isObject()) {
            throw invalid(where, "field 'metadata' must be an object of strings, but was " + metadataNode);
        }
        Map<String, String> metadata = new HashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = metadataNode.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!field.getValue().isTextual()) {
                throw invalid(where, "metadata '" + field.getKey() + "' must be a string, but was " + field.getValue());
            }
            metadata.put(field.getKey(), field.getValue().textValue());
        }
        JsonNode payloadNode = node.get("payload");
        if (payloadNode == null || !payloadNode.isTextual()) {
            throw invalid(where, "field 'payload' must be a base64 string, but was "
                    + (payloadNode == null ? "missing" : payloadNode.getNodeType().name().toLowerCase() + " " + abbreviate(payloadNode)));
        }
        byte[] payload;
        try {
            String text = payloadNode.textValue();
            if (text.length() % 4 != 0) {
                throw new IllegalArgumentException("length " + text.length() + " is not a multiple of 4");
            }
            payload = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw invalid(where, "field 'payload' must be standard padded base64 (RFC 4648 section 4): " + e.getMessage());
        }
        // An envelope's aggregate type is never null: a record that leaves it out (a writer other than Nexus) reads as "".
        String aggregateType = optionalText(node, "aggregateType", where);
        return new EventEnvelope(UUID.fromString(eventId), streamId, aggregateType == null ? "" : aggregateType, version,
                globalPosition, eventType, schemaVersion, timestamp, optionalText(node, "correlationId", where),
                optionalText(node, "causationId", where), metadata, EventPayload.of(payload, null));
    }

    private static final Pattern UUID_TEXT =
            Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    private static final Pattern TIMESTAMP_TEXT =
            Pattern.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z$");

    private static String requiredText(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.textValue().isEmpty()) {
            throw invalid(where, "field '" + field + "' must be a non-empty string, but was "
                    + (value == null ? "missing" : abbreviate(value)));
        }
        return value.textValue();
    }

    private static @Nullable String optionalText(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            throw invalid(where, "field '" + field + "' must be a string or left out, but was " + abbreviate(value));
        }
        return value.textValue();
    }

    private static long integer(JsonNode node, String field, long min, long max, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()
                || value.asLong() < min || value.asLong() > max) {
            throw invalid(where, "field '" + field + "' must be an integer from " + min + " to " + max + ", but was "
                    + (value == null ? "missing" : abbreviate(value)));
        }
        return value.asLong();
    }

    private static String abbreviate(JsonNode value) {
        String text = value.toString();
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }

    private static NexusException invalid(String where, String reason) {
        return new NexusException("Kinesis record " + where + " is not a Nexus event record of format " + FORMAT + ": "
                + reason + ". See the record format in docs/kinesis.md; the record is skipped.");
    }
}
