package io.nexus.kinesis;

import io.micrometer.core.instrument.MeterRegistry;
import io.nexus.core.bus.BusConsumer;
import io.nexus.core.bus.BusPath;
import io.nexus.core.bus.ConsumerGroup;
import io.nexus.core.bus.ResilientConsumer;
import io.nexus.core.bus.EventBus;
import io.nexus.core.bus.RoutingRule;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.deadletter.DeadLetterQueue;
import io.nexus.core.deadletter.InMemoryDeadLetterQueue;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.internal.NexusMetrics;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.store.Subscription;
import io.nexus.kinesis.internal.EnvelopeCodec;
import io.nexus.kinesis.internal.GroupLag;
import io.nexus.kinesis.internal.KclGroup;
import io.nexus.kinesis.internal.ShardReader;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The {@link EventBus} on Amazon Kinesis Data Streams: one Kinesis stream per {@link BusPath}, the
 * aggregate (stream) id as partition key, and consumer groups that read every shard with GetRecords and
 * keep their positions in a {@link CheckpointStore}.
 *
 * <pre>{@code
 * KinesisEventBus bus = KinesisEventBus.builder(kinesisClient)
 *         .primaryStream("orders-events")
 *         .secondaryStream("orders-audit")
 *         .routing(RoutingRule.secondaryFor(Set.of("AuditNoted")))
 *         .checkpoints(checkpointStore)
 *         .build();
 * }</pre>
 *
 * <p>Implementation notes.
 * <ul>
 *   <li><b>Publishing.</b> Every event is encoded and size-checked before anything is sent, so a publish
 *       that is rejected leaves nothing on the streams. Records go out with PutRecords, at most
 *       {@link Builder#maxRequestRecords 500} records and {@link Builder#maxRequestBytes 5 MiB} per
 *       request, and at most <em>one record per partition key per request</em>: PutRecords accepts or
 *       rejects each record on its own and promises no order within a request, so two records of one
 *       aggregate in one request could land out of order, or the later could succeed while the earlier
 *       failed. With one per request, a record that fails is retried (with backoff) before the next
 *       record of its aggregate is even sent, which is what keeps per-aggregate order under partial
 *       failures and throttling. Many aggregates still share each request. The backoff belongs to the
 *       failed record (by its own attempts), not to the publish: records of other keys keep going out
 *       while it waits, so one throttled hot shard does not slow the others.</li>
 *   <li><b>Consuming.</b> Each subscription runs a coordinator thread that lists the shards (at start,
 *       every {@link Builder#shardSyncInterval}, and whenever a shard ends) and one reader thread per
 *       shard that is ready. A shard is ready once every parent shard still retained has been read to its
 *       end by this group, so after a split or merge the records of a key in the parent are all
 *       delivered before those in the child. A reader delivers records one at a time through the group's
 *       {@link ResilientConsumer} (retries with backoff up to the {@link Builder#consumerRetry consumer retry
 *       policy}'s attempts, then a dead letter, with the aggregate's later records parked behind it on the
 *       primary path; see {@link ConsumerGroup}), and saves the record's
 *       sequence number as checkpoint (consumer {@code "<group>/<kinesis stream>"}, partition = shard id)
 *       after each acknowledgement, in the one shard-checkpoint encoding of {@link io.nexus.core.checkpoint.ShardCheckpoints}
 *       (a closed shard read to its end is marked finished); the parent-before-child rule is
 *       {@link io.nexus.core.checkpoint.ShardLineage}'s.
 *       </li>
 *   <li><b>One process per group, by default.</b> The reader above keeps no lease table: a consumer group
 *       runs in one process (at most one subscription per group and path per bus). With
 *       {@link Builder#leasedConsumerGroups} a group instead runs in every process that subscribes it, on the
 *       Kinesis Client Library, which leases the shards to those processes and moves them on failure; see
 *       {@link LeasedConsumerGroups}.</li>
 * </ul>
 *
 * <p>The caller owns the {@link KinesisClient}: the bus never closes it. Thread-safe.
 */
public final class KinesisEventBus implements EventBus {

    /** The largest Kinesis record by default: partition key plus data, 1 MiB. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;
    /** The PutRecords limit on the whole request, partition keys included: 5 MiB. */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 5 * 1024 * 1024;
    /** The PutRecords limit on records per request. */
    public static final int MAX_REQUEST_RECORDS = 500;
    /** The longest partition key Kinesis accepts, in Unicode code points. */
    static final int MAX_PARTITION_KEY_LENGTH = 256;

    private final KinesisClient client;
    private final Map<BusPath, String> streams;
    private final RoutingRule routing;
    private final CheckpointStore checkpoints;
    private final RetryPolicy publishRetry;
    private final RetryPolicy consumerRetry;
    private final RetryPolicy readBackoff;
    private final DeadLetterQueue deadLetters;
    private final Clock clock;
    private final @Nullable MeterRegistry meterRegistry;
    private final Duration pollInterval;
    private final Duration maxPollInterval;
    private final Duration shardSyncInterval;
    private final int maxRecordsPerGet;
    private final int maxRecordBytes;
    private final int maxRequestBytes;
    private final int maxRequestRecords;
    private final NexusMetrics metrics;
    private final Timing timing;
    private final @Nullable LeasedConsumerGroups leasedGroups;
    private final Map<String, Subscription> active = new ConcurrentHashMap<>();
    /** Per Kinesis stream, the highest global position this bus has published on it (consumer groups' lag). */
    private final Map<String, AtomicLong> published = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private KinesisEventBus(Builder b) {
        this.client = b.client;
        this.streams = new EnumMap<>(b.streams);
        this.routing = b.routing;
        // build() has set the defaults of the optional stores
        this.checkpoints = Objects.requireNonNull(b.checkpoints, "checkpoints");
        this.publishRetry = b.publishRetry;
        this.consumerRetry = b.consumerRetry;
        this.readBackoff = b.readBackoff;
        this.deadLetters = Objects.requireNonNull(b.deadLetters, "deadLetters");
        this.clock = b.clock;
        this.meterRegistry = b.meterRegistry;
        this.pollInterval = b.pollInterval;
        this.maxPollInterval = b.maxPollInterval.compareTo(b.pollInterval) < 0 ? b.pollInterval : b.maxPollInterval;
        this.shardSyncInterval = b.shardSyncInterval;
        this.maxRecordsPerGet = b.maxRecordsPerGet;
        this.maxRecordBytes = b.maxRecordBytes;
        this.maxRequestBytes = b.maxRequestBytes;
        this.maxRequestRecords = b.maxRequestRecords;
        this.metrics = NexusMetrics.of(b.meterRegistry);
        this.timing = b.timing;
        this.leasedGroups = b.leasedGroups;
    }

    /**
     * Starts a builder over the caller's client. The client's own retry strategy still applies to each
     * request; the bus adds per-record retries on top.
     */
    public static Builder builder(KinesisClient client) {
        return new Builder(client);
    }

    /** The Kinesis stream of {@code path}, if one is configured. */
    public Optional<String> streamOf(BusPath path) {
        return Optional.ofNullable(streams.get(Objects.requireNonNull(path, "path")));
    }

    /** The checkpoint store the consumer groups of this bus save to. */
    public CheckpointStore checkpoints() {
        return checkpoints;
    }

    /** The dead-letter queue the consumer groups of this bus keep their dead letters and parked events in. */
    public DeadLetterQueue deadLetters() {
        return deadLetters;
    }

    /**
     * The checkpoint consumer name under which {@code group} keeps its shard positions on {@code path}:
     * {@code "<group>/<kinesis stream>"}. Reset it in the checkpoint store to replay a group from the
     * oldest retained record.
     *
     * @throws IllegalStateException if {@code path} has no stream
     */
    public String checkpointConsumer(String group, BusPath path) {
        return group + "/" + requireStream(path);
    }

    /**
     * The partition key of an aggregate: its stream id, or {@code "sha256:"} and the hex SHA-256 of the
     * id when the id is longer than Kinesis's 256-character key limit. Either way one aggregate always
     * maps to one key, hence one shard at a time.
     */
    public static String partitionKeyOf(String streamId) {
        if (streamId.codePointCount(0, streamId.length()) <= MAX_PARTITION_KEY_LENGTH && !streamId.isEmpty()) {
            return streamId;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(streamId.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Publishes {@code events} to the streams of their paths, keeping per-aggregate order, and returns
     * once Kinesis has accepted every record. Partial failures and throttling are retried with the
     * {@link Builder#publishRetry publish retry policy}.
     *
     * @throws KinesisRecordTooLargeException if an event does not fit one record; nothing was sent
     * @throws KinesisBusException            if a path has no stream (nothing was sent), Kinesis rejected a
     *                                        request, or records still failed after the last retry; records
     *                                        accepted before that stay on the stream
     */
    @Override
    public void publish(List<EventEnvelope> events) {
        Objects.requireNonNull(events, "events");
        if (closed) {
            throw new IllegalStateException("The Kinesis event bus is closed; publish to an open bus");
        }
        Map<BusPath, List<Outgoing>> byPath = new EnumMap<>(BusPath.class);
        long now = timing.nanoTime();
        for (EventEnvelope event : events) {
            Objects.requireNonNull(event, "event");
            BusPath path = Objects.requireNonNull(routing.pathOf(event.eventType()),
                    () -> "the routing rule returned no path for event type '" + event.eventType() + "'");
            String stream = streams.get(path);
            if (stream == null) {
                throw new KinesisBusException(null, "The routing rule sends event type '" + event.eventType()
                        + "' to the " + path + " path, but the bus has no " + path.name().toLowerCase()
                        + " stream; configure it with " + path.name().toLowerCase() + "Stream(..) or change the routing rule."
                        + " Nothing of this publish was sent.", null, false);
            }
            String key = partitionKeyOf(event.streamId());
            byte[] data = EnvelopeCodec.encode(event);
            int size = key.getBytes(StandardCharsets.UTF_8).length + data.length;
            if (size > maxRecordBytes) {
                throw new KinesisRecordTooLargeException(event.streamId(), event.eventId(), event.eventType(), size,
                        maxRecordBytes);
            }
            byPath.computeIfAbsent(path, p -> new ArrayList<>()).add(new Outgoing(key, data, size, now, event.globalPosition()));
        }
        for (Map.Entry<BusPath, List<Outgoing>> entry : byPath.entrySet()) {
            // every path of the batch has a stream, checked above
            String stream = Objects.requireNonNull(streams.get(entry.getKey()));
            putAll(stream, entry.getValue());
            long newest = EventEnvelope.NO_POSITION;
            for (Outgoing o : entry.getValue()) {
                newest = Math.max(newest, o.position);
            }
            publishedOn(stream).accumulateAndGet(newest, Math::max);
        }
    }

    /**
     * Sends {@code records} (in publish order) until all are accepted; see the class notes. A record that
     * fails waits out its own backoff (by its attempts) before it is sent again, and so do the later records
     * of its key, which queue behind it; records of other keys keep going out meanwhile. The loop sleeps
     * only when every key's next record is waiting out a backoff, and then only until the earliest is due.
     */
    private void putAll(String stream, List<Outgoing> records) {
        List<Outgoing> pending = records;
        while (!pending.isEmpty()) {
            long now = timing.nanoTime();
            List<Outgoing> request = nextRequest(pending, now);
            if (request.isEmpty()) {
                long due = Long.MAX_VALUE;
                Set<String> heads = new HashSet<>();
                for (Outgoing o : pending) {
                    if (heads.add(o.key)) {
                        due = Math.min(due, o.notBefore);
                    }
                }
                sleep(stream, Duration.ofNanos(Math.max(1, due - now)));
                continue;
            }
            List<Outgoing> failed = send(stream, request);
            Set<Outgoing> done = Collections.newSetFromMap(new IdentityHashMap<>());
            done.addAll(request);
            failed.forEach(done::remove);
            List<Outgoing> remaining = new ArrayList<>(pending.size() - done.size());
            for (Outgoing o : pending) {
                if (!done.contains(o)) {
                    remaining.add(o);
                }
            }
            pending = remaining;
            if (failed.isEmpty()) {
                continue;
            }
            long failedAt = timing.nanoTime();
            for (Outgoing o : failed) {
                if (o.backoff == null) {
                    o.backoff = publishRetry.backoff(ThreadLocalRandom.current());
                }
                Duration delay = o.backoff.failed();
                if (!o.backoff.canRetry()) {
                    throw new KinesisBusException(stream, pending.size() + " of " + records.size() + " records for Kinesis"
                            + " stream '" + stream + "' were still not accepted after " + o.backoff.failures() + " attempts"
                            + " (last error: " + o.lastError + "); records accepted so far stay on the stream. Publish the"
                            + " same events again later (consumers drop duplicates by event id) or add shards.", null, true);
                }
                o.notBefore = failedAt + delay.toNanos();
            }
        }
    }

    /**
     * The next request: for each key, its first pending record if its backoff is over, in publish order,
     * within the count and size limits. A key whose first record is waiting sends nothing, so its order holds.
     */
    private List<Outgoing> nextRequest(List<Outgoing> pending, long now) {
        List<Outgoing> request = new ArrayList<>(Math.min(pending.size(), maxRequestRecords));
        Set<String> keysSeen = new HashSet<>();
        long bytes = 0;
        for (Outgoing o : pending) {
            if (!keysSeen.add(o.key)) {
                continue;
            }
            if (request.size() == maxRequestRecords) {
                break;
            }
            if (o.notBefore - now > 0 || bytes + o.size > maxRequestBytes) {
                continue;
            }
            request.add(o);
            bytes += o.size;
        }
        return request;
    }

    /** One PutRecords call; the records Kinesis did not accept, each with its error noted. */
    private List<Outgoing> send(String stream, List<Outgoing> request) {
        List<PutRecordsRequestEntry> entries = new ArrayList<>(request.size());
        for (Outgoing o : request) {
            entries.add(PutRecordsRequestEntry.builder().partitionKey(o.key).data(SdkBytes.fromByteArrayUnsafe(o.data)).build());
        }
        metrics.summary("nexus.kinesis.publish.batch.size", request.size(), "stream", stream);
        PutRecordsResponse response;
        try {
            response = client.putRecords(r -> r.streamName(stream).records(entries));
        } catch (AbortedException e) {
            // The SDK's answer to an interrupt: the caller is shutting down, so stop rather than retry.
            Thread.currentThread().interrupt();
            throw new KinesisBusException(stream, "Interrupted while sending records to Kinesis stream '" + stream
                    + "'; records accepted so far stay on the stream. Publish the same events again.", e, true);
        } catch (SdkException e) {
            if (!isTransient(e)) {
                throw new KinesisBusException(stream, "Kinesis rejected PutRecords to stream '" + stream + "': "
                        + e.getMessage() + "; check that the stream exists and the credentials may write to it."
                        + " Records accepted before this request stay on the stream.", e, false);
            }
            String error = errorName(e);
            metrics.count("nexus.kinesis.publish.retries", "stream", stream, "reason", error);
            for (Outgoing o : request) {
                o.lastError = error + ": " + e.getMessage();
            }
            return request;
        }
        List<PutRecordsResultEntry> results = response.records();
        if (results.size() != request.size()) {
            throw new KinesisBusException(stream, "Kinesis answered PutRecords to stream '" + stream + "' with "
                    + results.size() + " results for " + request.size() + " records; the response cannot be matched"
                    + " to the records. Publish the same events again.", null, true);
        }
        List<Outgoing> failed = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            PutRecordsResultEntry result = results.get(i);
            Outgoing o = request.get(i);
            if (result.errorCode() == null) {
                metrics.count("nexus.kinesis.publish.records", "stream", stream);
            } else {
                o.lastError = result.errorCode() + ": " + result.errorMessage();
                metrics.count("nexus.kinesis.publish.retries", "stream", stream, "reason", result.errorCode());
                failed.add(o);
            }
        }
        return failed;
    }

    static boolean isTransient(SdkException e) {
        if (e instanceof ResourceNotFoundException) {
            return false;
        }
        if (e.retryable() || e instanceof SdkClientException) {
            return true;
        }
        if (e instanceof KinesisException k) {
            int status = k.statusCode();
            String code = k.awsErrorDetails() == null ? "" : String.valueOf(k.awsErrorDetails().errorCode());
            return status >= 500 || status == 429 || code.contains("Throughput") || code.contains("Throttl")
                    || code.equals("LimitExceededException") || code.startsWith("KMSThrottling");
        }
        return false;
    }

    static String errorName(SdkException e) {
        if (e instanceof KinesisException k && k.awsErrorDetails() != null && k.awsErrorDetails().errorCode() != null) {
            return k.awsErrorDetails().errorCode();
        }
        return e.getClass().getSimpleName();
    }

    private void sleep(String stream, Duration delay) {
        try {
            timing.sleep(Math.max(delay.toNanos(), 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KinesisBusException(stream, "Interrupted while waiting to retry records for Kinesis stream '"
                    + stream + "'; records accepted so far stay on the stream. Publish the same events again.", e, true);
        }
    }

    @Override
    public ConsumerGroup subscribe(String group, BusPath path, BusConsumer consumer) {
        if (group == null || group.isBlank()) {
            throw new IllegalArgumentException("group must not be blank, but was '" + group + "'");
        }
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(consumer, "consumer");
        if (closed) {
            throw new IllegalStateException("The Kinesis event bus is closed; subscribe to an open bus");
        }
        String stream = requireStream(path);
        String consumerId = group + "/" + stream;
        if (active.containsKey(consumerId)) {
            throw alreadyConsuming(group, path, stream);
        }
        ResilientConsumer resilient = ResilientConsumer.builder(group, path, consumerId, consumer).deadLetters(deadLetters)
                .retry(consumerRetry).clock(clock).meterRegistry(meterRegistry).build();
        LeasedConsumerGroups leased = leasedGroups;
        if (leased != null) {
            return subscribeLeased(leased, group, path, stream, consumerId, resilient);
        }
        GroupLag lag = new GroupLag(publishedOn(stream)::get);
        ShardReader.Group subscription = new ShardReader.Group(new ShardReader.Settings(client, checkpoints, readBackoff,
                pollInterval, maxPollInterval, shardSyncInterval, maxRecordsPerGet, metrics), group, stream, consumerId, resilient,
                lag, () -> active.remove(consumerId));
        if (active.putIfAbsent(consumerId, subscription) != null) {
            throw alreadyConsuming(group, path, stream);
        }
        subscription.start();
        return resilient.asConsumerGroup(subscription, lag::lag);
    }

    private AtomicLong publishedOn(String stream) {
        return published.computeIfAbsent(stream, s -> new AtomicLong(EventEnvelope.NO_POSITION));
    }

    private ConsumerGroup subscribeLeased(LeasedConsumerGroups leased, String group, BusPath path, String stream, String consumerId,
                                          ResilientConsumer resilient) {
        leased.leaseTableName(group, stream);
        GroupLag lag = new GroupLag(publishedOn(stream)::get);
        KclGroup subscription = new KclGroup(leased, readBackoff, metrics, group, stream, resilient, lag,
                () -> active.remove(consumerId));
        if (active.putIfAbsent(consumerId, subscription) != null) {
            throw alreadyConsuming(group, path, stream);
        }
        try {
            subscription.start();
        } catch (RuntimeException e) {
            active.remove(consumerId);
            throw e;
        }
        return resilient.asConsumerGroup(subscription, lag::lag);
    }

    /**
     * The shards of {@code path}'s stream that this process holds a lease on for {@code group} now, sorted;
     * empty when the group is not subscribed here. With {@link Builder#leasedConsumerGroups leased consumer
     * groups} that is this process's share of the group; otherwise a group reads every shard in one process and
     * holds no leases, so this is always empty.
     *
     * @throws IllegalStateException if {@code path} has no stream
     */
    public Set<String> leasedShards(String group, BusPath path) {
        Subscription subscription = active.get(group + "/" + requireStream(path));
        return subscription instanceof KclGroup leased ? leased.leasedShards() : Set.of();
    }

    /** The leased-consumer-group settings of this bus, if its groups run across processes. */
    public Optional<LeasedConsumerGroups> leasedConsumerGroups() {
        return Optional.ofNullable(leasedGroups);
    }

    private static IllegalStateException alreadyConsuming(String group, BusPath path, String stream) {
        return new IllegalStateException("Consumer group '" + group + "' already consumes path " + path
                + " (Kinesis stream '" + stream + "') on this bus; close that subscription first or use another group name");
    }

    private String requireStream(BusPath path) {
        String stream = streams.get(Objects.requireNonNull(path, "path"));
        if (stream == null) {
            throw new IllegalStateException("The bus has no " + path.name().toLowerCase() + " stream; configure it with "
                    + path.name().toLowerCase() + "Stream(..)");
        }
        return stream;
    }

    /** Stops every subscription. The Kinesis client stays open: it belongs to the caller. */
    @Override
    public void close() {
        closed = true;
        for (Subscription subscription : List.copyOf(active.values())) {
            subscription.close();
        }
    }

    /** One record on its way out. */
    private static final class Outgoing {
        final String key;
        final byte[] data;
        final int size;
        final long position;
        RetryPolicy.@Nullable Backoff backoff;
        long notBefore;
        @Nullable String lastError;

        Outgoing(String key, byte[] data, int size, long now, long position) {
            this.position = position;
            this.key = key;
            this.data = data;
            this.size = size;
            this.notBefore = now;
        }
    }

    /** Time as the publisher sees it; tests drive it instead of waiting. */
    interface Timing {
        long nanoTime();

        void sleep(long nanos) throws InterruptedException;

        Timing SYSTEM = new Timing() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleep(long nanos) throws InterruptedException {
                TimeUnit.NANOSECONDS.sleep(nanos);
            }
        };
    }

    /**
     * Options for {@link KinesisEventBus}. Setters validate their argument at once; {@link #build()}
     * checks that the streams exist and are active.
     */
    public static final class Builder {
        private final KinesisClient client;
        private final Map<BusPath, String> streams = new EnumMap<>(BusPath.class);
        private RoutingRule routing = RoutingRule.allPrimary();
        private @Nullable CheckpointStore checkpoints;
        private RetryPolicy publishRetry = RetryPolicy.custom().maxAttempts(10).initialDelay(Duration.ofMillis(50))
                .maxDelay(Duration.ofSeconds(5)).jitter(0.5).build();
        private RetryPolicy consumerRetry = ResilientConsumer.defaultRetry();
        private RetryPolicy readBackoff = RetryPolicy.custom().initialDelay(Duration.ofMillis(10))
                .maxDelay(Duration.ofSeconds(1)).jitter(0.5).build();
        private @Nullable DeadLetterQueue deadLetters;
        private Clock clock = Clock.systemUTC();
        private Duration pollInterval = Duration.ofMillis(250);
        private Duration maxPollInterval = Duration.ofMillis(400);
        private Duration shardSyncInterval = Duration.ofSeconds(10);
        private int maxRecordsPerGet = 1000;
        private int maxRecordBytes = DEFAULT_MAX_RECORD_BYTES;
        private int maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
        private int maxRequestRecords = MAX_REQUEST_RECORDS;
        private @Nullable MeterRegistry meterRegistry;
        private boolean verifyStreams = true;
        private Timing timing = Timing.SYSTEM;
        private @Nullable LeasedConsumerGroups leasedGroups;

        private Builder(KinesisClient client) {
            this.client = Objects.requireNonNull(client, "client");
        }

        /** The Kinesis stream of the primary path. Required. */
        public Builder primaryStream(String name) {
            streams.put(BusPath.PRIMARY, requireStreamName(name, "primaryStream"));
            return this;
        }

        /**
         * The Kinesis stream of the secondary path. Optional; without it, publishing an event the routing
         * rule sends to the secondary path fails (before sending anything), and subscribing to the
         * secondary path is refused.
         */
        public Builder secondaryStream(String name) {
            streams.put(BusPath.SECONDARY, requireStreamName(name, "secondaryStream"));
            return this;
        }

        /** Which event types take the secondary path; everything primary by default. */
        public Builder routing(RoutingRule value) {
            this.routing = Objects.requireNonNull(value, "routing");
            return this;
        }

        /** Where consumer groups keep their shard positions; a fresh {@link InMemoryCheckpointStore} by default. */
        public Builder checkpoints(CheckpointStore value) {
            this.checkpoints = Objects.requireNonNull(value, "checkpoints");
            return this;
        }

        /**
         * How often a record Kinesis did not accept (throttled, internal failure) is tried, and the backoff
         * between rounds. 10 attempts, 50 ms doubling to 5 s, half jitter by default.
         */
        public Builder publishRetry(RetryPolicy value) {
            this.publishRetry = Objects.requireNonNull(value, "publishRetry");
            return this;
        }

        /**
         * How often a consumer is given a record it fails on, and the backoff between tries, before the event
         * becomes a dead letter. 5 attempts, 100 ms doubling to 5 s, half jitter by default
         * ({@link ResilientConsumer#defaultRetry()}).
         */
        public Builder consumerRetry(RetryPolicy value) {
            this.consumerRetry = Objects.requireNonNull(value, "consumerRetry");
            return this;
        }

        /**
         * The backoff between retries of failed GetRecords and ListShards calls, and of a record whose outcome
         * could not be stored (only the delays count: reading is retried until the subscription closes).
         * 10 ms doubling to 1 s, half jitter by default.
         */
        public Builder readBackoff(RetryPolicy value) {
            this.readBackoff = Objects.requireNonNull(value, "readBackoff");
            return this;
        }

        /**
         * The backoff of failed reads and of consumer retries.
         *
         * @deprecated consumers no longer get a failing record forever: use {@link #consumerRetry} (whose
         *             attempts also count) and {@link #readBackoff}. This sets the read backoff to
         *             {@code value} and the consumer retry delays to those of {@code value}, keeping its attempts.
         */
        @Deprecated
        public Builder redeliveryBackoff(RetryPolicy value) {
            Objects.requireNonNull(value, "redeliveryBackoff");
            this.readBackoff = value;
            this.consumerRetry = value.toBuilder().maxAttempts(consumerRetry.maxAttempts()).build();
            return this;
        }

        /**
         * Where consumer groups keep dead letters and the events parked behind them; a fresh
         * {@link InMemoryDeadLetterQueue} by default (lost with the process: give a durable one in production).
         */
        public Builder deadLetters(DeadLetterQueue value) {
            this.deadLetters = Objects.requireNonNull(value, "deadLetters");
            return this;
        }

        /** The clock that stamps dead letters; the system clock by default. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * How long a shard reader waits after a GetRecords call that returned nothing (the first time; see
         * {@link #maxPollInterval}). 250 ms by default;
         * Kinesis allows 5 GetRecords calls per second per shard, shared by every consumer group.
         */
        public Builder pollInterval(Duration value) {
            this.pollInterval = requirePositive(value, "pollInterval");
            return this;
        }

        /**
         * The longest wait between GetRecords calls on a shard that keeps returning nothing: the wait
         * starts at {@link #pollInterval} and doubles with each empty answer up to this. 400 ms by default:
         * a record published to an idle shard waits at most this long for the next call, which leaves about
         * 100 ms of the 500 ms publish-to-consumer p99 target for the requests and Kinesis's own delay, and two
         * groups polling an idle shard stay within its 5 calls per second. A value below the poll interval
         * means the poll interval.
         */
        public Builder maxPollInterval(Duration value) {
            this.maxPollInterval = requirePositive(value, "maxPollInterval");
            return this;
        }

        /** How often a subscription lists the shards to find new ones after resharding. 10 s by default. */
        public Builder shardSyncInterval(Duration value) {
            this.shardSyncInterval = requirePositive(value, "shardSyncInterval");
            return this;
        }

        /** The limit of each GetRecords call, 1..10000. 1000 by default. */
        public Builder maxRecordsPerGet(int value) {
            if (value < 1 || value > 10_000) {
                throw new IllegalArgumentException("maxRecordsPerGet must be 1..10000, but was " + value);
            }
            this.maxRecordsPerGet = value;
            return this;
        }

        /**
         * The largest record (partition key plus encoded event) to send, in bytes. 1 MiB by default, the
         * Kinesis default; raise it only for streams whose maximum record size was raised.
         */
        public Builder maxRecordBytes(int value) {
            if (value < 1024 || value > 10 * 1024 * 1024) {
                throw new IllegalArgumentException("maxRecordBytes must be 1024..10485760, but was " + value);
            }
            this.maxRecordBytes = value;
            return this;
        }

        /** The largest PutRecords request, partition keys included, in bytes. 5 MiB by default. */
        public Builder maxRequestBytes(int value) {
            if (value < 1024 || value > 10 * 1024 * 1024) {
                throw new IllegalArgumentException("maxRequestBytes must be 1024..10485760, but was " + value);
            }
            this.maxRequestBytes = value;
            return this;
        }

        /** Records per PutRecords request, 1..500. 500 by default. */
        public Builder maxRequestRecords(int value) {
            if (value < 1 || value > MAX_REQUEST_RECORDS) {
                throw new IllegalArgumentException("maxRequestRecords must be 1..500, but was " + value);
            }
            this.maxRequestRecords = value;
            return this;
        }

        /** Where to record the bus's meters (see docs/kinesis.md); none by default. */
        public Builder meterRegistry(MeterRegistry value) {
            this.meterRegistry = Objects.requireNonNull(value, "meterRegistry");
            return this;
        }

        /** The publisher's time source and sleep, for tests that drive backoff without waiting. */
        Builder timing(Timing value) {
            this.timing = Objects.requireNonNull(value, "timing");
            return this;
        }

        /**
         * Runs this bus's consumer groups across processes on the Kinesis Client Library: each group's shards
         * are leased (DynamoDB lease table) and balanced between every process that subscribes the group, and
         * checkpointed in the lease table after each batch (the {@link #checkpoints checkpoint store} is then
         * not used by consumer groups). Off by default: a group then reads every shard in the one process that
         * subscribes it, with nothing but Kinesis and the checkpoint store. Retries, dead letters and parking are
         * the same in both modes; give a durable, shared {@link #deadLetters dead-letter queue} when groups run in
         * several processes. See {@link LeasedConsumerGroups} and docs/kinesis.md.
         */
        public Builder leasedConsumerGroups(LeasedConsumerGroups value) {
            this.leasedGroups = Objects.requireNonNull(value, "leasedConsumerGroups");
            return this;
        }

        /** Whether {@link #build()} checks that the streams exist and are active (DescribeStreamSummary). On by default. */
        public Builder verifyStreams(boolean value) {
            this.verifyStreams = value;
            return this;
        }

        /**
         * The bus.
         *
         * @throws IllegalStateException if no primary stream is set, or the request size limit is below the record limit
         * @throws KinesisBusException   if a stream does not exist or is not active (when verifying streams)
         */
        public KinesisEventBus build() {
            List<String> problems = new ArrayList<>();
            if (!streams.containsKey(BusPath.PRIMARY)) {
                problems.add("primaryStream was not set but it is required");
            }
            if (maxRequestBytes < maxRecordBytes) {
                problems.add("maxRequestBytes (" + maxRequestBytes + ") must not be below maxRecordBytes (" + maxRecordBytes + ")");
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException("Invalid KinesisEventBus configuration: " + String.join("; ", problems));
            }
            if (verifyStreams) {
                streams.forEach(this::verify);
            }
            if (checkpoints == null) {
                checkpoints = new InMemoryCheckpointStore();
            }
            if (deadLetters == null) {
                deadLetters = new InMemoryDeadLetterQueue();
            }
            return new KinesisEventBus(this);
        }

        private void verify(BusPath path, String stream) {
            StreamStatus status;
            try {
                status = client.describeStreamSummary(r -> r.streamName(stream)).streamDescriptionSummary().streamStatus();
            } catch (ResourceNotFoundException e) {
                throw new KinesisBusException(stream, "Kinesis stream '" + stream + "' of the " + path.name().toLowerCase()
                        + " path does not exist; create it (or fix the name) before building the bus", e, false);
            } catch (SdkException e) {
                throw new KinesisBusException(stream, "Could not describe Kinesis stream '" + stream + "' of the "
                        + path.name().toLowerCase() + " path: " + e.getMessage(), e, isTransient(e));
            }
            if (status != StreamStatus.ACTIVE && status != StreamStatus.UPDATING) {
                throw new KinesisBusException(stream, "Kinesis stream '" + stream + "' of the " + path.name().toLowerCase()
                        + " path is " + status + ", expected ACTIVE; wait until it is active", null, true);
            }
        }

        private static String requireStreamName(String name, String what) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException(what + " must not be blank, but was '" + name + "'");
            }
            return name;
        }

        private static Duration requirePositive(Duration value, String what) {
            Objects.requireNonNull(value, what);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, but was " + value);
            }
            return value;
        }
    }
}
