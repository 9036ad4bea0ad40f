package io.nexus.kinesis;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

import java.net.URI;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The options of leased consumer groups, checked without a Kinesis or DynamoDB behind the clients. */
class LeasedConsumerGroupsConfigTest {

    private static final URI NOWHERE = URI.create("http://127.0.0.1:9");

    @Test
    void defaultsAndLeaseTableNames() {
        try (KinesisAsyncClient kinesis = LeaseTables.kinesis(NOWHERE); DynamoDbAsyncClient dynamoDb = LeaseTables.dynamoDb(NOWHERE)) {
            LeasedConsumerGroups groups = LeasedConsumerGroups.builder(kinesis, dynamoDb).leaseTablePrefix("prod-").build();
            assertEquals(Duration.ofSeconds(10), groups.failoverTime());
            assertEquals(Duration.ofSeconds(60), groups.shardSyncInterval());
            assertEquals(Duration.ofMillis(400), groups.pollInterval());
            assertEquals(1000, groups.maxRecordsPerBatch());
            assertEquals(LeasedConsumerGroups.Balancing.LEASE_COUNT, groups.balancing());
            assertFalse(groups.publishesMetrics());
            assertTrue(groups.workerId().contains(String.valueOf(ProcessHandle.current().pid())), groups.workerId());
            assertEquals("prod-billing-orders", groups.leaseTableName("billing", "orders"));
            IllegalArgumentException invalid = assertThrows(IllegalArgumentException.class,
                    () -> groups.leaseTableName("billing/eu", "orders"));
            assertTrue(invalid.getMessage().contains("'prod-billing/eu-orders'"), invalid.getMessage());
        }
    }

    @Test
    void optionsAreCheckedWhenSet() {
        try (KinesisAsyncClient kinesis = LeaseTables.kinesis(NOWHERE); DynamoDbAsyncClient dynamoDb = LeaseTables.dynamoDb(NOWHERE)) {
            LeasedConsumerGroups.Builder builder = LeasedConsumerGroups.builder(kinesis, dynamoDb);
            assertThrows(IllegalArgumentException.class, () -> builder.failoverTime(Duration.ofMillis(100)));
            assertThrows(IllegalArgumentException.class, () -> builder.maxRecordsPerBatch(0));
            assertThrows(IllegalArgumentException.class, () -> builder.maxRecordsPerBatch(10_001));
            assertThrows(IllegalArgumentException.class, () -> builder.workerId(" "));
            assertThrows(NullPointerException.class, () -> LeasedConsumerGroups.builder(kinesis, null));
        }
    }

    @Test
    void aBusRefusesAGroupWhoseLeaseTableNameIsInvalidAndHoldsNoLeasesWithoutLeasedGroups() {
        KinesisMock mock = KinesisMock.get();
        String stream = mock.createStream("leased-config", 1);
        try (KinesisAsyncClient kinesis = LeaseTables.kinesis(NOWHERE); DynamoDbAsyncClient dynamoDb = LeaseTables.dynamoDb(NOWHERE);
             KinesisEventBus leased = KinesisEventBus.builder(mock.admin()).primaryStream(stream)
                     .leasedConsumerGroups(LeasedConsumerGroups.builder(kinesis, dynamoDb).build()).build();
             KinesisEventBus plain = KinesisEventBus.builder(mock.admin()).primaryStream(stream).build()) {
            assertThrows(IllegalArgumentException.class,
                    () -> leased.subscribe("billing/eu", io.nexus.core.bus.BusPath.PRIMARY, e -> { }));
            assertTrue(leased.leasedShards("billing/eu", io.nexus.core.bus.BusPath.PRIMARY).isEmpty());
            assertTrue(plain.leasedConsumerGroups().isEmpty());
            assertTrue(leased.leasedConsumerGroups().isPresent());
            try (var group = plain.subscribe("billing", io.nexus.core.bus.BusPath.PRIMARY, e -> { })) {
                assertTrue(plain.leasedShards("billing", io.nexus.core.bus.BusPath.PRIMARY).isEmpty());
            }
        } finally {
            mock.deleteStream(stream);
        }
    }
}
