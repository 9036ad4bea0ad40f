package io.nexus.dynamodb;

import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.deadletter.DeadLetterQueue;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.dynamodb.internal.AwsCalls;
import io.nexus.dynamodb.internal.ItemSizes;
import io.nexus.dynamodb.internal.PortItems;
import io.nexus.dynamodb.internal.Queries;
import io.nexus.dynamodb.internal.Transactions;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import static io.nexus.dynamodb.internal.PortItems.attribute;
import org.jspecify.annotations.Nullable;

/**
 * The {@link DeadLetterQueue} on DynamoDB: dead letters and parked events in one table
 * ({@link DynamoDbTables#deadLettersTable}), so that an operator can list, retry and discard them after a
 * restart of the application, and a bus consumer's parked events are still there.
 *
 * <p>Implementation notes. Three kinds of item (every attribute is listed in {@code docs/dynamodb.md}):
 * <ul>
 *   <li>dead letter: {@code pk} = consumer, {@code sk} = first failure time, global position and id as
 *       sortable text, so that one strongly consistent {@code Query} lists a consumer's letters oldest first;</li>
 *   <li>id pointer: {@code pk} = U+001F "id" U+001F id, {@code sk} = "id", naming the letter's consumer and sort
 *       key, so that {@link #find} and {@link #remove} work by id alone;</li>
 *   <li>parked event: {@code pk} = U+001F "parked" U+001F consumer U+001F stream, {@code sk} = the version as
 *       sortable text, so that {@link #parked} is one {@code Query} in version order and {@link #unpark} a
 *       range.</li>
 * </ul>
 * {@link #put} and {@link #remove} read the pointer, then write letter and pointer in one transaction
 * conditioned on the pointer they read (a replacement that moves the letter, to another consumer or
 * another time, deletes the old item in the same transaction); a lost race plans again. Parking is one
 * conditional {@code PutItem} ("not parked yet"). Consumers may not contain U+001F. A letter larger
 * than the 400 KB item limit keeps only as much of its stack trace as fits; an event that alone exceeds
 * it is refused with a permanent {@link DynamoDbAccessException}.
 *
 * <p>Thread-safe; the caller owns the client.
 */
public final class DynamoDbDeadLetterQueue implements DeadLetterQueue {

    private static final String ID_SK = "id";
    private static final String ID = "id";
    private static final String EVENT = "ev";
    private static final String CAUSE_TYPE = "ct";
    private static final String CAUSE_MESSAGE = "cm";
    private static final String CAUSE_TRACE = "tr";
    private static final String ATTEMPTS = "n";
    private static final String FIRST_FAILED = "ff";
    private static final String LAST_FAILED = "lf";
    private static final String POINTER_CONSUMER = "c";
    private static final String POINTER_KEY = "k";

    private final DynamoDbClient client;
    private final String table;
    private final AwsCalls calls;
    private final Queries queries;
    private final Transactions transactions;

    private DynamoDbDeadLetterQueue(Builder b) {
        this.client = b.client;
        this.table = Objects.requireNonNull(b.tableName, "tableName"); // build() has checked it
        this.calls = new AwsCalls(b.retryPolicy, DynamoDbAccessException::new);
        this.queries = new Queries(client, calls);
        this.transactions = new Transactions(client, calls);
    }

