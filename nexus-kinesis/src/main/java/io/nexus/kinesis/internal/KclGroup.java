package io.nexus.kinesis.internal;

import io.nexus.core.bus.ResilientConsumer;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.internal.NexusMetrics;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.store.Subscription;
import io.nexus.kinesis.LeasedConsumerGroups;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.kinesis.common.ConfigsBuilder;
import software.amazon.kinesis.common.InitialPositionInStream;
import software.amazon.kinesis.common.InitialPositionInStreamExtended;
import software.amazon.kinesis.coordinator.Scheduler;
import software.amazon.kinesis.exceptions.InvalidStateException;
import software.amazon.kinesis.leases.LeaseAssignmentStrategy;
import software.amazon.kinesis.exceptions.KinesisClientLibDependencyException;
import software.amazon.kinesis.exceptions.ShutdownException;
import software.amazon.kinesis.exceptions.ThrottlingException;
import software.amazon.kinesis.lifecycle.events.InitializationInput;
import software.amazon.kinesis.lifecycle.events.LeaseLostInput;
import software.amazon.kinesis.lifecycle.events.ProcessRecordsInput;
import software.amazon.kinesis.lifecycle.events.ShardEndedInput;
import software.amazon.kinesis.lifecycle.events.ShutdownRequestedInput;
import software.amazon.kinesis.metrics.MetricsLevel;
import software.amazon.kinesis.processor.RecordProcessorCheckpointer;
import software.amazon.kinesis.processor.ShardRecordProcessor;
import software.amazon.kinesis.processor.SingleStreamTracker;
import software.amazon.kinesis.retrieval.KinesisClientRecord;
import software.amazon.kinesis.retrieval.polling.PollingConfig;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A consumer group whose shards are leased through the Kinesis Client Library: one KCL {@link Scheduler}
 * (one worker of the group's KCL application) per subscription, and a {@link ShardRecordProcessor} per
 * leased shard that hands each record to the group's {@link ResilientConsumer} and checkpoints the shard
 * after the batch. Not part of the API; see {@code LeasedConsumerGroups}.
 */
public final class KclGroup implements Subscription {

    private static final Logger log = LoggerFactory.getLogger(KclGroup.class);

    private final LeasedConsumerGroups settings;
    private final RetryPolicy readBackoff;
    private final NexusMetrics metrics;
    private final String group;
    private final String stream;
    private final ResilientConsumer consumer;
    private final Runnable onClose;
    private final GroupLag lag;
    private final String[] tags;
    private final Set<String> leased = ConcurrentHashMap.newKeySet();
    private @Nullable Scheduler scheduler;
    private @Nullable Thread thread;
    private volatile boolean running = true;

    public KclGroup(LeasedConsumerGroups settings, RetryPolicy readBackoff, NexusMetrics metrics, String group, String stream,
                    ResilientConsumer consumer, GroupLag lag, Runnable onClose) {
        this.lag = lag;
        this.settings = settings;
        this.readBackoff = readBackoff;
        this.metrics = metrics;
        this.group = group;
        this.stream = stream;
        this.consumer = consumer;
        this.onClose = onClose;
        this.tags = new String[]{"stream", stream, "group", group};
    }

    /**
     * Starts the KCL worker on its own thread; it creates the lease tables if they are missing.
     *
     * @throws IllegalArgumentException if the lease table name is not valid
     */
    public void start() {
        String table = settings.leaseTableName(group, stream);
        thread = new Thread(() -> supervise(table), "nexus-kcl-" + table);
        thread.setDaemon(true);
        thread.start();
        log.info("Consumer group '{}' on Kinesis stream '{}' starts as KCL worker '{}' (lease table '{}')", group, stream,
                settings.workerId(), table);
    }

    /**
     * Runs a KCL worker until the group closes, and a new one whenever a worker fails to start. Processes that
     * start together on a new lease table race to create its KCL state; the KCL 3.5.1 worker that loses cannot
     * recover by retrying (its half-initialised leader election fails every later attempt), while a fresh
     * worker reads the state the winner created and starts.
     */
    private void supervise(String table) {
        RetryPolicy.Backoff backoff = readBackoff.backoff(ThreadLocalRandom.current());
        while (running) {
            Scheduler worker;
            synchronized (this) {
                if (!running) {
                    return;
                }
                worker = newScheduler(table);
                scheduler = worker;
            }
            try {
                worker.run();
            } catch (RuntimeException e) {
                log.warn("KCL worker '{}' of consumer group '{}' failed", settings.workerId(), group, e);
            }
            if (!running) {
                return;
            }
            Duration delay = backoff.failed();
            log.warn("KCL worker '{}' of consumer group '{}' on Kinesis stream '{}' stopped or could not start (attempt {});"
                    + " starting a new one in {} ms", settings.workerId(), group, stream, backoff.failures(), delay.toMillis());
            try {
                TimeUnit.NANOSECONDS.sleep(Math.max(delay.toNanos(), 1));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private Scheduler newScheduler(String table) {
        ConfigsBuilder configs = new ConfigsBuilder(
                new SingleStreamTracker(stream, InitialPositionInStreamExtended.newInitialPosition(InitialPositionInStream.TRIM_HORIZON)),
                table, settings.kinesis(), settings.dynamoDb(), settings.cloudWatch(), settings.workerId(), Processor::new);
        var leases = configs.leaseManagementConfig()
                .failoverTimeMillis(settings.failoverTime().toMillis())
                .shardSyncIntervalMillis(settings.shardSyncInterval().toMillis())
                .leaseAssignmentStrategy(settings.balancing() == LeasedConsumerGroups.Balancing.LEASE_COUNT
                        ? LeaseAssignmentStrategy.LEASE_COUNT_BASED : LeaseAssignmentStrategy.WORKER_UTILIZATION_AWARE);
        // A new worker reports its load before the leader gives it leases; by default that first report comes after
        // 30 s. Reporting once per failover time lets a process that joins (or replaces a dead one) take its share
        // within a few failover times, at one small DynamoDB write per report.
        // The group's leader (which assigns every lease) holds a lock that others take over only when it was not
        // renewed for its duration: 2 min by default, during which the leases of a dead leader, or of any process that
        // dies meanwhile, go to nobody. Three failover times, renewed every failover time, keep a dead leader's
        // replacement within the failover times the group promises.
        long leaderLock = Math.max(3_000, 3 * settings.failoverTime().toMillis());
        leases.dynamoDbLockBasedLeaderLeaseDurationInMillis(leaderLock)
                .dynamoDbLockBasedLeaderHeartbeatPeriodInMillis(leaderLock / 3);
        leases.workerUtilizationAwareAssignmentConfig()
                .workerMetricsReporterFreqInMillis(Math.max(1000, settings.failoverTime().toMillis()))
                .inMemoryWorkerMetricsCaptureFrequencyMillis(Math.min(1000, settings.failoverTime().toMillis()));
        PollingConfig polling = new PollingConfig(stream, settings.kinesis())
                .idleTimeBetweenReadsInMillis(settings.pollInterval().toMillis())
                .maxRecords(settings.maxRecordsPerBatch());
        return new Scheduler(
                configs.checkpointConfig(),
                configs.coordinatorConfig()
                        .parentShardPollIntervalMillis(Math.min(10_000, settings.failoverTime().toMillis()))
                        // A failed start is retried by supervise() with a new worker, not by the KCL (see there).
                        .maxInitializationAttempts(1),
                leases,
                configs.lifecycleConfig(),
                configs.metricsConfig().metricsLevel(settings.publishesMetrics() ? MetricsLevel.SUMMARY : MetricsLevel.NONE),
                configs.processorConfig(),
                configs.retrievalConfig().retrievalSpecificConfig(polling));
    }

    /** The shards this process holds a lease on now, sorted. */
    public Set<String> leasedShards() {
        return new TreeSet<>(leased);
    }

    /**
     * Stops delivery, then the KCL worker gracefully: each shard's processor checkpoints what was handled and
     * the leases are released for the other processes to take at once. Waits at most 30 s (then shuts the
     * worker down hard: its leases expire after the failover time instead).
     */
    @Override
    public void close() {
        Scheduler worker;
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            worker = scheduler;
        }
        consumer.stop();
        try {
            if (worker != null) {
                try {
                    worker.startGracefulShutdown().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    log.warn("KCL worker '{}' of consumer group '{}' did not shut down gracefully within 30 s; stopping it",
                            settings.workerId(), group, e);
                    worker.shutdown();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    worker.shutdown();
                }
            }
            if (thread != null) {
                thread.interrupt();
                thread.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            onClose.run();
        }
    }

    /** One leased shard: records to the consumer in order, checkpoint after each batch. */
    private final class Processor implements ShardRecordProcessor {
        private String shardId = "?";
        /** The last record handled and not yet checkpointed, or null. */
        private @Nullable KinesisClientRecord unsaved;

        @Override
        public void initialize(InitializationInput input) {
            shardId = input.shardId();
            // The shard's aggregates may have been dead-lettered by the process that held it before.
            consumer.refreshParking();
            leased.add(shardId);
            metrics.count("nexus.kinesis.consume.leases.acquired", tags);
            log.info("Consumer group '{}' (KCL worker '{}') took shard '{}' of Kinesis stream '{}' at checkpoint {}", group,
                    settings.workerId(), shardId, stream, input.extendedSequenceNumber());
        }

        @Override
        public void processRecords(ProcessRecordsInput input) {
            if (input.millisBehindLatest() != null) {
                metrics.summary("nexus.kinesis.consume.millis.behind", input.millisBehindLatest(), tags);
            }
            List<KinesisClientRecord> records = input.records();
            if (records.isEmpty()) {
                lag.fetched(shardId, new long[0], input.millisBehindLatest());
                return;
            }
            metrics.summary("nexus.kinesis.consume.batch.size", records.size(), tags);
            // Decoded up front, so the group's lag knows the positions of every record in hand.
            EventEnvelope[] events = new EventEnvelope[records.size()];
            long[] positions = new long[records.size()];
            for (int i = 0; i < events.length; i++) {
                KinesisClientRecord record = records.get(i);
                try {
                    events[i] = EnvelopeCodec.decode(bytes(record.data()),
                            "'" + record.sequenceNumber() + "' of shard '" + shardId + "' in stream '" + stream + "'");
                    positions[i] = events[i].globalPosition();
                } catch (RuntimeException e) {
                    metrics.count("nexus.kinesis.consume.undecodable", tags);
                    log.warn("Consumer group '{}' skips record '{}' of shard '{}' in Kinesis stream '{}': {}", group,
                            record.sequenceNumber(), shardId, stream, e.getMessage());
                    positions[i] = EventEnvelope.NO_POSITION;
                }
            }
            lag.fetched(shardId, positions, input.millisBehindLatest());
            try {
                for (int i = 0; i < events.length; i++) {
                    KinesisClientRecord record = records.get(i);
                    EventEnvelope event = events[i];
                    if (event == null) {
                        unsaved = record;
                        lag.acknowledged(shardId);
                        continue;
                    }
                    if (!deliver(event)) {
                        // Stopped before this record was handled: the checkpoint below covers only what was.
                        break;
                    }
                    unsaved = record;
                    lag.acknowledged(shardId);
                    metrics.count("nexus.kinesis.consume.records", tags);
                }
                checkpoint(input.checkpointer());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** As the polling reader does: a dead-letter queue that fails holds the shard rather than skipping the record. */
        private boolean deliver(EventEnvelope event) throws InterruptedException {
            RetryPolicy.Backoff backoff = readBackoff.backoff(ThreadLocalRandom.current());
            while (running) {
                try {
                    return consumer.deliver(event);
                } catch (RuntimeException e) {
                    Duration delay = backoff.failed();
                    log.warn("Consumer group '{}' could not record the outcome of '{}' of stream '{}' version {} in its"
                            + " dead-letter queue (attempt {}); delivering it again in {} ms", group, event.eventType(),
                            event.streamId(), event.version(), backoff.failures(), delay.toMillis(), e);
                    TimeUnit.NANOSECONDS.sleep(Math.max(delay.toNanos(), 1));
                }
            }
            return false;
        }

        /**
         * Checkpoints the last handled record, retrying throttling and DynamoDB failures until it is saved, the
         * lease is lost or the group stops: the records a failover can deliver again stay within one batch.
         */
        private void checkpoint(RecordProcessorCheckpointer checkpointer) throws InterruptedException {
            KinesisClientRecord record = unsaved;
            if (record == null) {
                return;
            }
            RetryPolicy.Backoff backoff = readBackoff.backoff(ThreadLocalRandom.current());
            while (true) {
                try {
                    checkpointer.checkpoint(record.sequenceNumber(), record.subSequenceNumber());
                    unsaved = null;
                    metrics.count("nexus.kinesis.consume.checkpoints", tags);
                    return;
                } catch (ShutdownException e) {
                    // The lease moved to another process, which delivers this batch again from the last checkpoint.
                    log.info("Consumer group '{}' lost shard '{}' of Kinesis stream '{}' before checkpointing '{}'; its new"
                            + " owner delivers the records after the previous checkpoint again", group, shardId, stream,
                            record.sequenceNumber());
                    return;
                } catch (InvalidStateException e) {
                    log.error("Consumer group '{}' cannot checkpoint shard '{}' of Kinesis stream '{}': the lease table is"
                            + " missing or inconsistent; the records after the last checkpoint will be delivered again",
                            group, shardId, stream, e);
                    return;
                } catch (ThrottlingException | KinesisClientLibDependencyException e) {
                    if (!running) {
                        return;
                    }
                    Duration delay = backoff.failed();
                    log.warn("Consumer group '{}' could not checkpoint shard '{}' of Kinesis stream '{}' (attempt {}); retrying"
                            + " in {} ms", group, shardId, stream, backoff.failures(), delay.toMillis(), e);
                    TimeUnit.NANOSECONDS.sleep(Math.max(delay.toNanos(), 1));
                }
            }
        }

        @Override
        public void leaseLost(LeaseLostInput input) {
            leased.remove(shardId);
            lag.released(shardId);
            metrics.count("nexus.kinesis.consume.leases.lost", tags);
            log.info("Consumer group '{}' (KCL worker '{}') lost shard '{}' of Kinesis stream '{}'", group, settings.workerId(),
                    shardId, stream);
        }

        @Override
        public void shardEnded(ShardEndedInput input) {
            // Required by the KCL at a shard's end: it is what lets the child shards start (parents first).
            try {
                input.checkpointer().checkpoint();
                log.debug("Consumer group '{}' read shard '{}' of Kinesis stream '{}' to its end", group, shardId, stream);
            } catch (ShutdownException | InvalidStateException | ThrottlingException | KinesisClientLibDependencyException e) {
                log.warn("Consumer group '{}' could not mark shard '{}' of Kinesis stream '{}' finished; the KCL retries",
                        group, shardId, stream, e);
            } finally {
                leased.remove(shardId);
                lag.released(shardId);
            }
        }

        @Override
        public void shutdownRequested(ShutdownRequestedInput input) {
            // A graceful stop or hand-off: save what was handled so the next owner starts right after it.
            try {
                checkpoint(input.checkpointer());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                leased.remove(shardId);
            }
        }
    }

    private static byte[] bytes(ByteBuffer data) {
        ByteBuffer copy = data.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }
}
