package io.nexus.dynamodb;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Provisioning against DynamoDB Local: what the tables look like, and that creating twice is harmless. */
class DynamoDbTablesTest {

    @Test
    void createsTheDocumentedTablesOnceAndLeavesThemOnTheSecondCall() {
        DynamoDbTables.Names names = DynamoDbTables.Names.withPrefix("prov-" + UUID.randomUUID() + "-");
        DynamoDbTables.createIfMissing(DynamoDbLocal.client(), names);
        DynamoDbLocal.client().putItem(b -> b.tableName(names.snapshots()).item(java.util.Map.of(
                "pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("kept"))));
        DynamoDbTables.createIfMissing(DynamoDbLocal.client(), names);

        TableDescription events = describe(names.events());
        assertEquals(List.of("pk:HASH", "sk:RANGE"), keys(events.keySchema()));
        assertEquals(BillingMode.PAY_PER_REQUEST, events.billingModeSummary().billingMode());
        assertTrue(events.streamSpecification().streamEnabled());
        assertEquals(StreamViewType.NEW_IMAGE, events.streamSpecification().streamViewType());
        assertTrue(events.globalSecondaryIndexes().isEmpty(), "no secondary index: the global log is indexed in the table");

        assertEquals(List.of("pk:HASH"), keys(describe(names.snapshots()).keySchema()));
        for (String table : List.of(names.checkpoints(), names.deadLetters(), names.timers(), names.audit(),
                names.readModels())) {
            TableDescription described = describe(table);
            assertEquals(List.of("pk:HASH", "sk:RANGE"), keys(described.keySchema()), table);
            assertEquals(BillingMode.PAY_PER_REQUEST, described.billingModeSummary().billingMode(), table);
        }
        assertEquals(1, DynamoDbLocal.client().scan(b -> b.tableName(names.snapshots())).count(),
                "the second call left the existing table and its items alone");
    }

    @Test
    void aNullNameSkipsThatTable() {
        String events = "prov-only-" + UUID.randomUUID();
        DynamoDbTables.createIfMissing(DynamoDbLocal.client(), new DynamoDbTables.Names(events, null, null));
        assertEquals(events, describe(events).tableName());
        List<String> all = DynamoDbLocal.client().listTablesPaginator(b -> { }).tableNames().stream()
                .filter(name -> name.startsWith(events)).toList();
        assertEquals(List.of(events), all, "only the named table is created");
    }

    private static TableDescription describe(String table) {
        return DynamoDbLocal.client().describeTable(b -> b.tableName(table)).table();
    }

    private static List<String> keys(List<KeySchemaElement> schema) {
        return schema.stream().map(k -> k.attributeName() + ":" + k.keyType()).toList();
    }
}
