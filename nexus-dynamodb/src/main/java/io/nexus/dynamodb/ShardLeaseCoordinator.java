package io.nexus.dynamodb;

import io.nexus.dynamodb.internal.AwsCalls;
import io.nexus.dynamodb.internal.EventItems;
import io.nexus.dynamodb.internal.PortItems;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The shard leases of one leased change-capture reader in one process (see {@link DynamoDbShardLeases}).
 *
 * <p>Implementation notes. One item per shard under {@code pk} = U+001F "lease" U+001F reader: {@code own}
 * (holder, empty when released), {@code n} (a counter every write of the holder increments), {@code seq} (the
 * checkpoint: last sequence number handled) and {@code fin} (the shard was read to its end). Every third of
 * the lease duration a tick renews the held leases (condition: still mine), reads all lease items, and judges
 * a lease expired when its counter has not moved for a lease duration on this process's clock (or it has no
 * holder). It then takes expired leases, and steals from the busiest holder, until it holds its share: the
 * unfinished shards divided by the processes that hold a live lease (itself included), rounded up. Takes and
 * steals are conditioned on the counter seen, so two processes never both win one lease. Not thread-safe:
 * its reader calls it under the reader's lock.
 */
final class ShardLeaseCoordinator {

    private static final Logger log = LoggerFactory.getLogger(ShardLeaseCoordinator.class);

    static final String OWNER = "own";
    static final String COUNTER = "n";
    static final String SEQUENCE = "seq";
    static final String FINISHED = "fin";

    /** A lease item as last read. */
    record Lease(String shardId, String owner, long counter, @Nullable String sequence, boolean finished) {
    }

    /** What a tick changed for this process. */
    record Changes(List<Lease> taken, List<String> lost) {
    }

    /** Thrown when a write shows that another process holds the lease now. */
    static final class LeaseLostException extends RuntimeException {
        private final String shardId;

        LeaseLostException(String shardId) {
            super(null, null, false, false);
            this.shardId = shardId;
        }

        String shardId() {
            return shardId;
        }
    }

    private final DynamoDbShardLeases settings;
    private final String reader;
    private final String pk;
    private final AwsCalls calls;
    private final Set<String> held = new LinkedHashSet<>();
    private final Map<String, Lease> seen = new HashMap<>();
    /** Per shard: the counter last seen and when (System.nanoTime) it was first seen. */
    private final Map<String, long[]> observed = new HashMap<>();
    private long nextTick = System.nanoTime();
    /** The held shards as of the last change, for readers on other threads. */
    private volatile Set<String> heldView = Set.of();

    ShardLeaseCoordinator(DynamoDbShardLeases settings, String reader) {
        this.settings = settings;
        this.reader = reader;
        this.pk = EventItems.RESERVED + "lease" + EventItems.RESERVED + reader;
        this.calls = new AwsCalls(settings.retryPolicy(), DynamoDbAccessException::new);
    }

    String owner() {
        return settings.owner();
    }

    boolean holds(String shardId) {
        return held.contains(shardId);
    }

    /** The shards held now, sorted; safe to call from any thread. */
    Set<String> heldShards() {
        return heldView;
    }

    private void publish() {
        heldView = java.util.Collections.unmodifiableSet(new TreeSet<>(held));
    }

    /** The lease of a shard as last read, or null. */
    @Nullable Lease lease(String shardId) {
        return seen.get(shardId);
    }

    boolean tickDue() {
        return System.nanoTime() - nextTick >= 0;
    }

