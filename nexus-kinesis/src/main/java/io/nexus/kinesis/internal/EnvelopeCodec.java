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

/**
 * The record format of the Kinesis bus: one UTF-8 JSON object per event, every envelope field by name,
 * the payload bytes in base64 (they may be any format), and a format version {@code "nx": 1} so a later
 * format can be told apart. Not part of the API. Thread-safe.
 */
public final class EnvelopeCodec {

    static final int FORMAT = 1;

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
     * The envelope in {@code record}.
     *
     * @throws NexusException if the bytes are not a record of this format (not transient)
     */
    public static EventEnvelope decode(byte[] record, String where) {
        try {
            JsonNode node = MAPPER.readTree(record);
            if (node == null || !node.isObject() || node.path("nx").asInt(-1) != FORMAT) {
                throw new NexusException("Kinesis record " + where + " is not a Nexus event record of format " + FORMAT
                        + "; only the Nexus bus should write to its streams");
            }
            Map<String, String> metadata = new HashMap<>();
            Iterator<Map.Entry<String, JsonNode>> fields = node.path("metadata").fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                metadata.put(field.getKey(), field.getValue().asText());
            }
            return new EventEnvelope(UUID.fromString(text(node, "eventId")), text(node, "streamId"),
                    node.hasNonNull("aggregateType") ? node.get("aggregateType").asText() : null,
                    node.path("version").asLong(), node.path("globalPosition").asLong(EventEnvelope.NO_POSITION),
                    text(node, "eventType"), node.path("schemaVersion").asInt(), Instant.parse(text(node, "timestamp")),
                    node.hasNonNull("correlationId") ? node.get("correlationId").asText() : null,
                    node.hasNonNull("causationId") ? node.get("causationId").asText() : null, metadata,
                    EventPayload.of(Base64.getDecoder().decode(text(node, "payload")), null));
        } catch (IOException | RuntimeException e) {
            if (e instanceof NexusException nexus) {
                throw nexus;
            }
            throw new NexusException("Kinesis record " + where + " could not be decoded as a Nexus event record: "
                    + e.getMessage() + "; only the Nexus bus should write to its streams", e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("field '" + field + "' is missing");
        }
        return value.asText();
    }
}
