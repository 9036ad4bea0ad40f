package io.nexus.dynamodb;

import io.nexus.core.event.EventPayload;
import io.nexus.core.snapshot.Snapshot;
import io.nexus.core.snapshot.SnapshotTooLargeException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The DynamoDB snapshot store against DynamoDB Local. */
class DynamoDbSnapshotStoreTest {

    private DynamoDbTables.Names tables;
    private DynamoDbSnapshotStore store;

    @BeforeEach
    void setUp() {
        tables = DynamoDbLocal.freshTables("snap");
        store = DynamoDbSnapshotStore.builder(DynamoDbLocal.client()).tableName(tables.snapshots()).build();
    }

    static Snapshot snapshot(String stream, long version, String state) {
        return new Snapshot(stream, "Order", version, 1, Instant.parse("2026-03-04T05:06:07.123456789Z"),
                EventPayload.ofJson(state));
    }

    @Test
    void keepsTheLatestSnapshotPerStream() {
        assertEquals(Optional.empty(), store.latest("order-1"));
        store.save(snapshot("order-1", 3, "{\"v\":3}"));
        store.save(snapshot("order-2", 1, "{\"v\":1}"));
        store.save(snapshot("order-1", 7, "{\"v\":7}"));

        Snapshot latest = store.latest("order-1").orElseThrow();
        assertEquals(7, latest.version());
        assertEquals("{\"v\":7}", latest.state().asString());
        assertEquals("Order", latest.aggregateType());
        assertEquals(1, latest.stateSchemaVersion());
        assertEquals(Instant.parse("2026-03-04T05:06:07.123456789Z"), latest.createdAt());
        assertEquals(1, store.latest("order-2").orElseThrow().version());
    }

    @Test
    void anOlderOrEqualSnapshotNeverReplacesANewerOne() {
        store.save(snapshot("s", 7, "{\"v\":7}"));
        store.save(snapshot("s", 5, "{\"v\":5}"));
        store.save(snapshot("s", 7, "{\"other\":true}"));
        assertEquals("{\"v\":7}", store.latest("s").orElseThrow().state().asString());
    }

    @Test
    void largeStatesAreStoredCompressedAndReadBackExactly() {
        StringBuilder json = new StringBuilder("{\"lines\":[");
        for (int i = 0; i < 60_000; i++) {
            json.append(i == 0 ? "" : ",").append("{\"sku\":\"SKU-").append(i % 97).append("\",\"qty\":").append(i % 5).append('}');
        }
        String state = json.append("]}").toString();
        assertTrue(state.length() > 1_000_000, "the state is larger than one DynamoDB item");

        store.save(snapshot("big", 1, state));

        assertEquals(state, store.latest("big").orElseThrow().state().asString());
        Map<String, AttributeValue> item = DynamoDbLocal.client().getItem(b -> b.tableName(tables.snapshots())
                .key(Map.of("pk", AttributeValue.fromS("big")))).item();
        assertTrue(item.get("gz").bool());
        assertTrue(item.get("st").b().asByteArray().length < state.length() / 10);
    }

    /** docs/dynamodb.md lists every attribute of the snapshot item; this keeps the list honest. */
    @Test
    void theSnapshotItemHoldsExactlyTheDocumentedAttributes() {
        store.save(snapshot("documented", 7, "{\"a\":1}"));
        Map<String, AttributeValue> item = DynamoDbLocal.client().getItem(b -> b.tableName(tables.snapshots())
                .key(Map.of("pk", AttributeValue.fromS("documented")))).item();
        assertEquals(java.util.Set.of("pk", "v", "at", "ssv", "ts", "gz", "st"), item.keySet());
        assertEquals("7", item.get("v").n());
        assertEquals("Order", item.get("at").s());
        assertEquals("1", item.get("ssv").n());
        assertEquals("1772600767123456789", item.get("ts").n(), "epoch nanoseconds of 2026-03-04T05:06:07.123456789Z");
    }

    @Test
    void smallStatesAreStoredAsTheyAre() {
        store.save(snapshot("small", 1, "{\"a\":1}"));
        Map<String, AttributeValue> item = DynamoDbLocal.client().getItem(b -> b.tableName(tables.snapshots())
                .key(Map.of("pk", AttributeValue.fromS("small")))).item();
        assertFalse(item.get("gz").bool());
    }

    @Test
    void aStateTooLargeEvenCompressedIsRejectedAndTheHeldSnapshotKept() {
        store.save(snapshot("s", 1, "{\"v\":1}"));
        byte[] noise = new byte[600 * 1024];
        new Random(42).nextBytes(noise);
        Snapshot huge = new Snapshot("s", "Order", 2, 1, Instant.now(), EventPayload.ofBytes(noise));

        SnapshotTooLargeException e = assertThrows(SnapshotTooLargeException.class, () -> store.save(huge));

        assertTrue(e.getMessage().contains("'s'"), e.getMessage());
        assertEquals(1, store.latest("s").orElseThrow().version());
    }

    @Test
    void deleteRemovesTheSnapshotAndIgnoresUnknownStreams() {
        store.save(snapshot("s", 1, "{}"));
        store.delete("s");
        store.delete("never-saved");
        assertEquals(Optional.empty(), store.latest("s"));
        store.save(snapshot("s", 1, "{}"));
        assertEquals(1, store.latest("s").orElseThrow().version());
    }

    @Test
    void aMissingTableIsAPermanentError() {
        DynamoDbSnapshotStore missing = DynamoDbSnapshotStore.builder(DynamoDbLocal.client()).tableName("nope").build();
        DynamoDbAccessException e = assertThrows(DynamoDbAccessException.class, () -> missing.latest("s"));
        assertFalse(e.isTransient());
    }
}
