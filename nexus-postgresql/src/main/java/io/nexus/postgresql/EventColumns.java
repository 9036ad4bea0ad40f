package io.nexus.postgresql;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.postgresql.internal.Jdbc;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The columns of a whole {@link EventEnvelope} kept outside the event log (dead letters, parked events),
 * and the metadata encoding shared with the event log: a JSON object, {@code NULL} when empty.
 */
final class EventColumns {

    /** The column definitions, to splice into a CREATE TABLE. */
    static final String DDL = " event_id uuid NOT NULL,"
            + " stream_id text COLLATE \"C\" NOT NULL,"
            + " aggregate_type text,"
            + " version bigint NOT NULL,"
            + " global_position bigint NOT NULL,"
            + " event_type text NOT NULL,"
            + " schema_version integer NOT NULL,"
            + " recorded_at_ns bigint NOT NULL,"
            + " correlation_id text,"
            + " causation_id text,"
            + " metadata jsonb,"
            + " payload bytea NOT NULL";

    /** The column names in the order {@link #bind} and {@link #read} use. */
    static final String NAMES = "event_id, stream_id, aggregate_type, version, global_position, event_type, "
            + "schema_version, recorded_at_ns, correlation_id, causation_id, metadata, payload";

    /** As many placeholders as {@link #NAMES} has columns, metadata cast to jsonb. */
    static final String PLACEHOLDERS = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?";

    static final int COUNT = 12;

    private static final ObjectMapper JSON = new ObjectMapper();

    private EventColumns() {
    }

    /** Binds {@code event} to the {@link #COUNT} parameters starting at {@code first}. */
    static void bind(PreparedStatement statement, int first, EventEnvelope event) throws SQLException {
        int i = first;
        statement.setObject(i++, event.eventId());
        statement.setString(i++, event.streamId());
        statement.setString(i++, event.aggregateType());
        statement.setLong(i++, event.version());
        statement.setLong(i++, event.globalPosition());
        statement.setString(i++, event.eventType());
        statement.setInt(i++, event.schemaVersion());
        statement.setLong(i++, Jdbc.epochNanos(event.timestamp()));
        statement.setString(i++, event.correlationId());
        statement.setString(i++, event.causationId());
        String metadata = metadataJson(event.metadata());
        if (metadata == null) {
            statement.setNull(i++, Types.VARCHAR);
        } else {
            statement.setString(i++, metadata);
        }
        statement.setBytes(i, event.payload().unsafeBytes());
    }

    /** The envelope held by the {@link #COUNT} columns starting at {@code first}. */
    static EventEnvelope read(ResultSet rs, int first) throws SQLException {
        int i = first;
        UUID eventId = rs.getObject(i++, UUID.class);
        String streamId = rs.getString(i++);
        String aggregateType = rs.getString(i++);
        long version = rs.getLong(i++);
        long globalPosition = rs.getLong(i++);
        String eventType = rs.getString(i++);
        int schemaVersion = rs.getInt(i++);
        long recordedAt = rs.getLong(i++);
        String correlationId = rs.getString(i++);
        String causationId = rs.getString(i++);
        Map<String, String> metadata = metadata(rs.getString(i++));
        byte[] payload = rs.getBytes(i);
        return new EventEnvelope(eventId, streamId, aggregateType, version, globalPosition, eventType, schemaVersion,
                Jdbc.fromEpochNanos(recordedAt), correlationId, causationId, metadata, EventPayload.of(payload, null));
    }

    /**
     * Metadata as a JSON object, or {@code null} when there is none (most events: no jsonb to store or parse).
     * Written with Jackson's streaming generator: a flat map of strings needs no data binding.
     */
    static @Nullable String metadataJson(Map<String, String> metadata) {
        if (metadata.isEmpty()) {
            return null;
        }
        StringWriter out = new StringWriter(16 * metadata.size() + 2);
        try (JsonGenerator generator = JSON.getFactory().createGenerator(out)) {
            generator.writeStartObject();
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                generator.writeStringField(e.getKey(), e.getValue());
            }
            generator.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing metadata to a string", e);
        }
        return out.toString();
    }

    /**
     * The metadata of {@link #metadataJson}, as PostgreSQL's {@code jsonb} prints it back, read with Jackson's
     * streaming parser; numbers and booleans other tools wrote are read as their text, nested values refused.
     */
    static Map<String, String> metadata(String json) {
        if (json == null) {
            return Map.of();
        }
        try (JsonParser parser = JSON.getFactory().createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw notStrings(json, null);
            }
            Map<String, String> map = new HashMap<>();
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
                String key = parser.currentName();
                JsonToken value = parser.nextToken();
                if (!value.isScalarValue() || value == JsonToken.VALUE_NULL) {
                    throw notStrings(json, null);
                }
                map.put(key, parser.getText());
            }
            return Map.copyOf(map);
        } catch (IOException e) {
            throw notStrings(json, e);
        }
    }

    private static IllegalStateException notStrings(String json, @Nullable IOException cause) {
        return new IllegalStateException("stored metadata is not a JSON object of strings: " + json, cause);
    }
}