    /**
     * Renews, reads and balances the leases of the listed shards.
     *
     * @param listed the shard ids the Stream lists now, parents first
     */
    Changes tick(List<String> listed) {
        long now = System.nanoTime();
        nextTick = now + settings.leaseDuration().toNanos() / 3;
        List<String> lost = new ArrayList<>();
        for (String shard : new ArrayList<>(held)) {
            if (!write(shard, "SET #n = #n + :one", "#own = :me", Map.of())) {
                held.remove(shard);
                lost.add(shard);
            }
        }
        scan(now);
        for (String shard : new ArrayList<>(held)) {
            Lease lease = seen.get(shard);
            if (lease == null || !owner().equals(lease.owner())) {
                held.remove(shard);
                lost.add(shard);
            } else if (lease.finished()) {
                // Read to its end: nothing left to hold it for (the item stays, so its children see it finished).
                held.remove(shard);
            }
        }
        List<String> leasable = new ArrayList<>();
        for (String shard : listed) {
            Lease lease = seen.get(shard);
            if (lease == null || !lease.finished()) {
                leasable.add(shard);
            }
        }
        Map<String, List<String>> live = new LinkedHashMap<>();
        live.put(owner(), new ArrayList<>(held));
        List<String> free = new ArrayList<>();
        for (String shard : leasable) {
            if (held.contains(shard)) {
                continue;
            }
            Lease lease = seen.get(shard);
            if (lease == null || lease.owner().isEmpty() || expired(shard, now)) {
                free.add(shard);
            } else {
                live.computeIfAbsent(lease.owner(), o -> new ArrayList<>()).add(shard);
            }
        }
        int target = leasable.isEmpty() ? 0 : (leasable.size() + live.size() - 1) / live.size();
        List<Lease> taken = new ArrayList<>();
        for (String shard : free) {
            if (held.size() >= target) {
                break;
            }
            take(shard, null, taken);
        }
        while (held.size() < target) {
            String busiest = null;
            for (Map.Entry<String, List<String>> e : live.entrySet()) {
                if (!e.getKey().equals(owner()) && e.getValue().size() > target
                        && (busiest == null || e.getValue().size() > Objects.requireNonNull(live.get(busiest)).size())) {
                    busiest = e.getKey();
                }
            }
            if (busiest == null) {
                break;
            }
            List<String> theirs = Objects.requireNonNull(live.get(busiest), "a live owner's shards");
            String shard = theirs.remove(theirs.size() - 1);
            take(shard, busiest, taken);
        }
        publish();
        return new Changes(taken, lost);
    }

    private boolean expired(String shard, long now) {
        long[] at = observed.get(shard);
        return at != null && now - at[1] > settings.leaseDuration().toNanos();
    }

    private void take(String shard, @Nullable String victim, List<Lease> taken) {
        Lease before = seen.get(shard);
        Map<String, AttributeValue> values = new HashMap<>();
        String condition;
        if (before == null) {
            condition = "attribute_not_exists(pk)";
        } else {
            values.put(":seen", EventItems.n(before.counter()));
            condition = "#n = :seen";
        }
        values.put(":zero", EventItems.n(0));
        if (!write(shard, "SET #n = if_not_exists(#n, :zero) + :one", condition, values)) {
            return;
        }
        held.add(shard);
        Lease lease = seen.get(shard);
        taken.add(lease);
        if (victim != null) {
            log.info("Change capture '{}' ({}) took shard '{}' from '{}' to balance the leases", reader, owner(), shard, victim);
        } else {
            log.info("Change capture '{}' ({}) took shard '{}'{}", reader, owner(), shard,
                    before == null || before.owner().isEmpty() ? "" : " after the lease of '" + before.owner() + "' ran out");
        }
    }

