package io.nexus.dynamodb;

import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.scheduler.ScheduledTimer;
import io.nexus.core.scheduler.Scheduler;
import io.nexus.dynamodb.internal.AwsCalls;
import io.nexus.dynamodb.internal.PortItems;
import io.nexus.dynamodb.internal.Queries;
import io.nexus.dynamodb.internal.Transactions;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static io.nexus.dynamodb.internal.PortItems.attribute;
import org.jspecify.annotations.Nullable;

/**
 * The {@link Scheduler} (timer store) on DynamoDB: pending timers survive a restart of the application,
 * and each owner finds its due timers with one {@code Query} that reads only those.
 *
 * <p>Implementation notes. Two kinds of item in the timers table ({@link DynamoDbTables#timersTable};
 * every attribute is listed in {@code docs/dynamodb.md}):
 * <ul>
 *   <li>timer: {@code pk} = owner, {@code sk} = due time as sortable text, "#", id. Key order is the port's
 *       order (earliest first, ties by id), so {@link #due} is {@code pk = owner AND sk < key(now) + "$"}
 *       with a limit: it reads the due timers and nothing else;</li>
 *   <li>id pointer: {@code pk} = U+001F "id" U+001F owner, {@code sk} = id, naming the timer's sort key and
 *       data, so that replacing or cancelling by id finds the old item.</li>
 * </ul>
 * {@link #schedule} reads the pointer, then in one transaction writes the timer and the pointer
 * (conditioned on the pointer it read) and deletes the old timer item when the due time moved; an
 * identical timer writes nothing. {@link #cancel} deletes both the same way. A lost race plans again.
 * Ids are compared as DynamoDB compares strings (UTF-8 bytes), which is Java's order for every id without
 * characters outside the Basic Multilingual Plane. Owners may not contain U+001F.
 *
 * <p>Thread-safe; the caller owns the client.
 */
public final class DynamoDbScheduler implements Scheduler {

    private static final String ID = "id";
    private static final String DUE = "due";
    private static final String DATA = "d";
    private static final String TIMER_KEY = "k";

    private final DynamoDbClient client;
    private final String table;
    private final AwsCalls calls;
    private final Queries queries;
    private final Transactions transactions;

    private DynamoDbScheduler(Builder b) {
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
     * @throws IllegalArgumentException if the owner contains U+001F
     * @throws DynamoDbAccessException  if DynamoDB stays throttled or refuses the write
     */
    @Override
    public void schedule(ScheduledTimer timer) {
        Objects.requireNonNull(timer, "timer");
        PortItems.requireUnreserved(timer.owner(), "timer owner");
        String sk = timerSk(timer.dueAt(), timer.id());
        Map<String, AttributeValue> pointerKey = pointerKey(timer.owner(), timer.id());
        transactions.run("schedule timer '" + timer.id() + "' of '" + timer.owner() + "'", () -> {
            Map<String, AttributeValue> pointer = getItem(pointerKey, timer);
            Map<String, AttributeValue> newPointer = new HashMap<>(pointerKey);
            newPointer.put(TIMER_KEY, AttributeValue.fromS(sk));
            newPointer.put(DATA, AttributeValue.fromS(timer.data()));
            Put.Builder putPointer = Put.builder().tableName(table).item(newPointer);
            List<TransactWriteItem> writes = new ArrayList<>(3);
            if (pointer == null) {
                putPointer.conditionExpression("attribute_not_exists(pk)");
            } else {
                String oldSk = attribute(pointer, TIMER_KEY).s();
                String oldData = attribute(pointer, DATA).s();
                if (oldSk.equals(sk) && oldData.equals(timer.data())) {
                    return null;
                }
                putPointer.conditionExpression("k = :k AND d = :d").expressionAttributeValues(
                        Map.of(":k", AttributeValue.fromS(oldSk), ":d", AttributeValue.fromS(oldData)));
                if (!oldSk.equals(sk)) {
                    writes.add(TransactWriteItem.builder().delete(Delete.builder().tableName(table)
                            .key(key(timer.owner(), oldSk)).build()).build());
                }
            }
            Map<String, AttributeValue> item = new HashMap<>(key(timer.owner(), sk));
            item.put(ID, AttributeValue.fromS(timer.id()));
            item.put(DUE, PortItems.instant(timer.dueAt()));
            item.put(DATA, AttributeValue.fromS(timer.data()));
            writes.add(TransactWriteItem.builder().put(Put.builder().tableName(table).item(item).build()).build());
            writes.add(TransactWriteItem.builder().put(putPointer.build()).build());
            return writes;
        });
    }

    @Override
    public void cancel(String owner, String id) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(id, "id");
        if (owner.indexOf(PortItems.RESERVED) >= 0) {
            return;
        }
        Map<String, AttributeValue> pointerKey = pointerKey(owner, id);
        transactions.run("cancel timer '" + id + "' of '" + owner + "'", () -> {
            Map<String, AttributeValue> pointer = calls.call("read timer '" + id + "' of '" + owner + "'",
                    () -> client.getItem(b -> b.tableName(table).consistentRead(true).key(pointerKey))).item();
            if (pointer == null || pointer.isEmpty()) {
                return null;
            }
            String sk = attribute(pointer, TIMER_KEY).s();
            return List.of(
                    TransactWriteItem.builder().delete(Delete.builder().tableName(table).key(pointerKey)
                            .conditionExpression("k = :k").expressionAttributeValues(Map.of(":k", AttributeValue.fromS(sk)))
                            .build()).build(),
                    TransactWriteItem.builder().delete(Delete.builder().tableName(table).key(key(owner, sk)).build()).build());
        });
    }

