package io.nexus.dynamodb;

import io.nexus.core.retry.RetryPolicy;
import io.nexus.dynamodb.internal.AwsCalls;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Shard checkpoints in a DynamoDB table ({@code pk} = reader name, {@code sk} = shard id; see
 * {@link DynamoDbTables#checkpointsTable}). One write unit per checkpoint, strongly consistent reads.
 * There is no lease: run one reader per reader name at a time. Thread-safe.
 */
public final class DynamoDbShardCheckpointStore implements ShardCheckpointStore {

    private final DynamoDbClient client;
    private final String table;
    private final AwsCalls calls;

    /**
     * @param client    the caller's client
     * @param tableName the checkpoints table
     */
    public DynamoDbShardCheckpointStore(DynamoDbClient client, String tableName) {
        this.client = Objects.requireNonNull(client, "client");
        if (tableName == null || tableName.isBlank()) {
            throw new IllegalArgumentException("tableName must not be blank, but was '" + tableName + "'");
        }
        this.table = tableName;
        this.calls = new AwsCalls(RetryPolicy.custom().maxAttempts(8).initialDelay(Duration.ofMillis(50))
                .maxDelay(Duration.ofSeconds(5)).build(), DynamoDbAccessException::new);
    }

    @Override
    public Optional<ShardCheckpoint> load(String readerName, String shardId) {
        Map<String, AttributeValue> item = calls.call("load checkpoint of reader '" + readerName + "' shard '" + shardId + "'",
                () -> client.getItem(b -> b.tableName(table).consistentRead(true).key(Map.of(
                        "pk", AttributeValue.fromS(readerName), "sk", AttributeValue.fromS(shardId))))).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        AttributeValue seq = item.get("seq");
        return Optional.of(new ShardCheckpoint(shardId, seq == null ? null : seq.s(),
                Boolean.TRUE.equals(item.get("fin").bool())));
    }

    @Override
    public void save(String readerName, ShardCheckpoint checkpoint) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", AttributeValue.fromS(readerName));
        item.put("sk", AttributeValue.fromS(checkpoint.shardId()));
        if (checkpoint.sequenceNumber() != null) {
            item.put("seq", AttributeValue.fromS(checkpoint.sequenceNumber()));
        }
        item.put("fin", AttributeValue.fromBool(checkpoint.finished()));
        calls.call("save checkpoint of reader '" + readerName + "' shard '" + checkpoint.shardId() + "'",
                () -> client.putItem(b -> b.tableName(table).item(item)));
    }
}
