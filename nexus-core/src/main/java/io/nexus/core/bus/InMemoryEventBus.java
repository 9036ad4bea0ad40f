package io.nexus.core.bus;

import org.jspecify.annotations.Nullable;
import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.deadletter.DeadLetterQueue;
import io.nexus.core.deadletter.InMemoryDeadLetterQueue;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.store.SubscribeToAppends;
import io.nexus.core.store.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The embedded {@link EventBus}: an in-process, partitioned log per path, shaped like a Kinesis stream so
 * that consumers behave the same on both.
 *
 * <p>Implementation notes. Each path holds {@code partitions} append-only logs; an event goes to the
 * partition of its stream id's hash, so one aggregate always lands in one partition and keeps its
 * order. Records get 1-based sequence numbers per partition and are retained for the life of the bus.
 * Each subscription runs one daemon thread per partition: it reads from its checkpoint, hands records
 * to the consumer one at a time, and saves the record's sequence number in the {@link CheckpointStore}
 * (consumer {@code "<group>/<path>"}, partition {@code "p-<n>"}) after each acknowledgement. Each record
 * goes through the group's {@link ResilientConsumer}: a consumer that throws gets the same record again
 * after a backoff (nothing else of that partition passes it, and no other thread waits for it) up to the
 * {@link Builder#consumerRetry consumer retry policy}'s attempts, then it becomes a dead letter (and, on
 * the primary path, the aggregate's later records are parked behind it) and the partition moves on.
 * Publishing appends under the partition's monitor and wakes its readers. A group's
 * {@link ConsumerGroup#lagEvents() lag in events} is exact: per partition, the records published less the
 * records the group acknowledged.
 *
 * <p>An application feeds its bus one way: {@code Nexus.builder().eventBus(bus, ...)}, whose router
 * publishes every stored event from the store's global log, in global order, from its checkpoint.
 *
 * <p>Thread-safe.
 */
public final class InMemoryEventBus implements EventBus {

    private static final Logger log = LoggerFactory.getLogger(InMemoryEventBus.class);
    private static final int BATCH = 256;
    private static final RetryPolicy STORE_BACKOFF = RetryPolicy.custom().initialDelay(Duration.ofMillis(50))
            .maxDelay(Duration.ofSeconds(5)).jitter(0.5).build();

    private final RoutingRule routing;
    private final CheckpointStore checkpoints;
    private final RetryPolicy consumerRetry;
    private final DeadLetterQueue deadLetters;
    private final Clock clock;
    private final @Nullable MeterRegistry meterRegistry;
    private final int partitionCount;
    private final Map<BusPath, PartitionLog[]> logs = new EnumMap<>(BusPath.class);
    private final Map<String, GroupSubscription> active = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private InMemoryEventBus(Builder b) {
        this.routing = b.routing;
        // build() sets the checkpoints and the dead-letter queue when they are not given
        this.checkpoints = Objects.requireNonNull(b.checkpoints, "checkpoints");
        this.consumerRetry = b.consumerRetry;
        this.deadLetters = Objects.requireNonNull(b.deadLetters, "deadLetters");
        this.clock = b.clock;
        this.meterRegistry = b.meterRegistry;
        this.partitionCount = b.partitions;
        for (BusPath path : BusPath.values()) {
            PartitionLog[] partitions = new PartitionLog[partitionCount];
            for (int i = 0; i < partitionCount; i++) {
                partitions[i] = new PartitionLog();
            }
            logs.put(path, partitions);
        }
    }

    /** A bus with every event on the primary path and default options. */
    public static InMemoryEventBus create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The checkpoint store the consumer groups of this bus save to. */
    public CheckpointStore checkpoints() {
        return checkpoints;
    }

    /** The dead-letter queue the consumer groups of this bus keep their dead letters and parked events in. */
    public DeadLetterQueue deadLetters() {
        return deadLetters;
    }

    /** The number of partitions per path. */
    public int partitions() {
        return partitionCount;
    }

    /** The partition that events of {@code streamId} go to. */
    public int partitionOf(String streamId) {
        return Math.floorMod(streamId.hashCode(), partitionCount);
    }

    @Override
    public void publish(List<EventEnvelope> events) {
        Objects.requireNonNull(events, "events");
        if (closed) {
            throw new IllegalStateException("The event bus is closed; publish to an open bus");
        }
        for (EventEnvelope event : events) {
            Objects.requireNonNull(event, "event");
            BusPath path = Objects.requireNonNull(routing.pathOf(event.eventType()),
                    () -> "the routing rule returned no path for event type '" + event.eventType() + "'");
            // logs holds every path from the constructor on
            Objects.requireNonNull(logs.get(path))[partitionOf(event.streamId())].append(event);
        }
    }

    /**
     * Publishes every append committed to {@code source} from now on. Close the returned subscription to
     * stop.
     *
     * @deprecated appends committed while nothing is connected are never published, and nothing resumes
     *             after a restart; give the bus to {@code Nexus.builder().eventBus(bus, ...)}, whose router
     *             feeds it from the store's global log and its checkpoint
     */
    @Deprecated(forRemoval = true)
    public Subscription connect(SubscribeToAppends source) {
        Objects.requireNonNull(source, "source");
        return source.subscribe(this::publish);
    }

    @Override
    public ConsumerGroup subscribe(String group, BusPath path, BusConsumer consumer) {
        if (group == null || group.isBlank()) {
            throw new IllegalArgumentException("group must not be blank, but was '" + group + "'");
        }
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(consumer, "consumer");
        if (closed) {
            throw new IllegalStateException("The event bus is closed; subscribe to an open bus");
        }
        String consumerId = group + "/" + path.name().toLowerCase();
        if (active.containsKey(consumerId)) {
            throw alreadyConsuming(group, path);
        }
        ResilientConsumer resilient = ResilientConsumer.builder(group, path, consumerId, consumer)
                .deadLetters(deadLetters).retry(consumerRetry).clock(clock).meterRegistry(meterRegistry).build();
        GroupSubscription subscription = new GroupSubscription(consumerId, path, resilient);
        if (active.putIfAbsent(consumerId, subscription) != null) {
            throw alreadyConsuming(group, path);
        }
        subscription.start();
        return resilient.asConsumerGroup(subscription, subscription::lag);
    }

    private static IllegalStateException alreadyConsuming(String group, BusPath path) {
        return new IllegalStateException("Consumer group '" + group + "' already consumes path " + path
                + " on this bus; close that subscription first or use another group name");
    }

    @Override
    public void close() {
        closed = true;
        for (GroupSubscription subscription : List.copyOf(active.values())) {
            subscription.close();
        }
    }

    /** One partition: an append-only list of records, sequence number = index + 1. */
    private static final class PartitionLog {
        private final List<EventEnvelope> records = new ArrayList<>();

        synchronized int size() {
            return records.size();
        }

        synchronized void append(EventEnvelope event) {
            records.add(event);
            notifyAll();
        }

        /** Up to {@code max} records from sequence {@code from}; waits up to {@code waitMillis} when there are none. */
        synchronized List<EventEnvelope> read(long from, int max, long waitMillis) throws InterruptedException {
            if (records.size() < from && waitMillis > 0) {
                wait(waitMillis);
            }
            int start = (int) (from - 1);
            if (start >= records.size()) {
                return List.of();
            }
            return List.copyOf(records.subList(start, Math.min(records.size(), start + max)));
        }
    }

    /** One group on one path: a reader thread per partition. */
    private final class GroupSubscription implements Subscription {
        private final String consumerId;
        private final BusPath path;
        private final ResilientConsumer consumer;
        private final List<Thread> threads = new ArrayList<>();
        /** Per partition, the sequence number of the last record acknowledged (handled, dead-lettered or parked). */
        private final AtomicLongArray acknowledged = new AtomicLongArray(partitionCount);
        private volatile boolean running = true;

        GroupSubscription(String consumerId, BusPath path, ResilientConsumer consumer) {
            this.consumerId = consumerId;
            this.path = path;
            this.consumer = consumer;
        }

        /**
         * Records published to the path and not yet acknowledged, over every partition: exact, since a partition's
         * records are numbered from 1 and acknowledged in order. Until a partition's reader has loaded its checkpoint
         * its records all count (a group subscribing again on the same bus shows them for that moment).
         */
        long lag() {
            PartitionLog[] partitions = Objects.requireNonNull(logs.get(path));
            long lag = 0;
            for (int i = 0; i < partitions.length; i++) {
                lag += Math.max(0, partitions[i].size() - acknowledged.get(i));
            }
            return lag;
        }

        void start() {
            PartitionLog[] partitions = Objects.requireNonNull(logs.get(path));
            for (int i = 0; i < partitions.length; i++) {
                int partition = i;
                Thread thread = new Thread(() -> run(partition, partitions[partition]),
                        "nexus-bus-" + consumerId + "-p" + partition);
                thread.setDaemon(true);
                threads.add(thread);
            }
            threads.forEach(Thread::start);
        }

        private void run(int partition, PartitionLog partitionLog) {
            String partitionName = "p-" + partition;
            long next = checkpoints.load(consumerId, partitionName).map(Checkpoint::positionAsLong).orElse(0L) + 1;
            acknowledged.set(partition, next - 1);
            try {
                while (running) {
                    List<EventEnvelope> batch = partitionLog.read(next, BATCH, 200);
                    for (EventEnvelope event : batch) {
                        if (!deliver(event, partitionName, next)) {
                            return;
                        }
                        acknowledged.set(partition, next);
                        next++;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.error("Bus consumer '{}' partition {} stopped: its checkpoint could not be loaded", consumerId,
                        partition, e);
            }
        }

        /**
         * Delivers through the group's resilient consumer and checkpoints the record; false when the
         * subscription stopped first. A dead-letter queue or checkpoint store that fails holds the partition
         * (the record is delivered again after a backoff) instead of skipping or dropping the record.
         */
        private boolean deliver(EventEnvelope event, String partitionName, long sequence) throws InterruptedException {
            RetryPolicy.Backoff backoff = STORE_BACKOFF.backoff(ThreadLocalRandom.current());
            while (running) {
                try {
                    if (!consumer.deliver(event)) {
                        return false;
                    }
                    checkpoints.save(consumerId, partitionName, Long.toString(sequence));
                    return true;
                } catch (RuntimeException e) {
                    Duration delay = backoff.failed();
                    log.warn("Bus consumer '{}' could not record the outcome of '{}' of stream '{}' version {} in its "
                                    + "dead-letter queue or checkpoint store (attempt {}); delivering it again in {} ms",
                            consumerId, event.eventType(), event.streamId(), event.version(), backoff.failures(),
                            delay.toMillis(), e);
                    TimeUnit.NANOSECONDS.sleep(Math.max(1, delay.toNanos()));
                }
            }
            return false;
        }

        @Override
        public void close() {
            if (!running) {
                return;
            }
            running = false;
            consumer.stop();
            for (Thread thread : threads) {
                thread.interrupt();
            }
            for (Thread thread : threads) {
                try {
                    thread.join(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            active.remove(consumerId, this);
        }
    }

    /** Options for {@link InMemoryEventBus}. */
    public static final class Builder {
        private RoutingRule routing = RoutingRule.allPrimary();
        private @Nullable CheckpointStore checkpoints;
        private RetryPolicy consumerRetry = ResilientConsumer.defaultRetry();
        private @Nullable DeadLetterQueue deadLetters;
        private Clock clock = Clock.systemUTC();
        private @Nullable MeterRegistry meterRegistry;
        private int partitions = 4;

        private Builder() {
        }

        /** Which event types take the secondary path; everything primary by default. */
        public Builder routing(RoutingRule value) {
            this.routing = Objects.requireNonNull(value, "routing");
            return this;
        }

        /** Where consumer groups keep their positions; a fresh {@link InMemoryCheckpointStore} by default. */
        public Builder checkpoints(CheckpointStore value) {
            this.checkpoints = Objects.requireNonNull(value, "checkpoints");
            return this;
        }

        /**
         * How often a consumer is given an event it fails on, and the backoff between tries, before the event
         * becomes a dead letter. 5 attempts, 100 ms doubling to 5 s, half jitter by default
         * ({@link ResilientConsumer#defaultRetry()}).
         */
        public Builder consumerRetry(RetryPolicy value) {
            this.consumerRetry = Objects.requireNonNull(value, "consumerRetry");
            return this;
        }

        /**
         * The backoff between redeliveries of an event its consumer failed on.
         *
         * @deprecated consumers no longer get a failing event forever: use {@link #consumerRetry}, whose
         *             attempts also count. This keeps the current number of attempts and takes the delays
         *             of {@code value}.
         */
        @Deprecated
        public Builder redeliveryBackoff(RetryPolicy value) {
            Objects.requireNonNull(value, "redeliveryBackoff");
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

        /** Where consumer groups count retries, dead letters and parked events; none by default. */
        public Builder meterRegistry(MeterRegistry value) {
            this.meterRegistry = Objects.requireNonNull(value, "meterRegistry");
            return this;
        }

        /** Partitions per path: how many aggregates each group handles in parallel. 4 by default. */
        public Builder partitions(int value) {
            if (value < 1 || value > 1024) {
                throw new IllegalArgumentException("partitions must be 1..1024, but was " + value);
            }
            this.partitions = value;
            return this;
        }

        public InMemoryEventBus build() {
            if (checkpoints == null) {
                checkpoints = new InMemoryCheckpointStore();
            }
            if (deadLetters == null) {
                deadLetters = new InMemoryDeadLetterQueue();
            }
            return new InMemoryEventBus(this);
        }
    }
}
