package io.nexus.dynamodb;

import io.nexus.core.retry.RetryPolicy;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * Change capture that runs in several processes at once: the Stream's shards are leased to the processes
 * that run a {@link DynamoDbChangeCapture} under one reader name, balanced between them, and taken over
 * from a process that stops renewing its leases (it died, hung or lost the network) after
 * {@link Builder#leaseDuration}. Each shard's checkpoint is kept in its lease item and written only by the
 * lease's holder, so a process that lost a lease can never move its checkpoint.
 *
 * <p>Chosen per reader with {@link DynamoDbChangeCapture.Builder#leases}; without it a reader reads every
 * shard in its own process and one reader per name may run at a time. Lease items live in a table with a
 * text partition and sort key, normally the checkpoints table ({@link DynamoDbTables#checkpointsTable}):
 * {@code pk} = U+001F "lease" U+001F reader name, {@code sk} = shard id; see docs/dynamodb.md.
 *
 * <p>Expiry is judged by each process on its own clock from a counter the holder increments with every
 * renewal (as the Kinesis Client Library does), so clocks that disagree never take a live lease.
 *
 * <p>Immutable and thread-safe; the client belongs to the caller.
 */
public final class DynamoDbShardLeases {

    private final DynamoDbClient client;
    private final String tableName;
    private final String owner;
    private final Duration leaseDuration;
    private final RetryPolicy retryPolicy;

    private DynamoDbShardLeases(Builder b) {
        this.client = b.client;
        this.tableName = b.tableName;
        this.owner = b.owner != null ? b.owner : defaultOwner();
        this.leaseDuration = b.leaseDuration;
        this.retryPolicy = b.retryPolicy;
    }

    /**
     * Starts a builder.
     *
     * @param client    the caller's client of the lease table
     * @param tableName the lease table: pk S, sk S (the checkpoints table has that shape)
     * @throws NullPointerException     if {@code client} is {@code null}
     * @throws IllegalArgumentException if {@code tableName} is blank
     */
    public static Builder builder(DynamoDbClient client, String tableName) {
        return new Builder(client, tableName);
    }

    /** The client of the lease table. */
    public DynamoDbClient client() {
        return client;
    }

    /** The lease table. */
    public String tableName() {
        return tableName;
    }

    /** This process's name in the lease items; unique per process. */
    public String owner() {
        return owner;
    }

    /** See {@link Builder#leaseDuration}. */
    public Duration leaseDuration() {
        return leaseDuration;
    }

    /** The retry of the lease table's requests. */
    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    private static String defaultOwner() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return host + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Override
    public String toString() {
        return "DynamoDbShardLeases[" + tableName + ", owner " + owner + ", " + leaseDuration.toMillis() + " ms]";
    }

    /** Options for {@link DynamoDbShardLeases}; setters validate their argument at once. */
    public static final class Builder {
        private final DynamoDbClient client;
        private final String tableName;
        private @Nullable String owner;
        private Duration leaseDuration = Duration.ofSeconds(10);
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
         * This process's name in the lease items. Must be unique among the processes of one reader name: two
         * processes with one name would renew each other's leases. Host name, process id and a random suffix
         * by default.
         */
        public Builder owner(String value) {
            if (value == null || value.isBlank() || value.indexOf('\u001F') >= 0) {
                throw new IllegalArgumentException("owner must be non-blank text without U+001F, but was '" + value + "'");
            }
            this.owner = value;
            return this;
        }

        /**
         * How long a lease stays with a process that stopped renewing it before another process may take it:
         * the longest a shard waits after its process died. Leases are renewed three times per lease duration
         * (one conditional {@code UpdateItem} per held shard each time). 10 s by default; at least 300 ms.
         */
        public Builder leaseDuration(Duration value) {
            Objects.requireNonNull(value, "leaseDuration");
            if (value.toMillis() < 300) {
                throw new IllegalArgumentException("leaseDuration must be at least 300 ms, but was " + value);
            }
            this.leaseDuration = value;
            return this;
        }

        /** Retry of throttled and failed requests to the lease table (default 8 attempts, 50 ms .. 5 s). */
        public Builder retryPolicy(RetryPolicy value) {
            this.retryPolicy = Objects.requireNonNull(value, "retryPolicy");
            return this;
        }

        /** The settings. */
        public DynamoDbShardLeases build() {
            return new DynamoDbShardLeases(this);
        }
    }
}
