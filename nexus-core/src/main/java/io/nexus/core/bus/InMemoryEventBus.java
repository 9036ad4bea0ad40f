package io.nexus.core.bus;

import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.store.SubscribeToAppends;
import io.nexus.core.store.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The embedded {@link EventBus}: an in-process, partitioned log per path, shaped like a Kinesis stream so
 * that consumers behave the same on both.
 *
 * <p>Implementation notes. Each path holds {@code partitions} append-only logs; an event goes to the
 * partition of its stream id's hash, so one aggregate always lands in one partition and keeps its
 * order. Records get 1-based sequence numbers per partition and are retained for the life of the bus.
 * Each subscription runs one daemon thread per partition: it reads from its checkpoint, hands records
 * to the consumer one at a time, and saves the record's sequence number in the {@link CheckpointStore}
 * (consumer {@code "<group>/<path>"}, partition {@code "p-<n>"}) after each acknowledgement. A consumer
 * that throws gets the same record again after a backoff; nothing else of that partition passes it, and
 * no other thread waits for it. Publishing appends under the partition's monitor and wakes its readers.
 *
 * <p>An application feeds its bus one way: {@code Nexus.builder().eventBus(bus, ...)}, whose router
 * publishes every stored event from the store's global log, in global order, from its checkpoint.
 *
 * <p>Thread-safe.
 */
public final class InMemoryEventBus implements EventBus {

    private static final Logger log = LoggerFactory.getLogger(InMemoryEventBus.class);
    private static final int BATCH = 256;

    private final RoutingRule routing;
    private final CheckpointStore checkpoints;
    private final RetryPolicy redelivery;
    private final int partitionCount;
    private final Map<BusPath, PartitionLog[]> logs = new EnumMap<>(BusPath.class);
    private final Map<String, GroupSubscription> active = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private InMemoryEventBus(Builder b) {
        this.routing = b.routing;
        this.checkpoints = b.checkpoints;
        this.redelivery = b.redelivery;
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
            logs.get(path)[partitionOf(event.streamId())].append(event);
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
    public Subscription subscribe(String group, BusPath path, BusConsumer consumer) {
        if (group == null || group.isBlank()) {
            throw new IllegalArgumentException("group must not be blank, but was '" + group + "'");
        }
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(consumer, "consumer");
        if (closed) {
            throw new IllegalStateException("The event bus is closed; subscribe to an open bus");
        }
        String consumerId = group + "/" + path.name().toLowerCase();
        GroupSubscription subscription = new GroupSubscription(consumerId, path, consumer);
        if (active.putIfAbsent(consumerId, subscription) != null) {
            throw new IllegalStateException("Consumer group '" + group + "' already consumes path " + path
                    + " on this bus; close that subscription first or use another group name");
        }
        subscription.start();
        return subscription;
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
        private final BusConsumer consumer;
        private final List<Thread> threads = new ArrayList<>();
        private volatile boolean running = true;

        GroupSubscription(String consumerId, BusPath path, BusConsumer consumer) {
            this.consumerId = consumerId;
            this.path = path;
            this.consumer = consumer;
        }

        void start() {
            PartitionLog[] partitions = logs.get(path);
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
            try {
                while (running) {
                    List<EventEnvelope> batch = partitionLog.read(next, BATCH, 200);
                    for (EventEnvelope event : batch) {
                        if (!deliver(event)) {
                            return;
                        }
                        checkpoints.save(consumerId, partitionName, Long.toString(next));
                        next++;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.error("Bus consumer '{}' partition {} stopped: its checkpoint could not be used or saved", consumerId,
                        partition, e);
            }
        }

        /** Delivers until acknowledged; false when the subscription stopped first. */
        private boolean deliver(EventEnvelope event) throws InterruptedException {
            for (int attempt = 1; running; attempt++) {
                try {
                    consumer.onEvent(event);
                    return true;
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception | Error e) {
                    if (e instanceof VirtualMachineError fatal) {
                        throw fatal;
                    }
                    if (!running) {
                        return false;
                    }
                    Duration delay = redelivery.delayAfter(Math.min(attempt, 30), ThreadLocalRandom.current());
                    log.warn("Bus consumer '{}' failed on event '{}' of stream '{}' version {} (attempt {}); redelivering in {} ms",
                            consumerId, event.eventType(), event.streamId(), event.version(), attempt, delay.toMillis(), e);
                    TimeUnit.NANOSECONDS.sleep(Math.max(delay.toNanos(), 1));
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
        private CheckpointStore checkpoints;
        private RetryPolicy redelivery = RetryPolicy.custom().initialDelay(Duration.ofMillis(10))
                .maxDelay(Duration.ofSeconds(1)).jitter(0.5).build();
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
         * The backoff between redeliveries of an event its consumer failed on (only the delays count:
         * the bus redelivers until the consumer acknowledges or the subscription closes). 10 ms doubling
         * to 1 s, half jitter by default.
         */
        public Builder redeliveryBackoff(RetryPolicy value) {
            this.redelivery = Objects.requireNonNull(value, "redeliveryBackoff");
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
            return new InMemoryEventBus(this);
        }
    }
}