    @Override
    public List<ScheduledTimer> due(String owner, Instant now, int maxCount) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(now, "now");
        if (maxCount < 0) {
            throw new IllegalArgumentException("maxCount must be >= 0, but was " + maxCount);
        }
        if (maxCount == 0 || owner.indexOf(PortItems.RESERVED) >= 0) {
            return List.of();
        }
        // every sort key of a timer due at or before now is below "<now>$": '#' (0x23) sorts before '$' (0x24)
        QueryRequest request = QueryRequest.builder().tableName(table).consistentRead(true)
                .keyConditionExpression("pk = :o AND sk < :t")
                .expressionAttributeValues(Map.of(":o", AttributeValue.fromS(owner),
                        ":t", AttributeValue.fromS(PortItems.sortable(now) + "$")))
                .build();
        return toTimers(owner, queries.upTo("read the due timers of '" + owner + "'", request, maxCount));
    }

    @Override
    public List<ScheduledTimer> pending(String owner) {
        Objects.requireNonNull(owner, "owner");
        if (owner.indexOf(PortItems.RESERVED) >= 0) {
            return List.of();
        }
        QueryRequest request = QueryRequest.builder().tableName(table).consistentRead(true)
                .keyConditionExpression("pk = :o")
                .expressionAttributeValues(Map.of(":o", AttributeValue.fromS(owner)))
                .build();
        return toTimers(owner, queries.all("read the pending timers of '" + owner + "'", request));
    }

    private @Nullable Map<String, AttributeValue> getItem(Map<String, AttributeValue> key, ScheduledTimer timer) {
        Map<String, AttributeValue> item = calls.call("read timer '" + timer.id() + "' of '" + timer.owner() + "'",
                () -> client.getItem(b -> b.tableName(table).consistentRead(true).key(key))).item();
        return item == null || item.isEmpty() ? null : item;
    }

    private static List<ScheduledTimer> toTimers(String owner, List<Map<String, AttributeValue>> items) {
        List<ScheduledTimer> out = new ArrayList<>(items.size());
        for (Map<String, AttributeValue> item : items) {
            out.add(new ScheduledTimer(attribute(item, ID).s(), owner, PortItems.instant(attribute(item, DUE)), attribute(item, DATA).s()));
        }
        return List.copyOf(out);
    }

    private static String timerSk(Instant dueAt, String id) {
        return PortItems.sortable(dueAt) + "#" + id;
    }

    private static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS(sk));
    }

    private static Map<String, AttributeValue> pointerKey(String owner, String id) {
        return key(PortItems.RESERVED + "id" + PortItems.RESERVED + owner, id);
    }

    /** Options for {@link DynamoDbScheduler}; setters validate as they go. */
    public static final class Builder {
        private final DynamoDbClient client;
        private @Nullable String tableName;
        private RetryPolicy retryPolicy = RetryPolicy.custom().maxAttempts(8).initialDelay(Duration.ofMillis(50))
                .maxDelay(Duration.ofSeconds(5)).build();

        private Builder(DynamoDbClient client) {
            this.client = Objects.requireNonNull(client, "client");
        }

        /** The timers table. */
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
        public DynamoDbScheduler build() {
            if (tableName == null) {
                throw new IllegalStateException("tableName is required; call tableName(...) before build()");
            }
            return new DynamoDbScheduler(this);
        }
    }
}
