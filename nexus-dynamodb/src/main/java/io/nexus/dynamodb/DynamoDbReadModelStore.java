package io.nexus.dynamodb;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexus.core.readmodel.ReadModelStore;
import io.nexus.core.readmodel.Versioned;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.dynamodb.internal.AwsCalls;
import io.nexus.dynamodb.internal.ItemSizes;
import io.nexus.dynamodb.internal.Queries;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static io.nexus.dynamodb.internal.PortItems.attribute;

/**
 * One named {@link ReadModelStore} on DynamoDB, handed out by {@link DynamoDbReadModelStores#store}.
 *
 * <p>Implementation notes. One item per read model: {@code pk} = store name, {@code sk} = id, {@code v} = version,
 * {@code doc} = the value as JSON text. {@link #put} is a {@code PutItem} conditioned on "no item, or an older
 * version", so redelivered or late events never move a read model backwards and concurrent writers need no
 * lock; losing the condition is the port's {@code false}. {@link #get} is a strongly consistent
 * {@code GetItem}, {@link #getAll} strongly consistent {@code BatchGetItem}s of 100 keys (unprocessed keys
 * asked again), {@link #delete} a {@code DeleteItem} returning the old item, {@link #count} a {@code Query}
 * with {@code Select.COUNT} over the store's partition (it reads the whole partition: 0.5 RCU per 4 KB; use
 * it for checks, not per request). A value whose item exceeds 400 KB is refused with a permanent
 * {@link DynamoDbAccessException}, a value Jackson cannot write or read with a permanent one as well.
 *
 * <p>Thread-safe; the caller owns the client.
 *
 * @param <V> the read model type
 */
public final class DynamoDbReadModelStore<V> implements ReadModelStore<V> {

    private static final String VERSION = "v";
    private static final String DOC = "doc";
    private static final int BATCH = 100;

    private final DynamoDbClient client;
    private final String table;
    private final String name;
    private final Class<V> type;
    private final ObjectMapper mapper;
    private final AwsCalls calls;
    private final Queries queries;

    DynamoDbReadModelStore(DynamoDbClient client, String table, String name, Class<V> type, ObjectMapper mapper,
                           RetryPolicy retryPolicy) {
        this.client = client;
        this.table = table;
        this.name = name;
        this.type = type;
        this.mapper = mapper;
        this.calls = new AwsCalls(retryPolicy, DynamoDbAccessException::new);
        this.queries = new Queries(client, calls);
    }

    /** The store's name, its partition in the table. */
    public String name() {
        return name;
    }

    @Override
    public Optional<Versioned<V>> get(String id) {
        Objects.requireNonNull(id, "id");
        Map<String, AttributeValue> item = calls.call("read '" + id + "' of read-model store '" + name + "'",
                () -> client.getItem(b -> b.tableName(table).consistentRead(true).key(key(id)))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(toVersioned(item));
    }

    @Override
    public Map<String, Versioned<V>> getAll(Collection<String> ids) {
        Objects.requireNonNull(ids, "ids");
        List<String> distinct = new ArrayList<>(new LinkedHashSet<>(ids));
        Map<String, Versioned<V>> found = new HashMap<>();
        for (int from = 0; from < distinct.size(); from += BATCH) {
            List<Map<String, AttributeValue>> keys = new ArrayList<>();
            for (String id : distinct.subList(from, Math.min(distinct.size(), from + BATCH))) {
                keys.add(key(Objects.requireNonNull(id, "id")));
            }
            for (Map<String, AttributeValue> item : calls.batchGet("read " + keys.size() + " ids of read-model store '" + name + "'",
                    client, Map.of(table, KeysAndAttributes.builder().keys(keys).consistentRead(true).build()))) {
                Versioned<V> versioned = toVersioned(item);
                found.put(versioned.id(), versioned);
            }
        }
        Map<String, Versioned<V>> out = new LinkedHashMap<>();
        for (String id : distinct) {
            Versioned<V> versioned = found.get(id);
            if (versioned != null) {
                out.put(id, versioned);
            }
        }
        return out;
    }

    /**
     * {@inheritDoc}
     *
     * @throws DynamoDbAccessException if the value cannot be written as JSON or exceeds the item limit (permanent),
     *                                 or DynamoDB stays throttled or refuses the write
     */
    @Override
    public boolean put(String id, V value, long version) {
        new Versioned<>(id, value, version);
        String json;
        try {
            json = mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new DynamoDbAccessException("Read model '" + id + "' of store '" + name + "' cannot be written as JSON ("
                    + e.getOriginalMessage() + "); make " + type.getName() + " serializable by Jackson.", e, false);
        }
        Map<String, AttributeValue> item = new HashMap<>(key(id));
        item.put(VERSION, AttributeValue.fromN(Long.toString(version)));
        item.put(DOC, AttributeValue.fromS(json));
        int size = ItemSizes.of(item);
        if (size > ItemSizes.MAX_ITEM_BYTES) {
            throw new DynamoDbAccessException("Read model '" + id + "' of store '" + name + "' takes " + size
                    + " bytes, more than DynamoDB's item limit of " + ItemSizes.MAX_ITEM_BYTES
                    + " bytes; split it into several read models.", null, false);
        }
        try {
            calls.call("store '" + id + "' v" + version + " in read-model store '" + name + "'",
                    () -> client.putItem(b -> b.tableName(table).item(item)
                            .conditionExpression("attribute_not_exists(pk) OR #v < :v")
                            .expressionAttributeNames(Map.of("#v", VERSION))
                            .expressionAttributeValues(Map.of(":v", AttributeValue.fromN(Long.toString(version))))));
            return true;
        } catch (DynamoDbAccessException e) {
            if (e.getCause() instanceof ConditionalCheckFailedException) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public boolean delete(String id) {
        Objects.requireNonNull(id, "id");
        Map<String, AttributeValue> old = calls.call("delete '" + id + "' of read-model store '" + name + "'",
                () -> client.deleteItem(b -> b.tableName(table).key(key(id)).returnValues(ReturnValue.ALL_OLD))).attributes();
        return old != null && !old.isEmpty();
    }

    @Override
    public long count() {
        return queries.count("count read-model store '" + name + "'", QueryRequest.builder().tableName(table)
                .consistentRead(true).keyConditionExpression("pk = :n")
                .expressionAttributeValues(Map.of(":n", AttributeValue.fromS(name))).build());
    }

    private Versioned<V> toVersioned(Map<String, AttributeValue> item) {
        String id = attribute(item, "sk").s();
        try {
            return new Versioned<>(id, mapper.readValue(attribute(item, DOC).s(), type), Long.parseLong(attribute(item, VERSION).n()));
        } catch (JsonProcessingException e) {
            throw new DynamoDbAccessException("Read model '" + id + "' of store '" + name + "' does not read as "
                    + type.getName() + " (" + e.getOriginalMessage() + "); rebuild the store or fix the type.", e, false);
        }
    }

    private Map<String, AttributeValue> key(String id) {
        return Map.of("pk", AttributeValue.fromS(name), "sk", AttributeValue.fromS(id));
    }
}
