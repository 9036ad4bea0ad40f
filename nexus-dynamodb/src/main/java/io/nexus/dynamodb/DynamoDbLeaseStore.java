package io.nexus.dynamodb;

import io.nexus.core.lease.Lease;
import io.nexus.core.lease.LeaseStore;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.dynamodb.internal.AwsCalls;
import io.nexus.dynamodb.internal.EventItems;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static io.nexus.dynamodb.internal.PortItems.attribute;

/**
 * The lease store on DynamoDB: one item per lease name, normally in the checkpoints table
 * ({@link DynamoDbTables#checkpointsTable}: {@code pk} S, {@code sk} S), so that the processes sharing the tables
 * agree on which of them runs each exclusive consumer. The item: {@code pk} = U+001F "consumer-lease" U+001F name,
 * {@code sk} = "lease", {@code own} (the holder; absent once released), {@code tok} (the fencing token),
 * {@code exp} (the expiry) and {@code ren} (the last take or renewal), both in epoch nanoseconds. A released lease
 * keeps its item and its token, so tokens grow for as long as the table lives.
 *
 * <p>Requests, each a conditional write of one item (1 WCU, also when its condition fails) unless noted:
 * {@link #tryAcquire} is one {@code UpdateItem} that starts a new term (token + 1) if the lease is free or expired;
 * when that condition fails, DynamoDB returns the item, and only when the caller turns out to hold the lease
 * already does a second {@code UpdateItem} renew it. {@link #renew} and {@link #release} are one {@code UpdateItem}
 * each, conditioned on owner and token; {@link #current} is one strongly consistent {@code GetItem} (1 RCU).
 * DynamoDB applies conditional writes of one item one at a time, so of owners racing for a free lease exactly one
 * gets it.
 *
 * <p>Clocks. DynamoDB has no clock a condition can read, so expiry is judged on the <em>calling process's</em>
 * clock ({@link Builder#clock}): a caller writes {@code exp} = its now + duration, and another caller takes the
 * lease once its own now reaches {@code exp}. The processes' clocks must therefore agree to well within the lease
 * duration: a process whose clock runs ahead by {@code s} takes an expired lease {@code s} early, while its holder
 * may still be acting on it. NTP-synchronised hosts (the Amazon Time Sync Service keeps EC2 clocks within a
 * millisecond or so) are far inside the seconds a consumer lease lasts; never run the lease holders on a clock an
 * application moves on purpose. A duration is at most 100 years; a longer one counts as 100 years.
 *
 * <p>Throttling and service faults are retried ({@link Builder#retryPolicy}); what is left surfaces as
 * {@link DynamoDbAccessException}, transient when a later retry may succeed. Thread-safe; the client belongs to
 * the caller.
 */
public final class DynamoDbLeaseStore implements LeaseStore {

    static final String OWNER = "own";
    static final String TOKEN = "tok";
    static final String EXPIRES = "exp";
    static final String RENEWED = "ren";
    /** The sort key of every lease item. */
    static final String SORT_KEY = "lease";
    /** The longest lease term: expiries stay within what epoch nanoseconds in a long can hold. */
    private static final Duration MAX_DURATION = Duration.ofDays(36_525);
    private static final Map<String, String> NAMES = Map.of("#own", OWNER, "#tok", TOKEN, "#exp", EXPIRES, "#ren", RENEWED);

    private final DynamoDbClient client;
    private final String table;
    private final Clock clock;
    private final AwsCalls calls;

    private DynamoDbLeaseStore(Builder b) {
        this.client = b.client;
        this.table = b.tableName;
        this.clock = b.clock;
        this.calls = new AwsCalls(b.retryPolicy, DynamoDbAccessException::new);
    }

    /**
     * Starts a builder.
     *
     * @param client    the caller's client
     * @param tableName the table of the lease items: {@code pk} S, {@code sk} S (the checkpoints table has that shape)
     * @throws NullPointerException     if {@code client} is {@code null}
     * @throws IllegalArgumentException if {@code tableName} is blank
     */
    public static Builder builder(DynamoDbClient client, String tableName) {
        return new Builder(client, tableName);
    }

