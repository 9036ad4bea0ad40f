package io.nexus.kinesis;

import io.nexus.kinesis.internal.KclLeaseTable;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Consumer groups that run in several processes at once, on the Kinesis Client Library 3.x: the shards of a
 * stream are leased to the processes of a group through a DynamoDB lease table and balanced between them; a
 * process that stops renewing its leases (it died, or lost the network) loses them to the others after
 * {@link Builder#failoverTime}; each shard's position is checkpointed in the lease table after every batch
 * its consumer handled.
 *
 * <p>Chosen per bus with {@link KinesisEventBus.Builder#leasedConsumerGroups}; without it a bus reads every
 * shard of a group in its own process (the default, which needs no DynamoDB table). Needs
 * {@code software.amazon.kinesis:amazon-kinesis-client} 3.x on the class path (an optional dependency of
 * this module) and an AWS SDK at least as new as the one it was built with. See docs/kinesis.md.
 *
 * <p>One KCL application per group and stream: its lease table is named by {@link #leaseTableName}
 * ({@code "<group>-<stream>"}); the KCL 3.5.1 keeps its leader lock, version and each process's load in it too, as
 * items of their own (applications first started on an earlier KCL 3 release have them in
 * {@code "<table>-CoordinatorState"} and {@code "<table>-WorkerMetricStats"}). The table is created on first use
 * (on-demand billing; {@link #createLeaseTable} creates it first) and never deleted by Nexus.
 *
 * <p>Immutable and thread-safe; the clients belong to the caller, who closes them after the bus.
 */
public final class LeasedConsumerGroups {

    private static final Pattern TABLE_NAME = Pattern.compile("[a-zA-Z0-9_.-]{3,200}");

    private final KinesisAsyncClient kinesis;
    private final DynamoDbAsyncClient dynamoDb;
    private final CloudWatchAsyncClient cloudWatch;
    private final boolean publishMetrics;
    private final String workerId;
    private final Duration failoverTime;
    private final Duration shardSyncInterval;
    private final Duration pollInterval;
    private final int maxRecordsPerBatch;
    private final String tablePrefix;
    private final Balancing balancing;

    /** How the leases of a group are spread over its processes. */
    public enum Balancing {
        /**
         * The same number of shards per process (give or take one): a process that joins takes its share from the
         * others, and leases of a dead process go to those with the fewest. Predictable when the processes run on
         * similar hosts and the shards carry similar traffic. The default.
         */
        LEASE_COUNT,
        /**
         * The KCL 3 default: by each host's CPU utilization and each shard's throughput, so a busy host sheds
         * leases to idle ones. Processes that report the same utilization (for example several on one host, or an
         * idle stream) are left as they are, so a process that joins may get no shard until the load differs.
         */
        UTILIZATION
    }

    private LeasedConsumerGroups(Builder b) {
        this.kinesis = b.kinesis;
        this.dynamoDb = b.dynamoDb;
        this.publishMetrics = b.cloudWatch != null;
        this.cloudWatch = b.cloudWatch != null ? b.cloudWatch : unusedCloudWatch(b.kinesis);
        this.workerId = b.workerId != null ? b.workerId : defaultWorkerId();
        this.failoverTime = b.failoverTime;
        this.shardSyncInterval = b.shardSyncInterval;
        this.pollInterval = b.pollInterval;
        this.maxRecordsPerBatch = b.maxRecordsPerBatch;
        this.tablePrefix = b.tablePrefix;
        this.balancing = b.balancing;
    }

    /**
     * Starts a builder over the caller's clients: the KCL reads Kinesis only through an asynchronous client
     * and keeps its leases with an asynchronous DynamoDB client.
     *
     * @throws NullPointerException if a client is {@code null}
     */
    public static Builder builder(KinesisAsyncClient kinesis, DynamoDbAsyncClient dynamoDb) {
        return new Builder(kinesis, dynamoDb);
    }

    /** The Kinesis client the KCL reads with. */
    public KinesisAsyncClient kinesis() {
        return kinesis;
    }

    /** The DynamoDB client of the lease tables. */
    public DynamoDbAsyncClient dynamoDb() {
        return dynamoDb;
    }

    /** The CloudWatch client the KCL publishes its metrics with; a placeholder that is never called when metrics are off. */
    public CloudWatchAsyncClient cloudWatch() {
        return cloudWatch;
    }

    /** Whether the KCL publishes its own metrics to CloudWatch ({@link Builder#cloudWatchMetrics}). */
    public boolean publishesMetrics() {
        return publishMetrics;
    }

    /** This process's name in the lease table; unique per process. */
    public String workerId() {
        return workerId;
    }

    /** See {@link Builder#failoverTime}. */
    public Duration failoverTime() {
        return failoverTime;
    }

    /** See {@link Builder#shardSyncInterval}. */
    public Duration shardSyncInterval() {
        return shardSyncInterval;
    }

    /** See {@link Builder#pollInterval}. */
    public Duration pollInterval() {
        return pollInterval;
    }

    /** See {@link Builder#maxRecordsPerBatch}: also the most records of a shard a failover can deliver twice. */
    public int maxRecordsPerBatch() {
        return maxRecordsPerBatch;
    }

    /** See {@link Builder#balancing}. */
    public Balancing balancing() {
        return balancing;
    }

    /**
     * The lease table (the KCL application name) of {@code group} on Kinesis stream {@code stream}:
     * {@code "<prefix><group>-<stream>"}.
     *
     * @throws IllegalArgumentException if that is not a valid DynamoDB table name (3..200 of
     *                                  {@code a-z A-Z 0-9 _ . -}); rename the group or set a shorter prefix
     */
    public String leaseTableName(String group, String stream) {
        String name = tablePrefix + group + "-" + stream;
        if (!TABLE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("The lease table name '" + name + "' of consumer group '" + group
                    + "' on Kinesis stream '" + stream + "' is not a valid DynamoDB table name (expected 3..200 characters of"
                    + " a-z A-Z 0-9 _ . -); use a group name of those characters or change leaseTablePrefix");
        }
        return name;
    }

    /**
     * Creates the lease table of {@code group} on Kinesis stream {@code stream} ({@link #leaseTableName}) the way the
     * KCL 3 lays it out, its index on the lease owner included, unless it exists; waits until it is active. Optional:
     * the KCL creates a missing table itself, but it adds the owner index to a table it created and then polls for it
     * every 10 s, which on DynamoDB Local (where an added index is built in the background) delays a new group's
     * first start by 10-20 s. Safe to call from several processes at once. Needs the KCL on the class path, as
     * leased groups do.
     *
     * @return whether this call created the table ({@code false}: it existed)
     * @throws IllegalArgumentException if the lease table name is invalid ({@link #leaseTableName})
     * @throws java.util.concurrent.CompletionException if DynamoDB refused the table for another reason, e.g. missing
     *                                                  permissions; its cause is the SDK's exception
     */
    public boolean createLeaseTable(String group, String stream) {
        return KclLeaseTable.createIfMissing(dynamoDb, leaseTableName(group, stream));
    }

    private static String defaultWorkerId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return host + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * The KCL needs a CloudWatch client even with its metrics off; this one is never called (port 9, the
     * discard port, and no credentials), so nothing is sent and no credentials are looked up.
     */
    private static CloudWatchAsyncClient unusedCloudWatch(KinesisAsyncClient kinesis) {
        Region region = kinesis.serviceClientConfiguration().region();
        return CloudWatchAsyncClient.builder()
                .region(region != null ? region : Region.US_EAST_1)
                .endpointOverride(URI.create("http://127.0.0.1:9"))
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .build();
    }

    /** Options for {@link LeasedConsumerGroups}; setters validate their argument at once. */
    public static final class Builder {
        private final KinesisAsyncClient kinesis;
        private final DynamoDbAsyncClient dynamoDb;
        private @Nullable CloudWatchAsyncClient cloudWatch;
        private @Nullable String workerId;
        private Duration failoverTime = Duration.ofSeconds(10);
        private Duration shardSyncInterval = Duration.ofSeconds(60);
        private Duration pollInterval = Duration.ofMillis(400);
        private int maxRecordsPerBatch = 1000;
        private String tablePrefix = "";
        private Balancing balancing = Balancing.LEASE_COUNT;

        private Builder(KinesisAsyncClient kinesis, DynamoDbAsyncClient dynamoDb) {
            this.kinesis = Objects.requireNonNull(kinesis, "kinesis");
            this.dynamoDb = Objects.requireNonNull(dynamoDb, "dynamoDb");
        }

        /**
         * This process's name in the lease tables. Must be unique among the processes of a group: two
         * processes with one name would renew each other's leases. Host name, process id and a random
         * suffix by default.
         */
        public Builder workerId(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("workerId must not be blank, but was '" + value + "'");
            }
            this.workerId = value;
            return this;
        }

        /**
         * How long a lease stays with a process that stopped renewing it before another process may take
         * it: the longest a shard waits after its process died. Leases are renewed three times per failover
         * time (each renewal is one DynamoDB write per lease). 10 s by default, the KCL's default.
         */
        public Builder failoverTime(Duration value) {
            this.failoverTime = requireAtLeast(value, Duration.ofMillis(500), "failoverTime");
            return this;
        }

        /** How often the group's leader lists the shards to create leases for new ones (after resharding). 60 s by default. */
        public Builder shardSyncInterval(Duration value) {
            this.shardSyncInterval = requireAtLeast(value, Duration.ofMillis(100), "shardSyncInterval");
            return this;
        }

        /**
         * The wait between GetRecords calls on a shard (the KCL's {@code idleTimeBetweenReadsInMillis}); a record
         * waits up to this long before its shard is read. 400 ms by default (the KCL's own default is 1 s), so
         * that publish to consumer stays under 500 ms at the 99th percentile: 2.5 calls per second per shard and
         * group, so two groups fit in the 5 GetRecords calls per second that Kinesis allows per shard. With more
         * groups on one stream, raise it (1 s fits five).
         */
        public Builder pollInterval(Duration value) {
            this.pollInterval = requireAtLeast(value, Duration.ofMillis(1), "pollInterval");
            return this;
        }

        /**
         * The most records one GetRecords call returns, 1..10000; the consumer handles them in order and the
         * shard is checkpointed after the last. A process that dies mid-batch had handled part of a batch it
         * did not checkpoint, which the next owner of the shard delivers again: this bounds those duplicates.
         * 1000 by default.
         */
        public Builder maxRecordsPerBatch(int value) {
            if (value < 1 || value > 10_000) {
                throw new IllegalArgumentException("maxRecordsPerBatch must be 1..10000, but was " + value);
            }
            this.maxRecordsPerBatch = value;
            return this;
        }

        /**
         * Publishes the KCL's own metrics (leases, records processed, millis behind latest) to CloudWatch at
         * the KCL's SUMMARY level; off by default (Nexus's meters are on the bus's meter registry either way).
         */
        public Builder cloudWatchMetrics(CloudWatchAsyncClient value) {
            this.cloudWatch = Objects.requireNonNull(value, "cloudWatch");
            return this;
        }

        /** A prefix of every lease table name, e.g. an environment ({@code "prod-"}); empty by default. */
        public Builder leaseTablePrefix(String value) {
            this.tablePrefix = Objects.requireNonNull(value, "leaseTablePrefix");
            return this;
        }

        /** How leases are spread over the group's processes; {@link Balancing#LEASE_COUNT} by default. */
        public Builder balancing(Balancing value) {
            this.balancing = Objects.requireNonNull(value, "balancing");
            return this;
        }

        /** The settings. */
        public LeasedConsumerGroups build() {
            return new LeasedConsumerGroups(this);
        }

        private static Duration requireAtLeast(Duration value, Duration min, String what) {
            Objects.requireNonNull(value, what);
            if (value.compareTo(min) < 0) {
                throw new IllegalArgumentException(what + " must be at least " + min + ", but was " + value);
            }
            return value;
        }
    }
}