    /** A builder on the caller's client; {@link Builder#tableName} is required. */
    public static Builder builder(DynamoDbClient client) {
        return new Builder(client);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the consumer contains U+001F
     * @throws DynamoDbAccessException  if DynamoDB stays throttled or refuses the write, or the event alone
     *                                  exceeds the item limit (permanent); nothing changed
     */
    @Override
    public void put(DeadLetter deadLetter) {
        Objects.requireNonNull(deadLetter, "deadLetter");
        PortItems.requireUnreserved(deadLetter.consumer(), "consumer");
        Map<String, AttributeValue> item = letterItem(deadLetter);
        String sk = attribute(item, "sk").s();
        Map<String, AttributeValue> pointerKey = pointerKey(deadLetter.id());
        transactions.run("store dead letter " + deadLetter.id() + " of '" + deadLetter.consumer() + "'", () -> {
            Map<String, AttributeValue> pointer = getItem(pointerKey, "read the pointer of dead letter " + deadLetter.id());
            List<TransactWriteItem> writes = new ArrayList<>(3);
            writes.add(TransactWriteItem.builder().put(Put.builder().tableName(table).item(item).build()).build());
            Map<String, AttributeValue> newPointer = new HashMap<>(pointerKey);
            newPointer.put(POINTER_CONSUMER, AttributeValue.fromS(deadLetter.consumer()));
            newPointer.put(POINTER_KEY, AttributeValue.fromS(sk));
            Put.Builder putPointer = Put.builder().tableName(table).item(newPointer);
            if (pointer == null) {
                putPointer.conditionExpression("attribute_not_exists(pk)");
            } else {
                String oldConsumer = attribute(pointer, POINTER_CONSUMER).s();
                String oldSk = attribute(pointer, POINTER_KEY).s();
                putPointer.conditionExpression("c = :c AND k = :k").expressionAttributeValues(
                        Map.of(":c", AttributeValue.fromS(oldConsumer), ":k", AttributeValue.fromS(oldSk)));
                if (!oldConsumer.equals(deadLetter.consumer()) || !oldSk.equals(sk)) {
                    writes.add(TransactWriteItem.builder().delete(Delete.builder().tableName(table)
                            .key(key(oldConsumer, oldSk)).build()).build());
                }
            }
            writes.add(TransactWriteItem.builder().put(putPointer.build()).build());
            return writes;
        });
    }

    @Override
    public List<DeadLetter> list(String consumer) {
        Objects.requireNonNull(consumer, "consumer");
        if (consumer.indexOf(PortItems.RESERVED) >= 0) {
            return List.of();
        }
        List<DeadLetter> out = new ArrayList<>();
        for (Map<String, AttributeValue> item : queries.all("list the dead letters of '" + consumer + "'",
                partition(consumer).build())) {
            out.add(toLetter(item));
        }
        return out;
    }

    @Override
    public int count(String consumer) {
        Objects.requireNonNull(consumer, "consumer");
        if (consumer.indexOf(PortItems.RESERVED) >= 0) {
            return 0;
        }
        return Math.toIntExact(queries.count("count the dead letters of '" + consumer + "'", partition(consumer).build()));
    }

    @Override
    public Optional<DeadLetter> find(UUID id) {
        Objects.requireNonNull(id, "id");
        Map<String, AttributeValue> pointer = getItem(pointerKey(id), "read the pointer of dead letter " + id);
        if (pointer == null) {
            return Optional.empty();
        }
        Map<String, AttributeValue> item = getItem(key(attribute(pointer, POINTER_CONSUMER).s(), attribute(pointer, POINTER_KEY).s()),
                "read dead letter " + id);
        return item == null ? Optional.empty() : Optional.of(toLetter(item));
    }

    @Override
    public boolean remove(UUID id) {
        Objects.requireNonNull(id, "id");
        Map<String, AttributeValue> pointerKey = pointerKey(id);
        return transactions.run("remove dead letter " + id, () -> {
            Map<String, AttributeValue> pointer = getItem(pointerKey, "read the pointer of dead letter " + id);
            if (pointer == null) {
                return null;
            }
            String consumer = attribute(pointer, POINTER_CONSUMER).s();
            String sk = attribute(pointer, POINTER_KEY).s();
            return List.of(
                    TransactWriteItem.builder().delete(Delete.builder().tableName(table).key(pointerKey)
                            .conditionExpression("c = :c AND k = :k")
                            .expressionAttributeValues(Map.of(":c", AttributeValue.fromS(consumer),
                                    ":k", AttributeValue.fromS(sk)))
                            .build()).build(),
                    TransactWriteItem.builder().delete(Delete.builder().tableName(table).key(key(consumer, sk)).build())
                            .build());
        });
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the consumer or the event's stream contains U+001F
     * @throws DynamoDbAccessException  if DynamoDB stays throttled or refuses the write, or the event exceeds
     *                                  the item limit (permanent)
     */
    @Override
    public void park(String consumer, EventEnvelope event) {
        Objects.requireNonNull(event, "event");
        Map<String, AttributeValue> item = new HashMap<>(parkedKey(consumer, event.streamId(), event.version()));
        item.put(EVENT, PortItems.envelope(event));
        requireFits(item, "parked event " + event.streamId() + " v" + event.version() + " of '" + consumer + "'");
        try {
            calls.call("park " + event.streamId() + " v" + event.version() + " for '" + consumer + "'",
                    () -> client.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)")));
        } catch (DynamoDbAccessException e) {
            if (!(e.getCause() instanceof ConditionalCheckFailedException)) {
                throw e;
            }
            // already parked: the first one stays, as the port promises
        }
    }

    @Override
    public List<EventEnvelope> parked(String consumer, String streamId) {
        List<EventEnvelope> out = new ArrayList<>();
        for (Map<String, AttributeValue> item : queries.all("read the events parked for '" + consumer + "' in '" + streamId + "'",
                QueryRequest.builder().tableName(table).consistentRead(true).keyConditionExpression("pk = :p")
                        .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(parkedPartition(consumer, streamId))))
                        .build())) {
            out.add(PortItems.envelope(attribute(item, EVENT)));
        }
        return out;
    }