    /**
     * Saves a held shard's checkpoint.
     *
     * @throws LeaseLostException if another process holds the lease now
     */
    void checkpoint(String shardId, @Nullable String sequence, boolean finished) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":fin", AttributeValue.fromBool(finished));
        String update = "SET #n = #n + :one, #fin = :fin";
        if (sequence != null) {
            values.put(":seq", EventItems.s(sequence));
            update += ", #seq = :seq";
        }
        if (!held.contains(shardId) || !write(shardId, update, "#own = :me", values)) {
            held.remove(shardId);
            publish();
            throw new LeaseLostException(shardId);
        }
    }

    /** Gives up every held lease, so that other processes take them at once rather than after they expire. */
    void releaseAll() {
        for (String shard : new ArrayList<>(held)) {
            try {
                write(shard, "SET #n = #n + :one, #own = :none", "#own = :me", Map.of(":none", EventItems.s("")));
            } catch (RuntimeException e) {
                log.warn("Change capture '{}' ({}) could not release shard '{}'; it moves when the lease runs out", reader,
                        owner(), shard, e);
            }
        }
        held.clear();
        publish();
    }

    /**
     * One conditional {@code UpdateItem} of a lease item that also sets this process as owner (unless the
     * update sets the owner itself); remembers the item as written.
     *
     * @return false if the condition failed
     */
    private boolean write(String shardId, String update, String condition, Map<String, AttributeValue> extra) {
        Map<String, AttributeValue> values = new HashMap<>(extra);
        values.put(":me", EventItems.s(owner()));
        values.put(":one", EventItems.n(1));
        String expression = update.contains("#own") ? update : update + ", #own = :me";
        Map<String, String> names = new HashMap<>();
        names.put("#n", COUNTER);
        names.put("#own", OWNER);
        if (expression.contains("#seq")) {
            names.put("#seq", SEQUENCE);
        }
        if (expression.contains("#fin")) {
            names.put("#fin", FINISHED);
        }
        if (!condition.contains(":me") && !expression.contains(":me")) {
            values.remove(":me");
        }
        try {
            Map<String, AttributeValue> item = calls.call("write the lease of shard '" + shardId + "' of change capture '"
                    + reader + "'", () -> settings.client().updateItem(b -> b.tableName(settings.tableName())
                    .key(Map.of("pk", EventItems.s(pk), "sk", EventItems.s(shardId)))
                    .updateExpression(expression).conditionExpression(condition)
                    .expressionAttributeNames(names).expressionAttributeValues(values)
                    .returnValues(software.amazon.awssdk.services.dynamodb.model.ReturnValue.ALL_NEW))).attributes();
            Lease lease = lease(item);
            seen.put(shardId, lease);
            observed.put(shardId, new long[]{lease.counter(), System.nanoTime()});
            return true;
        } catch (DynamoDbAccessException e) {
            if (e.getCause() instanceof ConditionalCheckFailedException) {
                return false;
            }
            throw e;
        }
    }

    private void scan(long now) {
        Map<String, AttributeValue> start = null;
        Map<String, Lease> read = new HashMap<>();
        do {
            Map<String, AttributeValue> from = start;
            QueryRequest request = QueryRequest.builder().tableName(settings.tableName())
                    .keyConditionExpression("pk = :pk").expressionAttributeValues(Map.of(":pk", EventItems.s(pk)))
                    .consistentRead(true).exclusiveStartKey(from).build();
            QueryResponse page = calls.call("read the shard leases of change capture '" + reader + "'",
                    () -> settings.client().query(request));
            for (Map<String, AttributeValue> item : page.items()) {
                Lease lease = lease(item);
                read.put(lease.shardId(), lease);
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        seen.clear();
        seen.putAll(read);
        for (Lease lease : read.values()) {
            long[] at = observed.get(lease.shardId());
            if (at == null || at[0] != lease.counter()) {
                observed.put(lease.shardId(), new long[]{lease.counter(), now});
            }
        }
        observed.keySet().retainAll(read.keySet());
    }

    private static Lease lease(Map<String, AttributeValue> item) {
        AttributeValue own = item.get(OWNER);
        AttributeValue seq = item.get(SEQUENCE);
        AttributeValue fin = item.get(FINISHED);
        return new Lease(PortItems.attribute(item, "sk").s(), own == null ? "" : own.s(),
                Long.parseLong(PortItems.attribute(item, COUNTER).n()),
                seq == null ? null : seq.s(), fin != null && Boolean.TRUE.equals(fin.bool()));
    }
}
