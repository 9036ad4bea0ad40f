package io.nexus.postgresql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.postgresql.internal.Jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Map;
import java.util.UUID;

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
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {
    };

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
     * Written by hand: it is a flat map of strings, and Jackson's per-call setup costs more than the writing.
     */
    static String metadataJson(Map<String, String> metadata) {
        if (metadata.isEmpty()) {
            return null;
        }
        StringBuilder out = new StringBuilder(16 * metadata.size() + 2);
        out.append('{');
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (out.length() > 1) {
                out.append(',');
            }
            quote(out, e.getKey());
            out.append(':');
            quote(out, e.getValue());
        }
        return out.append('}').toString();
    }

    private static void quote(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0, n = value.length(); i < n; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7F) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * The metadata of {@link #metadataJson}, as PostgreSQL's {@code jsonb} prints it back. A flat object of
     * strings is parsed by hand; anything else (written by other tools) goes through Jackson.
     */
    static Map<String, String> metadata(String json) {
        if (json == null) {
            return Map.of();
        }
        Map<String, String> parsed = FlatObject.parse(json);
        if (parsed != null) {
            return parsed;
        }
        try {
            return Map.copyOf(JSON.readValue(json, STRING_MAP));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored metadata is not a JSON object of strings: " + json, e);
        }
    }

    /** A parser of one JSON object whose values are all strings; {@code null} for any other input. */
    private static final class FlatObject {
        private final String json;
        private int at;

        private FlatObject(String json) {
            this.json = json;
        }

        static Map<String, String> parse(String json) {
            FlatObject p = new FlatObject(json);
            try {
                return p.object();
            } catch (IndexOutOfBoundsException e) {
                return null;
            }
        }

        private Map<String, String> object() {
            space();
            if (json.charAt(at++) != '{') {
                return null;
            }
            space();
            if (json.charAt(at) == '}') {
                at++;
                return end() ? Map.of() : null;
            }
            java.util.HashMap<String, String> map = new java.util.HashMap<>();
            while (true) {
                String key = string();
                space();
                if (key == null || json.charAt(at++) != ':') {
                    return null;
                }
                space();
                String value = string();
                if (value == null || map.put(key, value) != null) {
                    return null;
                }
                space();
                char c = json.charAt(at++);
                if (c == '}') {
                    return end() ? Map.copyOf(map) : null;
                }
                if (c != ',') {
                    return null;
                }
                space();
            }
        }

        private boolean end() {
            space();
            return at == json.length();
        }

        private void space() {
            while (at < json.length()) {
                char c = json.charAt(at);
                if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                    return;
                }
                at++;
            }
        }

        private String string() {
            if (json.charAt(at++) != '"') {
                return null;
            }
            int start = at;
            while (true) {
                char c = json.charAt(at);
                if (c == '"') {
                    return json.substring(start, at++);
                }
                if (c == '\\') {
                    return escaped(start);
                }
                at++;
            }
        }

        private String escaped(int start) {
            StringBuilder out = new StringBuilder(json.length() - start).append(json, start, at);
            while (true) {
                char c = json.charAt(at++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = json.charAt(at++);
                switch (e) {
                    case '"', '\\', '/' -> out.append(e);
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        int code = 0;
                        for (int k = 0; k < 4; k++) {
                            int digit = Character.digit(json.charAt(at++), 16);
                            if (digit < 0) {
                                return null;
                            }
                            code = code * 16 + digit;
                        }
                        out.append((char) code);
                    }
                    default -> {
                        return null;
                    }
                }
            }
        }
    }
}
