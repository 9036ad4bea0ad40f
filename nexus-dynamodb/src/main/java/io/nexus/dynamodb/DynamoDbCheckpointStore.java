package io.nexus.dynamodb;

import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.dynamodb.internal.AwsCalls;
import io.nexus.dynamodb.internal.EventItems;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static io.nexus.dynamodb.internal.PortItems.attribute;

/**
 * The core {@link CheckpointStore} on DynamoDB: one item per consumer and partition in the checkpoints
 * table ({@code pk} = consumer, {@code sk} = partition; see {@link DynamoDbTables#checkpointsTable}).
 *
 * <p>A save is one unconditional {@code PutItem} (1 WCU), so it may move a checkpoint backwards as the
 * port requires; {@link #load} is a strongly consistent {@code GetItem}, {@link #loadAll} a strongly
 * consistent {@code Query}, {@link #reset} a {@code Query} plus one {@code DeleteItem} per partition.
 * Failures surface as {@link DynamoDbAccessException} with the AWS error as the cause.
 *
 * <p>Thread-safe; the caller owns the client.
 */
public final class DynamoDbCheckpointStore implements CheckpointStore {

    private static final String POSITION = "pos";
    private static final String UPDATED = "ts";

    private final DynamoDbClient client;
    private final String table;
    private final Clock clock;
    private final AwsCalls calls;

    /**
     * @param client    the caller's client
     * @param tableName the checkpoints table
     */
    public DynamoDbCheckpointStore(DynamoDbClient client, String tableName) {
        this(client, tableName, Clock.systemUTC());
    }

    /**
     * @param client    the caller's client
     * @param tableName the checkpoints table
     * @param clock     stamps {@link Checkpoint#updatedAt()}
     */
    public DynamoDbCheckpointStore(DynamoDbClient client, String tableName, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        if (tableName == null || tableName.isBlank()) {
            throw new IllegalArgumentException("tableName must not be blank, but was '" + tableName + "'");
        }
        this.table = tableName;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.calls = new AwsCalls(RetryPolicy.custom().maxAttempts(8).initialDelay(Duration.ofMillis(50))
                .maxDelay(Duration.ofSeconds(5)).build(), DynamoDbAccessException::new);
    }

    @Override
    public Optional<Checkpoint> load(String consumer, String partition) {
        requireText(consumer, "consumer");
        requireText(partition, "partition");
        Map<String, AttributeValue> item = calls.call("load the checkpoint of '" + consumer + "' in '" + partition + "'",
                () -> client.getItem(b -> b.tableName(table).consistentRead(true).key(key(consumer, partition)))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(toCheckpoint(item));
    }

    @Override
    public Map<String, Checkpoint> loadAll(String consumer) {
        requireText(consumer, "consumer");
        Map<String, Checkpoint> out = new LinkedHashMap<>();
        for (Map<String, AttributeValue> item : query(consumer)) {
            Checkpoint checkpoint = toCheckpoint(item);
            out.put(checkpoint.partition(), checkpoint);
        }
        return out;
    }

    @Override
    public void save(String consumer, String partition, String position) {
        requireText(consumer, "consumer");
        requireText(partition, "partition");
        requireText(position, "position");
        Map<String, AttributeValue> item = new HashMap<>(key(consumer, partition));
        item.put(POSITION, AttributeValue.fromS(position));
        item.put(UPDATED, EventItems.n(EventItems.toNanos(clock.instant())));
        calls.call("save the checkpoint of '" + consumer + "' in '" + partition + "'",
                () -> client.putItem(b -> b.tableName(table).item(item)));
    }

    @Override
    public void reset(String consumer) {
        requireText(consumer, "consumer");
        for (Map<String, AttributeValue> item : query(consumer)) {
            String partition = attribute(item, "sk").s();
            calls.call("delete the checkpoint of '" + consumer + "' in '" + partition + "'",
                    () -> client.deleteItem(b -> b.tableName(table).key(key(consumer, partition))));
        }
    }

    private List<Map<String, AttributeValue>> query(String consumer) {
        List<Map<String, AttributeValue>> items = new java.util.ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest.Builder request = QueryRequest.builder().tableName(table).consistentRead(true)
                    .keyConditionExpression("pk = :c")
                    .expressionAttributeValues(Map.of(":c", AttributeValue.fromS(consumer)));
            if (start != null) {
                request.exclusiveStartKey(start);
            }
            QueryRequest built = request.build();
            QueryResponse page = calls.call("load the checkpoints of '" + consumer + "'", () -> client.query(built));
            items.addAll(page.items());
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return items;
    }

    private static Checkpoint toCheckpoint(Map<String, AttributeValue> item) {
        return new Checkpoint(attribute(item, "pk").s(), attribute(item, "sk").s(), attribute(item, POSITION).s(),
                EventItems.fromNanos(Long.parseLong(attribute(item, UPDATED).n())));
    }

    private static Map<String, AttributeValue> key(String consumer, String partition) {
        return Map.of("pk", AttributeValue.fromS(consumer), "sk", AttributeValue.fromS(partition));
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank, but was '" + value + "'");
        }
    }
}
