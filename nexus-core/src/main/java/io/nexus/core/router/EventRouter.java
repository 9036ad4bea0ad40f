package io.nexus.core.router;

import io.micrometer.core.instrument.MeterRegistry;
import io.nexus.core.NexusException;
import io.nexus.core.bus.EventPublisher;
import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.internal.NexusMetrics;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.store.ReadAll;
import io.nexus.core.store.SubscribeToAppends;
import io.nexus.core.store.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

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
 * <p>Implementation notes. One thread reads the store's global log ({@link ReadAll}) from the position
 * after its checkpoint, publishes what it read in batches, and then saves the last published position
 * (consumer {@code "event-router/<name>"}, partition {@link Checkpoint#GLOBAL}). The change capture
 * ({@link SubscribeToAppends}) is used only as a wake-up call: the router registers before its first read
 * and always reads the log itself, so catching up after a restart and following live appends are the
 * same code, and an append that happens while the router is down or busy is still read from the log. A
 * fallback poll covers a missed wake-up. A publish that fails is retried with backoff until it succeeds
 * or the router closes; nothing is skipped, so an event that can never be published stops the router
 * there ({@link #lastFailure()} says why) rather than being lost. A crash between publishing and saving
 * the checkpoint publishes the batch again: consumers recognise the duplicates by
 * {@link EventEnvelope#eventId()}.
 *
 * <p>Run one router per checkpoint name at a time. Thread-safe.
 */
public final class EventRouter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventRouter.class);

    private final ReadAll source;
    private final SubscribeToAppends changes;
    private final EventPublisher publisher;
    private final CheckpointStore checkpoints;
    private final String consumer;
    private final int batchSize;
    private final RetryPolicy backoff;
    private final Duration pollInterval;
    private final NexusMetrics metrics;
    private final Object wake = new Object();
    private boolean woken;
    private volatile boolean running;
    private volatile boolean started;
    private volatile long position = -1;
    private volatile NexusException lastFailure;
    private Thread thread;
    private Subscription subscription;

    private EventRouter(Builder b) {
        this.source = b.source;
        this.changes = b.changes;
        this.publisher = b.publisher;
        this.checkpoints = b.checkpoints;
        this.consumer = "event-router/" + b.name;
        this.batchSize = b.batchSize;
        this.backoff = b.backoff;
        this.pollInterval = b.pollInterval;
        this.metrics = NexusMetrics.of(b.meterRegistry);
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
     * @throws NexusException        if the checkpoint cannot be loaded
     */
    public synchronized EventRouter start() {
        if (started) {
            throw new IllegalStateException("Event router '" + consumer + "' was already started; build a new one to restart");
        }
        started = true;
        position = checkpoints.load(consumer, Checkpoint.GLOBAL).map(Checkpoint::positionAsLong).orElse(0L);
        running = true;
        subscription = changes.subscribe(events -> wakeUp());
        thread = new Thread(this::run, "nexus-" + consumer);
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** The checkpoint consumer name of this router: {@code "event-router/<name>"}. */
    public String checkpointConsumer() {
        return consumer;
    }

    /** The global position of the last event published and checkpointed; -1 before {@link #start()}. */
    public long position() {
        return position;
    }

    /** How many stored events are not yet published: the store's head position minus {@link #position()}. */
    public long lag() {
        return Math.max(0, source.headPosition() - Math.max(0, position));
    }

    /** The failure the router is currently retrying, if any; empty once a publish succeeds again. */
    public Optional<NexusException> lastFailure() {
        return Optional.ofNullable(lastFailure);
    }

    private void wakeUp() {
        synchronized (wake) {
            woken = true;
            wake.notifyAll();
        }
    }

    private void run() {
        try {
            while (running) {
                List<EventEnvelope> batch = source.readAll(position + 1, batchSize);
                if (batch.isEmpty()) {
                    synchronized (wake) {
                        if (!woken) {
                            TimeUnit.MILLISECONDS.timedWait(wake, Math.max(1, pollInterval.toMillis()));
                        }
                        woken = false;
                    }
                    continue;
                }
                if (!retrying("publish", () -> publisher.publish(batch))) {
                    return;
                }
                long last = batch.get(batch.size() - 1).globalPosition();
                if (!retrying("checkpoint", () -> checkpoints.save(consumer, Checkpoint.GLOBAL, Long.toString(last)))) {
                    return;
                }
                position = last;
                metrics.summary("nexus.router.batch.size", batch.size(), "router", consumer);
                metrics.summary("nexus.router.lag", lag(), "router", consumer);
            }
        } catch (InterruptedException e) {
            // closing
        } catch (RuntimeException e) {
            lastFailure = e instanceof NexusException n ? n : new NexusException("Event router '" + consumer
                    + "' stopped reading the store at position " + (position + 1) + ": " + e.getMessage(), e);
            log.error("Event router '{}' stopped reading the store at position {}; restart it to resume from its checkpoint",
                    consumer, position + 1, e);
        }
    }

    /** Runs {@code action} until it succeeds (true) or the router closes (false). */
    private boolean retrying(String what, Runnable action) throws InterruptedException {
        for (int attempt = 1; running; attempt++) {
            try {
                action.run();
                lastFailure = null;
                return true;
            } catch (RuntimeException e) {
                if (!running) {
                    return false;
                }
                lastFailure = e instanceof NexusException n ? n : new NexusException("Event router '" + consumer + "' failed to "
                        + what + " events from position " + (position + 1) + ": " + e.getMessage(), e, true);
                metrics.count("nexus.router.retries", "router", consumer, "step", what);
                Duration delay = backoff.delayAfter(Math.min(attempt, 30), ThreadLocalRandom.current());
                log.warn("Event router '{}' failed to {} events from position {} (attempt {}); retrying in {} ms",
                        consumer, what, position + 1, attempt, delay.toMillis(), e);
                TimeUnit.NANOSECONDS.sleep(Math.max(1, delay.toNanos()));
            }
        }
        return false;
    }

    /** Stops routing; a batch being published may be published again by the next router. Closing twice is harmless. */
    @Override
    public synchronized void close() {
        if (!running) {
            return;
        }
        running = false;
        if (subscription != null) {
            subscription.close();
        }
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Options for {@link EventRouter}; setters validate their argument at once. */
    public static final class Builder {
        private final ReadAll source;
        private final SubscribeToAppends changes;
        private final EventPublisher publisher;
        private String name = "default";
        private CheckpointStore checkpoints;
        private int batchSize = 500;
        private RetryPolicy backoff = RetryPolicy.custom().initialDelay(Duration.ofMillis(50))
                .maxDelay(Duration.ofSeconds(10)).jitter(0.5).build();
        private Duration pollInterval = Duration.ofSeconds(1);
        private MeterRegistry meterRegistry;

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
        public Builder meterRegistry(MeterRegistry value) {
            this.meterRegistry = Objects.requireNonNull(value, "meterRegistry");
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