    /**
     * {@inheritDoc}
     *
     * <p>One conditional {@code UpdateItem}; a second one when {@code owner} holds the lease already (a renewal).
     */
    @Override
    public Optional<Lease> tryAcquire(String name, String owner, Duration duration) {
        LeaseStore.requireText(name, "name");
        LeaseStore.requireText(owner, "owner");
        LeaseStore.requirePositive(duration);
        Instant now = clock.instant();
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":me", EventItems.s(owner));
        values.put(":now", nanos(now));
        values.put(":exp", nanos(expiry(now, duration)));
        values.put(":zero", EventItems.n(0));
        values.put(":one", EventItems.n(1));
        String what = "take the lease '" + name + "' for owner '" + owner + "' (it holds nothing new)";
        Write taken = write(what, name, "SET #own = :me, #tok = if_not_exists(#tok, :zero) + :one, #exp = :exp, #ren = :now",
                "attribute_not_exists(#own) OR #exp <= :now", values);
        if (taken.lease != null) {
            return Optional.of(taken.lease);
        }
        Map<String, AttributeValue> seen = taken.seen != null ? taken.seen : read(what, name);
        AttributeValue holder = seen.get(OWNER);
        if (holder == null || !owner.equals(holder.s()) || !expiresAt(seen).isAfter(now)) {
            return Optional.empty();
        }
        // The caller holds it (perhaps through an earlier attempt of this very call whose answer was lost): renew.
        return extend(what, name, owner, Long.parseLong(attribute(seen, TOKEN).n()), now, duration);
    }

    /**
     * {@inheritDoc}
     *
     * <p>One conditional {@code UpdateItem}.
     */
    @Override
    public Optional<Lease> renew(Lease lease, Duration duration) {
        Objects.requireNonNull(lease, "lease");
        LeaseStore.requirePositive(duration);
        return extend("renew the lease '" + lease.name() + "' of owner '" + lease.owner() + "' (token " + lease.token()
                        + "); it runs out at " + lease.expiresAt() + " unless a retry renews it",
                lease.name(), lease.owner(), lease.token(), clock.instant(), duration);
    }

    /**
     * {@inheritDoc}
     *
     * <p>One conditional {@code UpdateItem}; the item and its token stay.
     */
    @Override
    public void release(Lease lease) {
        Objects.requireNonNull(lease, "lease");
        write("release the lease '" + lease.name() + "' of owner '" + lease.owner() + "' (token " + lease.token()
                        + "); it runs out at " + lease.expiresAt() + " instead", lease.name(),
                "REMOVE #own SET #exp = :now", "#own = :me AND #tok = :tok",
                Map.of(":me", EventItems.s(lease.owner()), ":tok", EventItems.n(lease.token()),
                        ":now", nanos(clock.instant())));
    }

    /**
     * {@inheritDoc}
     *
     * <p>One strongly consistent {@code GetItem}.
     */
    @Override
    public Optional<Lease> current(String name) {
        LeaseStore.requireText(name, "name");
        Map<String, AttributeValue> item = read("read the lease '" + name + "'", name);
        return item.containsKey(OWNER) && expiresAt(item).isAfter(clock.instant())
                ? Optional.of(lease(name, item)) : Optional.empty();
    }

    private Optional<Lease> extend(String what, String name, String owner, long token, Instant now, Duration duration) {
        Write renewed = write(what, name, "SET #exp = :exp, #ren = :now", "#own = :me AND #tok = :tok",
                Map.of(":me", EventItems.s(owner), ":tok", EventItems.n(token), ":now", nanos(now),
                        ":exp", nanos(expiry(now, duration))));
        return Optional.ofNullable(renewed.lease);
    }

    /** The outcome of a conditional write: the lease as written, or the item as it was when the condition failed. */
    private record Write(@Nullable Lease lease, @Nullable Map<String, AttributeValue> seen) {
    }

    private Write write(String what, String name, String update, String condition, Map<String, AttributeValue> values) {
        Map<String, String> names = new HashMap<>();
        NAMES.forEach((placeholder, attributeName) -> {
            if (update.contains(placeholder) || condition.contains(placeholder)) {
                names.put(placeholder, attributeName);
            }
        });
        try {
            Map<String, AttributeValue> item = calls.call(what, () -> client.updateItem(b -> b.tableName(table).key(key(name))
                    .updateExpression(update).conditionExpression(condition)
                    .expressionAttributeNames(names).expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD))).attributes();
            return new Write(item.containsKey(OWNER) ? lease(name, item) : null, null);
        } catch (DynamoDbAccessException e) {
            if (e.getCause() instanceof ConditionalCheckFailedException failed) {
                return new Write(null, failed.hasItem() ? failed.item() : null);
            }
            throw e;
        }
    }

    private Map<String, AttributeValue> read(String what, String name) {
        Map<String, AttributeValue> item = calls.call(what,
                () -> client.getItem(b -> b.tableName(table).consistentRead(true).key(key(name)))).item();
        return item == null ? Map.of() : item;
    }

    private static Lease lease(String name, Map<String, AttributeValue> item) {
        return new Lease(name, attribute(item, OWNER).s(), Long.parseLong(attribute(item, TOKEN).n()), expiresAt(item));
    }

    private static Instant expiresAt(Map<String, AttributeValue> item) {
        return EventItems.fromNanos(Long.parseLong(attribute(item, EXPIRES).n()));
    }

    private static Instant expiry(Instant now, Duration duration) {
        return now.plus(duration.compareTo(MAX_DURATION) > 0 ? MAX_DURATION : duration);
    }

    private static AttributeValue nanos(Instant instant) {
        return EventItems.n(EventItems.toNanos(instant));
    }

    private static Map<String, AttributeValue> key(String name) {
        return Map.of("pk", EventItems.s(EventItems.RESERVED + "consumer-lease" + EventItems.RESERVED + name),
                "sk", EventItems.s(SORT_KEY));
    }

    @Override
    public String toString() {
        return "DynamoDbLeaseStore[" + table + "]";
    }

    /** Options for {@link DynamoDbLeaseStore}; setters validate their argument at once. */
    public static final class Builder {
        private final DynamoDbClient client;
        private final String tableName;
        private Clock clock = Clock.systemUTC();
        private RetryPolicy retryPolicy = RetryPolicy.custom().maxAttempts(8).initialDelay(Duration.ofMillis(50))
                .maxDelay(Duration.ofSeconds(5)).build();

        private Builder(DynamoDbClient client, String tableName) {
            this.client = Objects.requireNonNull(client, "client");
            if (tableName == null || tableName.isBlank()) {
                throw new IllegalArgumentException("tableName must not be blank, but was '" + tableName + "'");
            }
            this.tableName = tableName;
        }

        /**
         * The clock that judges expiry and stamps it; default the system clock (UTC). Every process sharing the
         * leases must use a clock that agrees with the others' to well within the lease duration; see the class notes.
         */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Retry of throttled and failed requests (default 8 attempts, 50 ms .. 5 s). Keep its total well below the
         * lease duration: a renewal still retrying when the lease runs out is too late.
         */
        public Builder retryPolicy(RetryPolicy value) {
            this.retryPolicy = Objects.requireNonNull(value, "retryPolicy");
            return this;
        }

        /** The store. */
        public DynamoDbLeaseStore build() {
            return new DynamoDbLeaseStore(this);
        }
    }
}
