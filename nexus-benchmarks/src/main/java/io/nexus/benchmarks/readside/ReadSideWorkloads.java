package io.nexus.benchmarks.readside;

import io.nexus.benchmarks.Deposited;
import io.nexus.benchmarks.Workloads;
import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.projection.ProcessingMode;
import io.nexus.core.projection.Projection;
import io.nexus.core.projection.ProjectionProcessor;
import io.nexus.core.projection.TaskScheduler;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.InMemoryEventStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The data and wiring of the read-side benchmarks, sized by their callers so that tests can run the same
 * workloads small. Everything here is built outside the measured code.
 */
public final class ReadSideWorkloads {

    /** The name of the counting projection (its checkpoint is stored under it). */
    public static final String PROJECTION = "deposit-count";

    private ReadSideWorkloads() {
    }

    /** The codec of the benchmark's event types (Jackson, no upcasters). */
    public static EventCodec codec() {
        return EventCodec.jackson(Workloads.eventTypes());
    }

    /**
     * A fresh embedded store holding {@code streams × batchesPerStream} batches of {@code batchSize}
     * {@code Deposited} events (about 100 bytes each), appended in round-robin stream order.
     *
     * @param withDecoded true: each payload keeps its decoded object besides its bytes, as events appended
     *                    through commands do in the embedded store (a projection then parses nothing);
     *                    false: bytes only, as a durable store returns them (every event is parsed)
     */
    public static InMemoryEventStore storeWithDeposits(EventCodec codec, int streams, int batchesPerStream, int batchSize,
                                                       boolean withDecoded) {
        InMemoryEventStore store = InMemoryEventStore.builder().build();
        long seq = 0;
        for (int round = 0; round < batchesPerStream; round++) {
            for (int s = 0; s < streams; s++) {
                String id = Workloads.accountId(s);
                List<NewEvent> batch = new ArrayList<>(batchSize);
                for (int i = 0; i < batchSize; i++) {
                    Deposited event = new Deposited(id, 1 + (seq++ % 100), Workloads.REFERENCE);
                    NewEvent encoded = codec.encode(event, UUID.randomUUID(), null, null, Map.of());
                    batch.add(withDecoded ? encoded : new NewEvent(encoded.eventId(), encoded.eventType(),
                            encoded.schemaVersion(), EventPayload.ofBytes(encoded.payload().unsafeBytes()), null, null, Map.of()));
                }
                store.append(id, Workloads.AGGREGATE_TYPE, ExpectedVersion.exactly((long) round * batchSize), batch);
            }
        }
        return store;
    }

    /**
     * Replays {@code store} from position zero through a fresh {@link CountingProjection} run by a
     * {@link ProjectionProcessor} (asynchronous mode, checkpoints in an {@link InMemoryCheckpointStore}), and
     * returns once the checkpoint has reached the store's head.
     *
     * @throws IllegalStateException if the checkpoint does not reach the head within {@code timeoutSeconds}
     */
    public static CountingProjection replay(InMemoryEventStore store, EventCodec codec, int batchSize, long timeoutSeconds) {
        return replay(store, codec, batchSize, timeoutSeconds, null);
    }

    /**
     * As {@link #replay(InMemoryEventStore, EventCodec, int, long)}, processing on {@code scheduler} (the
     * caller closes it), or on the processor's own thread if null.
     */
    public static CountingProjection replay(InMemoryEventStore store, EventCodec codec, int batchSize, long timeoutSeconds,
                                            TaskScheduler scheduler) {
        long head = store.headPosition();
        CountingProjection projection = new CountingProjection();
        CheckpointWatch checkpoints = new CheckpointWatch(new InMemoryCheckpointStore(), PROJECTION, head);
        ProjectionProcessor.Builder builder = ProjectionProcessor.builder(projection, store, codec)
                .mode(ProcessingMode.ASYNC)
                .checkpoints(checkpoints)
                .batchSize(batchSize);
        if (scheduler != null) {
            builder.scheduler(scheduler);
        }
        try (ProjectionProcessor processor = builder.build()) {
            processor.start();
            if (!checkpoints.await(timeoutSeconds)) {
                throw new IllegalStateException("Replay of " + head + " events stopped at checkpoint " + checkpoints.saved()
                        + " after " + timeoutSeconds + " s (health: " + processor.health() + ")");
            }
        }
        return projection;
    }

    /**
     * The trivial read model: counts the deposits and sums their amounts. Called by one processor thread
     * at a time; read its totals after the processor's checkpoint was seen (which happens after handling).
     */
    public static final class CountingProjection implements Projection {
        private static final Set<String> TYPES = Set.of("Deposited");
        private long count;
        private long total;
        private long lastPosition;

        @Override
        public String name() {
            return PROJECTION;
        }

        @Override
        public Set<String> eventTypes() {
            return TYPES;
        }

        @Override
        public void handle(Object event, EventEnvelope envelope) {
            count++;
            total += ((Deposited) event).amount();
            lastPosition = envelope.globalPosition();
        }

        public long count() {
            return count;
        }

        public long total() {
            return total;
        }

        public long lastPosition() {
            return lastPosition;
        }
    }

    /**
     * The in-memory checkpoint store, watched: {@link #await} returns when {@code consumer}'s global
     * checkpoint reaches {@code target}. Saves and loads go to the delegate unchanged.
     */
    public static final class CheckpointWatch implements CheckpointStore {
        private final CheckpointStore delegate;
        private final String consumer;
        private final long target;
        private final CountDownLatch reached = new CountDownLatch(1);
        private volatile long saved;

        public CheckpointWatch(CheckpointStore delegate, String consumer, long target) {
            this.delegate = delegate;
            this.consumer = consumer;
            this.target = target;
        }

        @Override
        public Optional<Checkpoint> load(String consumer, String partition) {
            return delegate.load(consumer, partition);
        }

        @Override
        public Map<String, Checkpoint> loadAll(String consumer) {
            return delegate.loadAll(consumer);
        }

        @Override
        public void save(String consumer, String partition, String position) {
            delegate.save(consumer, partition, position);
            if (this.consumer.equals(consumer) && Checkpoint.GLOBAL.equals(partition)) {
                long value = Long.parseLong(position);
                saved = value;
                if (value >= target) {
                    reached.countDown();
                }
            }
        }

        @Override
        public void reset(String consumer) {
            delegate.reset(consumer);
        }

        /** The last global position saved for the watched consumer (0 before any). */
        public long saved() {
            return saved;
        }

        /** True once the target was reached, false after {@code timeoutSeconds} without it. */
        public boolean await(long timeoutSeconds) {
            try {
                return reached.await(timeoutSeconds, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
