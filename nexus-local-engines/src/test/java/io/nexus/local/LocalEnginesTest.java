package io.nexus.local;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.core.GetResponse;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The three engines started together answer their real APIs, and stop cleanly. */
class LocalEnginesTest {

    private static LocalEngines engines;

    @BeforeAll
    static void start() {
        engines = LocalEngines.start(Path.of(System.getProperty("nexus.kinesisMock.dir", "target/kinesis-mock")));
    }

    @AfterAll
    static void stop() {
        if (engines != null) {
            engines.close();
        }
    }

    @Test
    void dynamoDbWritesAreReadBackThroughItsStream() {
        EngineEndpoints endpoints = engines.endpoints();
        try (DynamoDbClient dynamoDb = endpoints.dynamoDbClientBuilder().build();
             DynamoDbStreamsClient streams = endpoints.dynamoDbStreamsClientBuilder().build()) {
            String stream = dynamoDb.createTable(r -> r.tableName("things")
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("id").attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_IMAGE)))
                    .tableDescription().latestStreamArn();
            dynamoDb.putItem(r -> r.tableName("things").item(Map.of("id", AttributeValue.fromS("a"))));

            String shard = streams.describeStream(r -> r.streamArn(stream)).streamDescription().shards().get(0).shardId();
            String iterator = streams.getShardIterator(r -> r.streamArn(stream).shardId(shard)
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            List<Record> records = streams.getRecords(r -> r.shardIterator(iterator)).records();

            assertEquals(1, records.size());
            assertEquals("a", records.get(0).dynamodb().newImage().get("id").s());
        }
    }

    @Test
    void dynamoDbIsOneDatabaseWhateverTheAccessKey() {
        try (DynamoDbClient dynamoDb = engines.dynamoDb().clientBuilder().build();
             DynamoDbClient other = engines.dynamoDb().clientBuilder()
                     .credentialsProvider(() -> software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("other", "key"))
                     .build()) {
            dynamoDb.createTable(r -> r.tableName("shared")
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("id").attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                    .billingMode(BillingMode.PAY_PER_REQUEST));

            assertTrue(other.listTables().tableNames().contains("shared"));
        }
    }

    @Test
    void kinesisRecordsAreReadBackFromTheirShard() {
        try (KinesisClient kinesis = engines.kinesis().clientBuilder().build()) {
            kinesis.createStream(r -> r.streamName("bus").shardCount(1));
            kinesis.waiter().waitUntilStreamExists(r -> r.streamName("bus"));
            kinesis.putRecord(r -> r.streamName("bus").partitionKey("k").data(SdkBytes.fromUtf8String("hello")));

            String shard = kinesis.listShards(r -> r.streamName("bus")).shards().get(0).shardId();
            String iterator = kinesis.getShardIterator(r -> r.streamName("bus").shardId(shard)
                    .shardIteratorType(software.amazon.awssdk.services.kinesis.model.ShardIteratorType.TRIM_HORIZON)).shardIterator();
            var records = kinesis.getRecords(r -> r.shardIterator(iterator)).records();

            assertEquals(1, records.size());
            assertEquals("hello", records.get(0).data().asString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void openSearchIndexesAndReturnsDocuments() throws Exception {
        OpenSearchClient client = engines.endpoints().openSearchClient();
        try {
            client.indices().create(r -> r.index("docs"));
            Map<String, Object> document = new HashMap<>();
            document.put("title", "blue shoes");
            client.index(r -> r.index("docs").id("1").document(document).refresh(org.opensearch.client.opensearch._types.Refresh.True));

            @SuppressWarnings({"rawtypes", "unchecked"})
            GetResponse<Map> found = client.get(r -> r.index("docs").id("1"), Map.class);

            assertTrue(found.found());
            assertEquals("blue shoes", found.source().get("title"));
        } finally {
            client._transport().close();
        }
    }

    @Test
    void endpointsTravelAsSystemProperties() {
        EngineEndpoints endpoints = engines.endpoints();

        assertEquals(endpoints, EngineEndpoints.fromProperties(endpoints.toProperties()::get));
        assertEquals(3, endpoints.toJvmArguments().length);
    }

    @Test
    void missingEndpointPropertiesAreNamed() {
        Map<String, String> partial = Map.of(EngineEndpoints.KINESIS_PROPERTY, "http://127.0.0.1:1");

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> EngineEndpoints.fromProperties(partial::get));

        assertEquals("engine endpoint properties 'nexus.engines.dynamodb', 'nexus.engines.opensearch' are not set; "
                + "pass them as written by EngineEndpoints.toProperties()", error.getMessage());
    }

    @Test
    void aSecondDynamoDbStopsWithoutStoppingTheFirst() {
        LocalDynamoDb second = LocalDynamoDb.start();
        URI endpoint = second.endpoint();
        try (DynamoDbClient client = second.clientBuilder().build()) {
            client.listTables();
        }

        second.close();
        second.close();

        assertFalse(Ports.open(endpoint.getPort()), "port still open after close");
        try (DynamoDbClient first = engines.dynamoDb().clientBuilder().build()) {
            first.listTables();
        }
    }

    @Test
    void aStoppedKinesisMockEndsItsProcess() {
        LocalKinesis kinesis = LocalKinesis.start(Path.of(System.getProperty("nexus.kinesisMock.dir", "target/kinesis-mock")));
        int port = kinesis.endpoint().getPort();
        assertTrue(Ports.open(port));

        kinesis.close();

        assertFalse(kinesis.isRunning());
        assertFalse(Ports.open(port));
    }
}
