package io.nexus.kinesis.internal;

import io.nexus.core.bus.ResilientConsumer;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.checkpoint.ShardCheckpoint;
import io.nexus.core.checkpoint.ShardCheckpoints;
import io.nexus.core.checkpoint.ShardLineage;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.internal.NexusMetrics;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.store.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ExpiredIteratorException;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The consuming side of the Kinesis bus: a {@link Group} per subscription, which runs a coordinator
 * thread that finds ready shards and a reader thread per shard. Not part of the API; see the notes on
 * {@code KinesisEventBus}.
 */
public final class ShardReader {

    private static final Logger log = LoggerFactory.getLogger(ShardReader.class);

    private ShardReader() {
    }

    /**
     * What every reader of one bus shares. {@code readBackoff} spaces out retries of failed Kinesis calls
     * and of a record whose outcome could not be stored (dead-letter queue or checkpoint store down).
     */
    public record Settings(KinesisClient client, CheckpointStore checkpoints, RetryPolicy readBackoff, Duration pollInterval,
                           Duration maxPollInterval, Duration shardSyncInterval, int maxRecordsPerGet, NexusMetrics metrics) {
    }

    /** One consumer group on one Kinesis stream. */
    public static final class Group implements Subscription {
        private final Settings settings;
        private final String group;
        private final String stream;
        private final String consumerId;
        private final ResilientConsumer consumer;
        private final ShardCheckpoints checkpoints;
        private final Runnable onClose;
        private final GroupLag lag;
        private final Map<String, Thread> readers = new ConcurrentHashMap<>();
        private final Set<String> finished = ConcurrentHashMap.newKeySet();
        private final Object wake = new Object();
        private @Nullable Thread coordinator;
        private volatile boolean running = true;
        private boolean wakeRequested;

        public Group(Settings settings, String group, String stream, String consumerId, ResilientConsumer consumer,
                     GroupLag lag, Runnable onClose) {
            this.lag = lag;
            this.settings = settings;
            this.group = group;
            this.stream = stream;
            this.consumerId = consumerId;
            this.consumer = consumer;
            this.checkpoints = ShardCheckpoints.over(settings.checkpoints());
            this.onClose = onClose;
        }

        public void start() {
            coordinator = new Thread(this::coordinate, "nexus-kinesis-" + consumerId + "-shards");
            coordinator.setDaemon(true);
            coordinator.start();
        }