    @Override
    public int unpark(String consumer, String streamId, long throughVersion) {
        String partition = parkedPartition(consumer, streamId);
        List<Map<String, AttributeValue>> done = queries.all("find the events parked for '" + consumer + "' in '" + streamId + "'",
                QueryRequest.builder().tableName(table).consistentRead(true)
                        .keyConditionExpression("pk = :p AND sk <= :v").projectionExpression("pk, sk")
                        .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(partition),
                                ":v", AttributeValue.fromS(PortItems.sortable(throughVersion))))
                        .build());
        for (Map<String, AttributeValue> key : done) {
            calls.call("unpark an event of '" + consumer + "' in '" + streamId + "'",
                    () -> client.deleteItem(b -> b.tableName(table).key(key)));
        }
        return done.size();
    }

    private QueryRequest.Builder partition(String consumer) {
        return QueryRequest.builder().tableName(table).consistentRead(true).keyConditionExpression("pk = :c")
                .expressionAttributeValues(Map.of(":c", AttributeValue.fromS(consumer)));
    }

    private @Nullable Map<String, AttributeValue> getItem(Map<String, AttributeValue> key, String what) {
        Map<String, AttributeValue> item = calls.call(what,
                () -> client.getItem(b -> b.tableName(table).consistentRead(true).key(key))).item();
        return item == null || item.isEmpty() ? null : item;
    }

    private Map<String, AttributeValue> letterItem(DeadLetter letter) {
        EventEnvelope event = letter.event();
        String sk = PortItems.sortable(letter.firstFailedAt()) + PortItems.sortable(event.globalPosition()) + "#" + letter.id();
        Map<String, AttributeValue> item = new HashMap<>(key(letter.consumer(), sk));
        item.put(ID, AttributeValue.fromS(letter.id().toString()));
        item.put(EVENT, PortItems.envelope(event));
        item.put(CAUSE_TYPE, AttributeValue.fromS(letter.causeType()));
        item.put(CAUSE_MESSAGE, AttributeValue.fromS(letter.causeMessage()));
        item.put(ATTEMPTS, AttributeValue.fromN(Integer.toString(letter.attempts())));
        item.put(FIRST_FAILED, PortItems.instant(letter.firstFailedAt()));
        item.put(LAST_FAILED, PortItems.instant(letter.lastFailedAt()));
        item.put(CAUSE_TRACE, AttributeValue.fromS(""));
        int room = ItemSizes.MAX_ITEM_BYTES - ItemSizes.of(item);
        String trace = letter.causeTrace();
        if (ItemSizes.of(Map.of(CAUSE_TRACE, AttributeValue.fromS(trace))) - ItemSizes.of(Map.of(CAUSE_TRACE,
                AttributeValue.fromS(""))) > room) {
            // the trace is diagnosis and the event is data: cut the trace, never the event (3 bytes per char at most)
            trace = trace.substring(0, Math.max(0, Math.min(trace.length(), room / 3)));
        }
        item.put(CAUSE_TRACE, AttributeValue.fromS(trace));
        requireFits(item, "dead letter " + letter.id() + " of '" + letter.consumer() + "'");
        return item;
    }

    private static void requireFits(Map<String, AttributeValue> item, String what) {
        int size = ItemSizes.of(item);
        if (size > ItemSizes.MAX_ITEM_BYTES) {
            throw new DynamoDbAccessException("The " + what + " takes " + size + " bytes, more than DynamoDB's item limit of "
                    + ItemSizes.MAX_ITEM_BYTES + " bytes; keep large payloads outside the event (S3) and store a reference.",
                    null, false);
        }
    }

    private static DeadLetter toLetter(Map<String, AttributeValue> item) {
        return new DeadLetter(UUID.fromString(attribute(item, ID).s()), attribute(item, "pk").s(), PortItems.envelope(attribute(item, EVENT)),
                attribute(item, CAUSE_TYPE).s(), attribute(item, CAUSE_MESSAGE).s(), attribute(item, CAUSE_TRACE).s(),
                Integer.parseInt(attribute(item, ATTEMPTS).n()), PortItems.instant(attribute(item, FIRST_FAILED)),
                PortItems.instant(attribute(item, LAST_FAILED)));
    }

    private static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS(sk));
    }

    private static Map<String, AttributeValue> pointerKey(UUID id) {
        return key(PortItems.RESERVED + "id" + PortItems.RESERVED + id, ID_SK);
    }

    private static String parkedPartition(String consumer, String streamId) {
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(streamId, "streamId");
        PortItems.requireUnreserved(consumer, "consumer");
        PortItems.requireUnreserved(streamId, "streamId");
        return PortItems.RESERVED + "parked" + PortItems.RESERVED + consumer + PortItems.RESERVED + streamId;
    }

    private static Map<String, AttributeValue> parkedKey(String consumer, String streamId, long version) {
        return key(parkedPartition(consumer, streamId), PortItems.sortable(version));
    }

    /** Options for {@link DynamoDbDeadLetterQueue}; setters validate as they go. */
    public static final class Builder {
        private final DynamoDbClient client;
        private @Nullable String tableName;
        private RetryPolicy retryPolicy = RetryPolicy.custom().maxAttempts(8).initialDelay(Duration.ofMillis(50))
                .maxDelay(Duration.ofSeconds(5)).build();

        private Builder(DynamoDbClient client) {
            this.client = Objects.requireNonNull(client, "client");
        }

        /** The dead-letters table. */
        public Builder tableName(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("tableName must not be blank, but was '" + value + "'");
            }
            this.tableName = value;
            return this;
        }

        /** Retry of throttled and failed requests (default 8 attempts, 50 ms .. 5 s). */
        public Builder retryPolicy(RetryPolicy value) {
            this.retryPolicy = Objects.requireNonNull(value, "retryPolicy");
            return this;
        }

        /** @throws IllegalStateException if no table name was given */
        public DynamoDbDeadLetterQueue build() {
            if (tableName == null) {
                throw new IllegalStateException("tableName is required; call tableName(...) before build()");
            }
            return new DynamoDbDeadLetterQueue(this);
        }
    }
}
