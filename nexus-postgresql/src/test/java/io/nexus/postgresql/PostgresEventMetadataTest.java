package io.nexus.postgresql;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventIds;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.StreamQuery;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Event metadata is written and read by the store's own flat-object JSON code, through PostgreSQL's
 * {@code jsonb}: every character a string can hold comes back unchanged, and a row written by another tool
 * in any valid JSON layout is still read.
 */
class PostgresEventMetadataTest {

    @Test
    void metadataWithEveryKindOfCharacterComesBackUnchangedFromStreamAndLog() {
        String schema = EmbeddedPostgresServer.freshSchema("meta");
        Map<String, String> metadata = Map.of(
                "quote\"and\\backslash", "a \"quoted\" \\ value /slash/",
                "controls", "tab\tnew\nline\rreturn\bback\fform\u0001\u001f\u007f",
                "unicode", "é ü 東京 🙂 \u2028\u2029",
                "", "empty key",
                "empty value", "",
                "json-ish", "{\"not\": [\"parsed\"]}");
        try (PostgresEventStore store = PostgresEventStore.builder(EmbeddedPostgresServer.dataSource()).schema(schema)
                .build()) {
            NewEvent event = new NewEvent(EventIds.next(), "Noted", 1, EventPayload.ofJson("{}"), "c", "d", metadata);
            store.append("note-1", "Note", ExpectedVersion.noStream(), List.of(event));

            assertEquals(metadata, store.read(StreamQuery.stream("note-1")).get(0).metadata());
            List<EventEnvelope> log = store.readAll(1, 10);
            assertEquals(metadata, log.get(0).metadata());
        }
    }

    @Test
    void metadataWrittenByAnotherToolInAnyJsonLayoutIsRead() throws Exception {
        String schema = EmbeddedPostgresServer.freshSchema("meta");
        try (PostgresEventStore store = PostgresEventStore.builder(EmbeddedPostgresServer.dataSource()).schema(schema)
                .build()) {
            store.append("note-2", "Note", ExpectedVersion.noStream(),
                    List.of(new NewEvent(EventIds.next(), "Noted", 1, EventPayload.ofJson("{}"), null, null, Map.of("k", "v"))));
            // Escapes the store never writes (an escaped slash, a unicode escape of a printable character); jsonb prints
            // them back decoded, with its own spacing.
            try (Connection connection = EmbeddedPostgresServer.dataSource().getConnection();
                 PreparedStatement update = connection.prepareStatement("UPDATE " + schema + ".events SET metadata = "
                         + "'{ \"a\\/b\" :\"\\u0041\\n\" , \"x\": \"y\" }'::jsonb")) {
                update.executeUpdate();
            }
            assertEquals(Map.of("a/b", "A\n", "x", "y"), store.read(StreamQuery.stream("note-2")).get(0).metadata());
            // jsonb keeps non-string values; the store hands their text form over rather than failing.
            try (Connection connection = EmbeddedPostgresServer.dataSource().getConnection();
                 PreparedStatement update = connection.prepareStatement("UPDATE " + schema + ".events SET metadata = "
                         + "'{\"n\": 12, \"t\": true}'::jsonb");
                 PreparedStatement check = connection.prepareStatement("SELECT metadata::text FROM " + schema + ".events")) {
                update.executeUpdate();
                try (ResultSet rs = check.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("{\"n\": 12, \"t\": true}", rs.getString(1));
                }
            }
            assertEquals(Map.of("n", "12", "t", "true"), store.read(StreamQuery.stream("note-2")).get(0).metadata());
        }
    }
}