        private void coordinate() {
            RetryPolicy.Backoff backoff = settings.readBackoff().backoff(ThreadLocalRandom.current());
            while (running) {
                Duration wait = settings.shardSyncInterval();
                try {
                    syncShards();
                    backoff.succeeded();
                } catch (RuntimeException e) {
                    if (!running) {
                        return;
                    }
                    wait = backoff.failed();
                    log.warn("Consumer group '{}' could not list the shards of Kinesis stream '{}' (attempt {}); retrying",
                            group, stream, backoff.failures(), e);
                }
                synchronized (wake) {
                    if (!wakeRequested && running) {
                        try {
                            TimeUnit.MILLISECONDS.timedWait(wake, Math.max(1, wait.toMillis()));
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    wakeRequested = false;
                }
            }
        }

        /** Starts a reader for every shard not yet read to its end whose parents are (see {@link ShardLineage}). */
        private void syncShards() {
            Map<String, Shard> shards = listShards();
            List<ShardLineage.Shard> listed = new ArrayList<>(shards.size());
            for (Shard shard : shards.values()) {
                listed.add(new ShardLineage.Shard(shard.shardId(), shard.parentShardId(), shard.adjacentParentShardId()));
            }
            ShardLineage lineage = ShardLineage.of(listed);
            for (ShardLineage.Shard shard : lineage.parentsFirst()) {
                String id = shard.shardId();
                if (!running || readers.containsKey(id) || isFinished(id)) {
                    continue;
                }
                if (lineage.isReady(shard, this::isFinished)) {
                    Thread reader = new Thread(() -> new Reader(id).run(), "nexus-kinesis-" + consumerId + "-" + id);
                    reader.setDaemon(true);
                    readers.put(id, reader);
                    reader.start();
                }
            }
        }

        private boolean isFinished(String shardId) {
            if (finished.contains(shardId)) {
                return true;
            }
            if (checkpoints.load(consumerId, shardId).map(ShardCheckpoint::finished).orElse(false)) {
                finished.add(shardId);
                return true;
            }
            return false;
        }

        private Map<String, Shard> listShards() {
            Map<String, Shard> shards = new LinkedHashMap<>();
            String token = null;
            do {
                String next = token;
                ListShardsResponse response = next == null
                        ? settings.client().listShards(r -> r.streamName(stream))
                        : settings.client().listShards(r -> r.nextToken(next));
                for (Shard shard : response.shards()) {
                    shards.put(shard.shardId(), shard);
                }
                token = response.nextToken();
            } while (token != null);
            return shards;
        }

        private void wakeCoordinator() {
            synchronized (wake) {
                wakeRequested = true;
                wake.notifyAll();
            }
        }

        @Override
        public void close() {
            if (!running) {
                return;
            }
            running = false;
            consumer.stop();
            List<Thread> threads = new ArrayList<>(readers.values());
            if (coordinator != null) {
                threads.add(coordinator);
            }
            threads.forEach(Thread::interrupt);
            for (Thread thread : threads) {
                try {
                    thread.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            onClose.run();
        }

        /** Reads one shard from its checkpoint to its end (or until the subscription closes). */
        private final class Reader {
            private final String shardId;
            private final String[] tags;
            private @Nullable String after;
            private boolean done;
            private @Nullable String iterator;
            private long idleNanos;

            Reader(String shardId) {
                this.shardId = shardId;
                this.tags = new String[]{"stream", stream, "group", group};
            }

            void run() {
                RetryPolicy.Backoff backoff = settings.readBackoff().backoff(ThreadLocalRandom.current());
                try {
                    Optional<ShardCheckpoint> saved = checkpoints.load(consumerId, shardId);
                    after = saved.map(ShardCheckpoint::sequenceNumber).orElse(null);
                    done = saved.map(ShardCheckpoint::finished).orElse(false);
                    while (running) {
                        try {
                            if (!readOnce()) {
                                return;
                            }
                            backoff.succeeded();
                        } catch (ExpiredIteratorException e) {
                            iterator = null;
                        } catch (ResourceNotFoundException e) {
                            log.error("Kinesis stream '{}' or its shard '{}' is gone; consumer group '{}' stops reading it",
                                    stream, shardId, group, e);
                            return;
                        } catch (RuntimeException e) {
                            if (!running || e instanceof AbortedException) {
                                return;
                            }
                            iterator = null;
                            Duration delay = backoff.failed();
                            log.warn("Consumer group '{}' failed reading shard '{}' of Kinesis stream '{}' (attempt {}); retrying"
                                    + " from its last checkpoint in {} ms", group, shardId, stream, backoff.failures(),
                                    delay.toMillis(), e);
                            sleep(delay);
                        }
                    }
                } catch (InterruptedException e) {
                    // closing
                } catch (RuntimeException e) {
                    if (running) {
                        log.error("Consumer group '{}' stopped reading shard '{}' of Kinesis stream '{}'; the next shard sync"
                                + " restarts it from its checkpoint", group, shardId, stream, e);
                    }
                } finally {
                    lag.released(shardId);
                    if (!finished.contains(shardId)) {
                        readers.remove(shardId);
                    }
                }
            }

            /** One GetRecords round; false once the shard is done or the subscription stopped. */
            private boolean readOnce() throws InterruptedException {
                if (iterator == null) {
                    if (done) {
                        finish();
                        return false;
                    }
                    iterator = after == null
                            ? settings.client().getShardIterator(r -> r.streamName(stream).shardId(shardId)
                            .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator()
                            : settings.client().getShardIterator(r -> r.streamName(stream).shardId(shardId)
                            .shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER).startingSequenceNumber(after))
                            .shardIterator();
                }
                String current = iterator;
                GetRecordsResponse response = settings.client().getRecords(r -> r.shardIterator(current)
                        .limit(settings.maxRecordsPerGet()));
                if (response.millisBehindLatest() != null) {
                    settings.metrics().summary("nexus.kinesis.consume.millis.behind", response.millisBehindLatest(), tags);
                }
                List<Record> records = response.records();
                if (log.isTraceEnabled()) {
                    log.trace("Consumer group '{}' got {} records from shard '{}' of Kinesis stream '{}' after '{}'", group,
                            records.size(), shardId, stream, after);
                }
                if (!records.isEmpty()) {
                    settings.metrics().summary("nexus.kinesis.consume.batch.size", records.size(), tags);
                }
                // Decoded up front, so the group's lag knows the positions of every record in hand.
                EventEnvelope[] events = new EventEnvelope[records.size()];
                long[] positions = new long[records.size()];
                for (int i = 0; i < events.length; i++) {
                    Record record = records.get(i);
                    try {
                        events[i] = EnvelopeCodec.decode(record.data().asByteArrayUnsafe(),
                                "'" + record.sequenceNumber() + "' of shard '" + shardId + "' in stream '" + stream + "'");
                        positions[i] = events[i].globalPosition();
                    } catch (RuntimeException e) {
                        // Data, not a bug: counted and logged with its reason, then passed over for good (below).
                        settings.metrics().count("nexus.kinesis.consume.undecodable", tags);
                        log.warn("Consumer group '{}' skips record '{}' of shard '{}' in Kinesis stream '{}': {}", group,
                                record.sequenceNumber(), shardId, stream, e.getMessage());
                        positions[i] = EventEnvelope.NO_POSITION;
                    }
                }
                lag.fetched(shardId, positions, response.millisBehindLatest());
                for (int i = 0; i < events.length; i++) {
                    Record record = records.get(i);
                    EventEnvelope event = events[i];
                    if (event == null) {
                        checkpoint(record.sequenceNumber());
                        lag.acknowledged(shardId);
                        continue;
                    }
                    if (!deliver(event, record.sequenceNumber())) {
                        return false;
                    }
                    lag.acknowledged(shardId);
                    settings.metrics().count("nexus.kinesis.consume.records", tags);
                }
                iterator = response.nextShardIterator();
                if (iterator == null) {
                    checkpoints.save(consumerId, new ShardCheckpoint(shardId, after, true));
                    done = true;
                    finish();
                    return false;
                }
                if (records.isEmpty()) {
                    // An idle shard is polled less and less often, down to once per maxPollInterval.
                    idleNanos = idleNanos == 0 ? settings.pollInterval().toNanos()
                            : Math.min(idleNanos * 2, settings.maxPollInterval().toNanos());
                    TimeUnit.NANOSECONDS.sleep(idleNanos);
                } else {
                    idleNanos = 0;
                }
                return running;
            }

            private void checkpoint(String sequenceNumber) {
                checkpoints.save(consumerId, ShardCheckpoint.at(shardId, sequenceNumber));
                after = sequenceNumber;
            }

            private void finish() {
                finished.add(shardId);
                log.debug("Consumer group '{}' read shard '{}' of Kinesis stream '{}' to its end", group, shardId, stream);
                wakeCoordinator();
            }

            /**
             * Delivers through the group's resilient consumer and checkpoints the record; false when the
             * subscription stopped first. A dead-letter queue or checkpoint store that fails holds the shard
             * (the record is delivered again after a backoff) rather than skipping the record.
             */
            private boolean deliver(EventEnvelope event, String sequenceNumber) throws InterruptedException {
                RetryPolicy.Backoff backoff = settings.readBackoff().backoff(ThreadLocalRandom.current());
                while (running) {
                    try {
                        if (!consumer.deliver(event)) {
                            return false;
                        }
                        checkpoint(sequenceNumber);
                        return true;
                    } catch (RuntimeException e) {
                        Duration delay = backoff.failed();
                        log.warn("Consumer group '{}' could not record the outcome of '{}' of stream '{}' version {} in its"
                                + " dead-letter queue or checkpoint store (attempt {}); delivering it again in {} ms", group,
                                event.eventType(), event.streamId(), event.version(), backoff.failures(), delay.toMillis(), e);
                        TimeUnit.NANOSECONDS.sleep(Math.max(delay.toNanos(), 1));
                    }
                }
                return false;
            }

            private void sleep(Duration delay) {
                try {
                    TimeUnit.NANOSECONDS.sleep(Math.max(delay.toNanos(), 1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
