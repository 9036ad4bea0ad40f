package io.nexus.kinesis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.nexus.core.NexusException;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.kinesis.internal.EnvelopeCodec;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The record format as a contract: what the bus writes, what the shipped schema says, what the bus reads. */
class KinesisRecordFormatTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchema SCHEMA = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
            .getSchema(KinesisRecordFormat.schema());
    private static final UUID ID = UUID.fromString("0b6f3f2e-8a51-4d1c-9d0e-5b7a2c1e9f00");

    private static EventEnvelope full() {
        return new EventEnvelope(ID, "order-42", "Order", 3, 1042, "OrderPlaced", 2,
                Instant.parse("2026-11-30T09:15:02.123Z"), "corr-1", "cmd-9", Map.of("tenant", "acme"),
                EventPayload.ofJson("{\"total\":5}"));
    }

    @Test
    void theBusWritesExactlyTheDocumentedFieldsWithOptionalOnesLeftOutWhenAbsent() throws Exception {
        JsonNode written = JSON.readTree(EnvelopeCodec.encode(full()));
        JsonNode documented = JSON.readTree("""
                {"nx":1,"eventId":"0b6f3f2e-8a51-4d1c-9d0e-5b7a2c1e9f00","streamId":"order-42","aggregateType":"Order",
                 "version":3,"globalPosition":1042,"eventType":"OrderPlaced","schemaVersion":2,
                 "timestamp":"2026-11-30T09:15:02.123Z","correlationId":"corr-1","causationId":"cmd-9",
                 "metadata":{"tenant":"acme"},"payload":"eyJ0b3RhbCI6NX0="}""");
        assertEquals(documented, written);

        EventEnvelope bare = new EventEnvelope(ID, "order-42", null, 1, EventEnvelope.NO_POSITION, "OrderPlaced", 1,
                Instant.parse("2026-11-30T09:15:02Z"), null, null, Map.of(), EventPayload.ofBytes(new byte[]{(byte) 0xfb, (byte) 0xff}));
        JsonNode bareWritten = JSON.readTree(EnvelopeCodec.encode(bare));
        for (String omitted : new String[]{"aggregateType", "correlationId", "causationId"}) {
            assertFalse(bareWritten.has(omitted), omitted + " is left out, not written as null: " + bareWritten);
        }
        assertEquals("+/8=", bareWritten.get("payload").asText(), "standard alphabet with padding, not URL-safe");
        assertEquals(-1, bareWritten.get("globalPosition").asLong());
        assertEquals(Set.of(), SCHEMA.validate(written));
        assertEquals(Set.of(), SCHEMA.validate(bareWritten));
    }

    @Test
    void aRecordWrittenByHandFromTheDocumentationIsRead() {
        String handWritten = """
                {"nx":1,"eventId":"0b6f3f2e-8a51-4d1c-9d0e-5b7a2c1e9f00","streamId":"order-7","version":2,
                 "globalPosition":-1,"eventType":"OrderShipped","schemaVersion":1,"timestamp":"2026-11-30T09:15:02.5Z",
                 "metadata":{},"payload":"eyJjYXJyaWVyIjoiZGhsIn0=","addedInALaterRelease":true}""";
        EventEnvelope read = EnvelopeCodec.decode(handWritten.getBytes(StandardCharsets.UTF_8), "test");
        assertEquals("order-7", read.streamId());
        assertEquals("", read.aggregateType(), "an aggregate type left out reads as empty, never null");
        assertEquals(Instant.parse("2026-11-30T09:15:02.500Z"), read.timestamp());
        assertArrayEquals("{\"carrier\":\"dhl\"}".getBytes(StandardCharsets.UTF_8), read.payload().bytes());
        assertEquals(full(), EnvelopeCodec.decode(EnvelopeCodec.encode(full()), "test"));
    }

    @Test
    void everyRecordTheSchemaRefusesTheBusRefusesTooNamingTheField() throws Exception {
        List<Map.Entry<String, String>> bad = new ArrayList<>();
        bad.add(Map.entry("payload", replace("\"payload\":\"eyJ0b3RhbCI6NX0=\"", "\"payload\":{\"total\":5}")));
        bad.add(Map.entry("payload", replace("\"payload\":\"eyJ0b3RhbCI6NX0=\"", "\"payload\":\"eyJ0b3RhbCI6NX0\"")));
        bad.add(Map.entry("nx", replace("\"nx\":1", "\"nx\":2")));
        bad.add(Map.entry("version", replace("\"version\":3", "\"version\":\"3\"")));
        bad.add(Map.entry("schemaVersion", replace("\"schemaVersion\":2", "\"schemaVersion\":2.5")));
        bad.add(Map.entry("timestamp", replace("\"timestamp\":\"2026-11-30T09:15:02.123Z\"", "\"timestamp\":\"2026-11-30 09:15:02\"")));
        bad.add(Map.entry("eventId", replace("\"eventId\":\"0b6f3f2e-8a51-4d1c-9d0e-5b7a2c1e9f00\"", "\"eventId\":\"42\"")));
        bad.add(Map.entry("aggregateType", replace("\"aggregateType\":\"Order\"", "\"aggregateType\":null")));
        bad.add(Map.entry("metadata", replace("\"metadata\":{\"tenant\":\"acme\"}", "\"metadata\":{\"tenant\":7}")));
        bad.add(Map.entry("streamId", replace("\"streamId\":\"order-42\",", "")));
        for (Map.Entry<String, String> entry : bad) {
            String record = entry.getValue();
            Set<ValidationMessage> errors = SCHEMA.validate(JSON.readTree(record));
            assertFalse(errors.isEmpty(), "the schema refuses " + record);
            NexusException e = assertThrows(NexusException.class,
                    () -> EnvelopeCodec.decode(record.getBytes(StandardCharsets.UTF_8), "'7' of shard 's'"));
            assertTrue(e.getMessage().contains(entry.getKey()) && e.getMessage().contains("'7' of shard 's'"), e.getMessage());
            assertFalse(e.isTransient());
        }
        assertThrows(NexusException.class, () -> EnvelopeCodec.decode("not json".getBytes(StandardCharsets.UTF_8), "x"));
    }

    private static String replace(String what, String with) throws Exception {
        String json = JSON.writeValueAsString(JSON.readTree(EnvelopeCodec.encode(full())));
        assertTrue(json.contains(what), json);
        return json.replace(what, with);
    }
}
