package io.nexus.kinesis;

import io.nexus.core.bus.BusPath;
import io.nexus.core.bus.ConsumerGroup;
import io.nexus.core.event.EventEnvelope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.nexus.kinesis.KinesisTesting.await;
import static io.nexus.kinesis.KinesisTesting.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Leased consumer groups in one JVM: two KCL workers of one group on a four-shard stream. */
class LeasedConsumerGroupTest {

    private static final Duration BOUND = Duration.ofSeconds(40);

    private final KinesisMock mock = KinesisMock.get();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private String stream;

    @BeforeEach
    void createStream() {
        stream = mock.createStream("leased", 4);
        try (KinesisAsyncClient kinesis = LeaseTables.kinesis(mock.endpoint());
             DynamoDbAsyncClient dynamoDb = LeaseTables.dynamoDb(LeaseTables.dynamoDb())) {
            LeasedConsumerGroups groups = LeaseTables.groups(kinesis, dynamoDb, "set-up");
            assertTrue(groups.createLeaseTable("billing", stream), "a new stream's lease table is created");
            assertFalse(groups.createLeaseTable("billing", stream), "and found the second time");
        }
    }

    @AfterEach
    void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        mock.deleteStream(stream);
    }

    private KinesisEventBus bus(String worker) {
        KinesisAsyncClient kinesis = LeaseTables.kinesis(mock.endpoint());
        DynamoDbAsyncClient dynamoDb = LeaseTables.dynamoDb(LeaseTables.dynamoDb());
        closeables.add(kinesis);
        closeables.add(dynamoDb);
        KinesisEventBus bus = KinesisEventBus.builder(mock.admin()).primaryStream(stream)
                .leasedConsumerGroups(LeaseTables.groups(kinesis, dynamoDb, worker)).build();
        closeables.add(bus);
        return bus;
    }

    @Test
    void twoWorkersSplitTheShardsAndHandleEveryEventInOrderPerKey() {
        KinesisEventBus first = bus("w1");
        KinesisEventBus second = bus("w2");
        Map<String, List<Long>> handled = new ConcurrentHashMap<>();
        ConsumerGroup a = first.subscribe("billing", BusPath.PRIMARY,
                e -> handled.computeIfAbsent(e.streamId(), k -> new CopyOnWriteArrayList<>()).add(e.version()));
        ConsumerGroup b = second.subscribe("billing", BusPath.PRIMARY,
                e -> handled.computeIfAbsent(e.streamId(), k -> new CopyOnWriteArrayList<>()).add(e.version()));
        closeables.add(a);
        closeables.add(b);
        await("the two workers hold all four shards between them, two each", BOUND, () ->
                first.leasedShards("billing", BusPath.PRIMARY).size() == 2
                        && second.leasedShards("billing", BusPath.PRIMARY).size() == 2);
        Set<String> all = new HashSet<>(first.leasedShards("billing", BusPath.PRIMARY));
        all.addAll(second.leasedShards("billing", BusPath.PRIMARY));
        assertEquals(4, all.size(), "the shards are split, not shared");

        List<EventEnvelope> events = new ArrayList<>();
        for (int v = 1; v <= 5; v++) {
            for (int k = 0; k < 20; k++) {
                events.add(event("order-" + k, v, "Placed"));
            }
        }
        first.publish(events);
        await("every event is handled", BOUND, () -> handled.values().stream().mapToInt(List::size).sum() >= 100
                && handled.size() == 20);
        handled.forEach((key, versions) -> assertEquals(List.of(1L, 2L, 3L, 4L, 5L), versions, key));
    }
}
