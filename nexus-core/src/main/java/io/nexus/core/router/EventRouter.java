package io.nexus.core.router;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.nexus.core.observation.NexusObservation;

import io.micrometer.core.instrument.MeterRegistry;
import io.nexus.core.NexusException;
import io.nexus.core.bus.EventPublisher;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.internal.NexusMetrics;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.store.ReadAll;
import io.nexus.core.store.SubscribeToAppends;
import io.nexus.core.lease.ConsumerLease;
import io.nexus.core.tracking.LogTracker;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Moves every stored event from an event store's change capture to an {@link EventPublisher} (usually
 * an {@link io.nexus.core.bus.EventBus}, whose {@link io.nexus.core.bus.RoutingRule} sends each event
 * type to the primary or secondary path), at least once, in the store's global order.
 *
 * <pre>{@code
 * EventRouter router = EventRouter.builder(store, store, kinesisBus)
 *         .name("orders")
 *         .checkpoints(checkpointStore)
 *         .build()
 *         .start();
 * }</pre>
 *
 * <p>Implementation notes. The router is a {@link LogTracker} client (consumer
 * {@code "event-router/<name>"}): the tracker loads the checkpoint, reads the global log from the position
 * after it, is woken by the change capture and polls as the fallback (a store without change capture is
 * simply polled), and stores the position of each published batch. A publish that fails is handed over
 * again after the {@code backoff} until it succeeds or the router closes; nothing is skipped, so an event
 * that can never be published stops the router there ({@link #lastFailure()} says why) rather than being
 * lost. A crash between publishing and storing the checkpoint publishes the batch again: consumers
 * recognise the duplicates by {@link EventEnvelope#eventId()}.
 *
 * <p>Run one router per checkpoint name at a time, or give every instance's router the application's lease
 * ({@link Builder#lease}): the one holding it publishes, the others stand by. Thread-safe.
 */
public final class EventRouter implements AutoCloseable {

    private final LogTracker tracker;
    private final ReadAll source;
    private final EventPublisher publisher;
    private final String consumer;
    private final NexusMetrics metrics;
    private final ObservationRegistry observations;
    private volatile boolean started;

    private EventRouter(Builder b) {
        this.consumer = "event-router/" + b.name;
        this.source = b.source;
        this.publisher = b.publisher;
        this.metrics = NexusMetrics.of(b.meterRegistry);
        this.observations = b.observationRegistry;
        LogTracker.Builder tracker = LogTracker.builder(consumer, b.source, b.changes,
                Objects.requireNonNull(b.checkpoints, "checkpoints")) // build() sets it when not given
                .batchSize(b.batchSize).retry(b.backoff).pollInterval(b.pollInterval);
        if (b.meterRegistry != null) {
            tracker.meterRegistry(b.meterRegistry);
        }
        if (b.lease != null) {
            tracker.lease(b.lease);
        }
        this.tracker = tracker.build();
    }

    /**
     * A builder over a store's global log, its change capture (usually the same {@link
     * io.nexus.core.store.EventStore}) and the publisher to feed.
     */
    public static Builder builder(ReadAll source, SubscribeToAppends changes, EventPublisher publisher) {
        return new Builder(source, changes, publisher);
    }

    /**
     * Starts routing from the checkpoint (or from the first event when there is none).
     *
     * @return this router
     * @throws IllegalStateException if it was started before
     * @throws NexusException        if the checkpoint cannot be loaded (the router may then be started again)
     */
    public synchronized EventRouter start() {
        if (started) {
            throw new IllegalStateException("Event router '" + consumer + "' was already started; build a new one to restart");
        }
        tracker.start(this::publish);
        started = true;
        return this;
    }

    /** The checkpoint consumer name of this router: {@code "event-router/<name>"}. */
    public String checkpointConsumer() {
        return consumer;
    }

    /** The global position of the last event published and checkpointed; -1 before {@link #start()}. */
    public long position() {
        return started ? tracker.checkpointedPosition() : -1;
    }

    /**
     * How many stored events are not yet published: the store's head position minus {@link #position()}; 0 while
     * {@linkplain #isStandingBy() standing by} (the instance holding the lease reports the lag).
     */
    public long lag() {
        if (tracker.isStandingBy()) {
            return 0;
        }
        return Math.max(0, source.headPosition() - Math.max(0, position()));
    }

    /**
     * Whether the router was given a lease ({@link Builder#lease}) and stands by for it: another instance holds it
     * and publishes.
     */
    public boolean isStandingBy() {
        return tracker.isStandingBy();
    }

    /** The failure the router is currently retrying, if any; empty once a publish (or checkpoint) succeeds again. */
    public Optional<NexusException> lastFailure() {
        return tracker.lastFailure().map(e -> e instanceof NexusException n ? n : new NexusException("Event router '"
                + consumer + "' failed after position " + tracker.position() + ": " + e.getMessage(), e, true));
    }

    private long publish(List<EventEnvelope> batch) {
        Observation observation = NexusObservation.batch(NexusObservation.ROUTER_PUBLISH, consumer, batch, observations).start();
        try (Observation.Scope ignored = observation.openScope()) {
            publisher.publish(batch);
        } catch (RuntimeException e) {
            observation.error(e);
            metrics.count("nexus.router.retries", "router", consumer, "step", "publish");
            if (e instanceof NexusException) {
                throw e;
            }
            throw new NexusException("Event router '" + consumer + "' failed to publish events from position "
                    + batch.get(0).globalPosition() + ": " + e.getMessage(), e, true);
        } finally {
            observation.stop();
        }
        long last = batch.get(batch.size() - 1).globalPosition();
        metrics.summary("nexus.router.batch.size", batch.size(), "router", consumer);
        metrics.summary("nexus.router.lag", Math.max(0, source.headPosition() - last), "router", consumer);
        return last;
    }

    /** Stops routing; a batch being published may be published again by the next router. Closing twice is harmless. */
    @Override
    public synchronized void close() {
        tracker.close();
    }

    /** Options for {@link EventRouter}; setters validate their argument at once. */
    public static final class Builder {
        private final ReadAll source;
        private final SubscribeToAppends changes;
        private final EventPublisher publisher;
        private String name = "default";
        private @Nullable CheckpointStore checkpoints;
        private int batchSize = 500;
        private RetryPolicy backoff = RetryPolicy.custom().initialDelay(Duration.ofMillis(50))
                .maxDelay(Duration.ofSeconds(10)).jitter(0.5).build();
        private Duration pollInterval = Duration.ofSeconds(1);
        private @Nullable MeterRegistry meterRegistry;
        private @Nullable ConsumerLease lease;
        private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;

        private Builder(ReadAll source, SubscribeToAppends changes, EventPublisher publisher) {
            this.source = Objects.requireNonNull(source, "source");
            this.changes = Objects.requireNonNull(changes, "changes");
            this.publisher = Objects.requireNonNull(publisher, "publisher");
        }

        /** The router's name, part of its checkpoint consumer name; {@code "default"} by default. */
        public Builder name(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("name must not be blank, but was '" + value + "'");
            }
            this.name = value;
            return this;
        }

        /** Where the router keeps its position; a fresh {@link InMemoryCheckpointStore} by default (use a durable one). */
        public Builder checkpoints(CheckpointStore value) {
            this.checkpoints = Objects.requireNonNull(value, "checkpoints");
            return this;
        }

        /** Events read and published per batch, 1..10000; 500 by default. */
        public Builder batchSize(int value) {
            if (value < 1 || value > 10_000) {
                throw new IllegalArgumentException("batchSize must be 1..10000, but was " + value);
            }
            this.batchSize = value;
            return this;
        }

        /**
         * The backoff between attempts of a failed publish or checkpoint (only the delays count: the
         * router retries until it succeeds or closes). 50 ms doubling to 10 s, half jitter by default.
         */
        public Builder backoff(RetryPolicy value) {
            this.backoff = Objects.requireNonNull(value, "backoff");
            return this;
        }

        /** How often the log is read when no append wakes the router; 1 s by default. */
        public Builder pollInterval(Duration value) {
            Objects.requireNonNull(value, "pollInterval");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("pollInterval must be positive, but was " + value);
            }
            this.pollInterval = value;
            return this;
        }

        /** Where to record the router's meters; none by default. */
        /**
         * Runs the router only while it holds the lease of its consumer {@code "event-router/<name>"} (one instance of
         * the application at a time publishes; the others stand by and take over, see {@link LogTracker}); none by
         * default: the router publishes whenever it is started.
         */
        public Builder lease(ConsumerLease value) {
            this.lease = Objects.requireNonNull(value, "lease");
            return this;
        }

        public Builder meterRegistry(MeterRegistry value) {
            this.meterRegistry = Objects.requireNonNull(value, "meterRegistry");
            return this;
        }

        /** Where each published batch is observed ({@link NexusObservation#ROUTER_PUBLISH}); nowhere by default. */
        public Builder observationRegistry(ObservationRegistry value) {
            this.observationRegistry = Objects.requireNonNull(value, "observationRegistry");
            return this;
        }

        /** The router, not yet started. */
        public EventRouter build() {
            if (checkpoints == null) {
                checkpoints = new InMemoryCheckpointStore();
            }
            return new EventRouter(this);
        }
    }
}
