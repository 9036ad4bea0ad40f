package io.nexus.core.bus;

import org.jspecify.annotations.Nullable;
import io.micrometer.core.instrument.MeterRegistry;
import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.deadletter.DeadLetterNotFoundException;
import io.nexus.core.deadletter.DeadLetterQueue;
import io.nexus.core.deadletter.InMemoryDeadLetterQueue;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.internal.NexusMetrics;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.store.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Retries, dead letters and parking for one consumer group of an {@link EventBus}: the one implementation
 * every bus wraps around each subscription's {@link BusConsumer}, so that consumers behave the same on
 * every transport. A bus hands each record to {@link #deliver} on its partition's thread and acknowledges
 * (checkpoints) the record when it returns {@code true}; it exposes the group to the user through
 * {@link #asConsumerGroup}.
 *
 * <p>What {@link #deliver} does with an event:
 * <ul>
 *   <li>it calls the consumer, and on failure calls it again after the retry policy's backoff, up to the
 *       policy's attempts, on the calling thread (the partition waits: per-aggregate order holds);</li>
 *   <li>after the last attempt it stores a {@link DeadLetter} and returns {@code true}: the bus
 *       acknowledges the event and the rest of the partition moves on;</li>
 *   <li>on a parking path ({@link BusPath#PRIMARY}), a later event of an aggregate that has a dead letter
 *       is not handed to the consumer: it is {@linkplain DeadLetterQueue#park parked} in the dead-letter
 *       queue (the bus cannot give it back later) and acknowledged. Retrying or discarding the dead letter
 *       handles the parked events in order. A redelivered event at or below the dead letter's version is
 *       acknowledged without handling (it was handled, or is the dead letter itself);</li>
 *   <li>on a non-parking path ({@link BusPath#SECONDARY}), the queue model with a redrive policy: a dead
 *       letter holds only its own event and later events of the aggregate are delivered as usual.</li>
 * </ul>
 *
 * <p>Implementation notes. The aggregates that are parked are kept in memory, loaded from the queue at
 * construction (so parking survives a restart when the queue is durable), and changed only under the
 * aggregate's lock stripe; a delivery takes that stripe only for an aggregate that is parked, so an
 * operator's retry and the bus's parking of a newer event of the same aggregate never interleave, and
 * aggregates that are not parked never wait for one. Releasing parked events handles them first and
 * removes the dead letter last, so a crash half-way leaves the letter in place: the work is redone, never
 * lost (at-least-once). When several letters name one aggregate (a crash between storing a new letter
 * and removing the old one), the newest is the one that parks; retrying an older one handles only its
 * own event.
 *
 * <p>Thread-safe. {@link #deliver} is called for one aggregate by one thread at a time (the bus's
 * partition reader); the operator methods may be called from any thread.
 */
public final class ResilientConsumer {

    private static final Logger log = LoggerFactory.getLogger(ResilientConsumer.class);
    private static final int STRIPES = 64;

    private final String group;
    private final BusPath path;
    private final String consumerName;
    private final BusConsumer consumer;
    private final DeadLetterQueue queue;
    private final RetryPolicy retry;
    private final Clock clock;
    private final boolean parking;
    private final NexusMetrics metrics;
    private final String[] tags;
    private final Object[] stripes = new Object[STRIPES];
    /** Parked aggregates: stream id to the dead letter that parks it. */
    private final Map<String, DeadLetter> blockers = new ConcurrentHashMap<>();
    /** Aggregates whose current event is being retried, with the attempt that failed last. */
    private final Map<String, Integer> retrying = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private volatile @Nullable String lastError;

    private ResilientConsumer(Builder b) {
        this.group = b.group;
        this.path = b.path;
        this.consumerName = b.consumerName;
        this.consumer = b.consumer;
        this.queue = Objects.requireNonNull(b.deadLetters, "deadLetters"); // build() sets it when not given
        this.retry = b.retry;
        this.clock = b.clock;
        this.parking = b.parking == null ? b.path == BusPath.PRIMARY : b.parking;
        this.metrics = NexusMetrics.of(b.meterRegistry);
        this.tags = new String[]{"group", group, "path", path.name().toLowerCase()};
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
        if (parking) {
            for (DeadLetter letter : queue.list(consumerName)) {
                blockers.merge(letter.event().streamId(), letter,
                        (a, c) -> c.event().version() > a.event().version() ? c : a);
            }
        }
    }

    /**
     * A builder for the group {@code group} on {@code path}, keeping its dead letters under
     * {@code consumerName} (the name the bus keeps the group's checkpoints under).
     *
     * @throws IllegalArgumentException if {@code group} or {@code consumerName} is blank
     * @throws NullPointerException     if {@code path} or {@code consumer} is {@code null}
     */
    public static Builder builder(String group, BusPath path, String consumerName, BusConsumer consumer) {
        return new Builder(group, path, consumerName, consumer);
    }

    /** The name the dead letters are kept under. */
    public String consumer() {
        return consumerName;
    }

    /**
     * Delivers {@code event}: handles it (with retries), dead-letters it, or parks it, as the class notes
     * say, then returns {@code true}: the bus acknowledges the event. Returns {@code false} only when the
     * group was stopped first: the bus must not acknowledge the event, which is delivered again after a
     * restart.
     *
     * @throws InterruptedException if the calling thread is interrupted (the bus is stopping)
     * @throws io.nexus.core.NexusException if the dead-letter queue cannot be reached; the event is not
     *                                      acknowledged and the bus delivers it again
     */
    public boolean deliver(EventEnvelope event) throws InterruptedException {
        Objects.requireNonNull(event, "event");
        if (!running) {
            return false;
        }
        String key = event.streamId();
        if (parking && blockers.containsKey(key)) {
            synchronized (stripe(key)) {
                DeadLetter blocker = blockers.get(key);
                if (blocker != null) {
                    if (event.version() > blocker.event().version()) {
                        queue.park(consumerName, event);
                        metrics.count("nexus.bus.consumer.parked", tags);
                        log.debug("Consumer group '{}' parked '{}' of stream '{}' version {} behind dead letter {}",
                                consumerName, event.eventType(), key, event.version(), blocker.id());
                    }
                    return true;
                }
            }
        }
        return handleWithRetries(event, true) != Outcome.STOPPED;
    }

    private enum Outcome { HANDLED, DEAD_LETTERED, STOPPED }

    /**
     * Calls the consumer until it succeeds or the policy's attempts are used up (then stores a dead letter);
     * the retry policy runs the loop. {@code stopOnClose}: the bus's threads give up when the group stops;
     * an operator's call finishes.
     */
    private Outcome handleWithRetries(EventEnvelope event, boolean stopOnClose) throws InterruptedException {
        String key = event.streamId();
        int[] attempts = {0};
        Instant[] firstFailedAt = {null};
        try {
            retry.execute(() -> {
                int attempt = ++attempts[0];
                Throwable failure = attempt(event);
                if (failure == null) {
                    return Outcome.HANDLED;
                }
                if (firstFailedAt[0] == null) {
                    firstFailedAt[0] = clock.instant();
                }
                if (retry.canRetryAfter(attempt) && (running || !stopOnClose)) {
                    retrying.put(key, attempt);
                    metrics.count("nexus.bus.consumer.retries", tags);
                    log.warn("Consumer group '{}' failed on '{}' of stream '{}' version {} (attempt {} of {}); retrying",
                            consumerName, event.eventType(), key, event.version(), attempt, retry.maxAttempts(), failure);
                }
                throw failure instanceof Exception e ? e : new ConsumerError((Error) failure);
            }, e -> !(e instanceof InterruptedException) && (running || !stopOnClose), RetryPolicy.Sleeper.threadSleep(),
                    ThreadLocalRandom.current());
            return Outcome.HANDLED;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            if (stopOnClose && !running) {
                return Outcome.STOPPED;
            }
            deadLetter(event, e instanceof ConsumerError wrapped ? wrapped.error : e, attempts[0], firstFailedAt[0]);
            return Outcome.DEAD_LETTERED;
        } finally {
            retrying.remove(key);
        }
    }

    /** Carries an {@link Error} a consumer threw through the retry loop, which retries exceptions. */
    private static final class ConsumerError extends Exception {
        private static final long serialVersionUID = 1L;

        final Error error;

        ConsumerError(Error cause) {
            super(cause);
            this.error = cause;
        }
    }

    /** One call of the consumer; the failure, or {@code null}. An interrupt is passed on. */
    private @Nullable Throwable attempt(EventEnvelope event) throws InterruptedException {
        try {
            consumer.onEvent(event);
            metrics.count("nexus.bus.consumer.events", tags);
            return null;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception | Error e) {
            if (e instanceof VirtualMachineError fatal) {
                throw fatal;
            }
            lastError = e.getClass().getName() + ": " + e.getMessage();
            return e;
        }
    }

    private void deadLetter(EventEnvelope event, Throwable cause, int attempts, Instant firstFailedAt) {
        DeadLetter letter = DeadLetter.of(consumerName, event, cause, attempts, firstFailedAt, clock.instant());
        String key = event.streamId();
        synchronized (stripe(key)) {
            queue.put(letter);
            if (parking) {
                DeadLetter previous = blockers.put(key, letter);
                if (previous != null && !previous.id().equals(letter.id())) {
                    queue.remove(previous.id());
                }
            }
        }
        metrics.count("nexus.bus.consumer.deadletters", tags);
        log.error("Consumer group '{}' dead-lettered '{}' of stream '{}' version {} after {} attempts (dead letter {}){}",
                consumerName, event.eventType(), key, event.version(), attempts, letter.id(),
                parking ? "; later events of the stream are parked until it is retried or discarded" : "", cause);
    }

    /**
     * Reloads which aggregates are parked from the dead-letter queue. A bus whose partitions move between
     * processes (a leased consumer group) calls it when it takes a partition over, so that a dead letter
     * another process stored (or an operator settled) since this consumer was built takes effect here before
     * the aggregate's next event is delivered. A blocker is dropped only if its letter is gone from the queue;
     * a newer letter of the same aggregate replaces it. Does nothing on a non-parking path.
     *
     * @throws io.nexus.core.NexusException if the dead-letter queue cannot be read
     */
    public void refreshParking() {
        if (!parking) {
            return;
        }
        Map<String, DeadLetter> stored = new java.util.HashMap<>();
        for (DeadLetter letter : queue.list(consumerName)) {
            stored.merge(letter.event().streamId(), letter, (a, c) -> c.event().version() > a.event().version() ? c : a);
        }
        java.util.Set<String> keys = new java.util.HashSet<>(blockers.keySet());
        keys.addAll(stored.keySet());
        for (String key : keys) {
            synchronized (stripe(key)) {
                DeadLetter held = blockers.get(key);
                DeadLetter found = stored.get(key);
                if (found != null && (held == null || found.event().version() > held.event().version())) {
                    blockers.put(key, found);
                } else if (found == null && held != null && queue.find(held.id()).isEmpty()) {
                    blockers.remove(key, held);
                }
            }
        }
    }

    // ------------------------------------------------------------------ operator side

    /** The group's dead letters, oldest first. */
    public List<DeadLetter> deadLetters() {
        return queue.list(consumerName);
    }

    /** See {@link ConsumerGroup#parked}. */
    public List<EventEnvelope> parked(String streamId) {
        return queue.parked(consumerName, Objects.requireNonNull(streamId, "streamId"));
    }

    /** See {@link ConsumerGroup#retryDeadLetter}. */
    public boolean retryDeadLetter(UUID id) {
        DeadLetter letter = ownLetter(id);
        String key = letter.event().streamId();
        synchronized (stripe(key)) {
            letter = ownLetter(id);
            Throwable failure;
            try {
                failure = attempt(letter.event());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (failure != null) {
                DeadLetter again = letter.failedAgain(failure, clock.instant());
                queue.put(again);
                blockers.computeIfPresent(key, (k, b) -> b.id().equals(id) ? again : b);
                log.warn("Consumer group '{}' failed again on dead letter {} ('{}' of stream '{}' version {})",
                        consumerName, id, letter.event().eventType(), key, letter.event().version(), failure);
                return false;
            }
            log.info("Consumer group '{}' handled dead letter {} ('{}' of stream '{}' version {}) on retry",
                    consumerName, id, letter.event().eventType(), key, letter.event().version());
            settle(letter);
            return true;
        }
    }

    /** See {@link ConsumerGroup#discardDeadLetter}. */
    public void discardDeadLetter(UUID id) {
        DeadLetter letter = ownLetter(id);
        String key = letter.event().streamId();
        synchronized (stripe(key)) {
            letter = ownLetter(id);
            log.warn("Consumer group '{}' discards dead letter {} ('{}' of stream '{}' version {})", consumerName, id,
                    letter.event().eventType(), key, letter.event().version());
            settle(letter);
        }
    }

    /** With the stripe held: releases what {@code letter} parked (if it parks anything), then removes it. */
    private void settle(DeadLetter letter) {
        String key = letter.event().streamId();
        DeadLetter blocker = blockers.get(key);
        if (parking && blocker != null && blocker.id().equals(letter.id())) {
            for (EventEnvelope parked : queue.parked(consumerName, key)) {
                if (parked.version() <= letter.event().version()) {
                    queue.unpark(consumerName, key, parked.version());
                    continue;
                }
                Outcome outcome;
                try {
                    outcome = handleWithRetries(parked, false);
                } catch (InterruptedException e) {
                    // The letter and the rest stay; releasing again redoes the work from here.
                    Thread.currentThread().interrupt();
                    return;
                }
                queue.unpark(consumerName, key, parked.version());
                if (outcome == Outcome.DEAD_LETTERED) {
                    // The parked event is the stream's new dead letter (deadLetter() replaced the blocker and
                    // removed this one); the events after it stay parked behind it.
                    return;
                }
            }
            blockers.remove(key, blocker);
        }
        queue.remove(letter.id());
    }

    private DeadLetter ownLetter(UUID id) {
        Objects.requireNonNull(id, "id");
        if (!running) {
            throw new IllegalStateException("Consumer group '" + consumerName + "' is closed; subscribe it again to "
                    + "retry or discard its dead letters");
        }
        return queue.find(id).filter(l -> l.consumer().equals(consumerName))
                .orElseThrow(() -> new DeadLetterNotFoundException(id, consumerName));
    }

    /** The group's health now. */
    public ConsumerGroupHealth health() {
        int dead = queue.count(consumerName);
        int parked = 0;
        for (String key : blockers.keySet()) {
            parked += queue.parked(consumerName, key).size();
        }
        int failing = retrying.size();
        ConsumerGroupHealth.Status status;
        if (!running) {
            status = ConsumerGroupHealth.Status.STOPPED;
        } else if (failing > 0) {
            status = ConsumerGroupHealth.Status.FAILING;
        } else if (dead > 0) {
            status = ConsumerGroupHealth.Status.DEAD_LETTERS;
        } else {
            status = ConsumerGroupHealth.Status.RUNNING;
        }
        return new ConsumerGroupHealth(group, path, status, failing, dead, parked, lastError);
    }

    /** Stops delivery: a {@link #deliver} in progress gives up at its next retry. Stopping twice is harmless. */
    public void stop() {
        running = false;
    }

    /**
     * The user's handle on this group: its operator methods, and a {@link ConsumerGroup#close()} that
     * stops this consumer and then {@code transport} (the bus's reader threads).
     */
    public ConsumerGroup asConsumerGroup(Subscription transport) {
        return group(transport, null);
    }

    /**
     * As {@link #asConsumerGroup(Subscription)}, with {@code lagEvents} answering {@link ConsumerGroup#lagEvents()}:
     * the bus's count of the events published to the group's path and not yet acknowledged by its reader threads.
     *
     * @param transport the bus's reader threads; not {@code null}
     * @param lagEvents called on any thread, must not block on delivery; not {@code null}
     */
    public ConsumerGroup asConsumerGroup(Subscription transport, LongSupplier lagEvents) {
        return group(transport, Objects.requireNonNull(lagEvents, "lagEvents"));
    }

    private ConsumerGroup group(Subscription transport, @Nullable LongSupplier lag) {
        Objects.requireNonNull(transport, "transport");
        return new ConsumerGroup() {
            @Override
            public OptionalLong lagEvents() {
                return lag == null ? OptionalLong.empty() : OptionalLong.of(Math.max(0, lag.getAsLong()));
            }

            @Override
            public String group() {
                return group;
            }

            @Override
            public BusPath path() {
                return path;
            }

            @Override
            public String consumer() {
                return consumerName;
            }

            @Override
            public ConsumerGroupHealth health() {
                return ResilientConsumer.this.health();
            }

            @Override
            public List<DeadLetter> deadLetters() {
                return ResilientConsumer.this.deadLetters();
            }

            @Override
            public List<EventEnvelope> parked(String streamId) {
                return ResilientConsumer.this.parked(streamId);
            }

            @Override
            public boolean retryDeadLetter(UUID id) {
                return ResilientConsumer.this.retryDeadLetter(id);
            }

            @Override
            public void discardDeadLetter(UUID id) {
                ResilientConsumer.this.discardDeadLetter(id);
            }

            @Override
            public void close() {
                stop();
                transport.close();
            }

            @Override
            public String toString() {
                return "ConsumerGroup[" + consumerName + "]";
            }
        };
    }

    private Object stripe(String key) {
        return stripes[Math.floorMod(key.hashCode(), STRIPES)];
    }

    /** The default consumer retry policy: 5 attempts, 100 ms doubling to 5 s, half jitter. */
    public static RetryPolicy defaultRetry() {
        return RetryPolicy.custom().maxAttempts(5).initialDelay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(5))
                .jitter(0.5).build();
    }

    /** Options for a {@link ResilientConsumer}. */
    public static final class Builder {
        private final String group;
        private final BusPath path;
        private final String consumerName;
        private final BusConsumer consumer;
        private @Nullable DeadLetterQueue deadLetters;
        private RetryPolicy retry = defaultRetry();
        private Clock clock = Clock.systemUTC();
        private @Nullable Boolean parking;
        private @Nullable MeterRegistry meterRegistry;

        private Builder(String group, BusPath path, String consumerName, BusConsumer consumer) {
            if (group == null || group.isBlank()) {
                throw new IllegalArgumentException("group must not be blank, but was '" + group + "'");
            }
            if (consumerName == null || consumerName.isBlank()) {
                throw new IllegalArgumentException("consumerName must not be blank, but was '" + consumerName + "'");
            }
            this.group = group;
            this.path = Objects.requireNonNull(path, "path");
            this.consumerName = consumerName;
            this.consumer = Objects.requireNonNull(consumer, "consumer");
        }

        /** Where dead letters and parked events are kept; a fresh {@link InMemoryDeadLetterQueue} by default. */
        public Builder deadLetters(DeadLetterQueue value) {
            this.deadLetters = Objects.requireNonNull(value, "deadLetters");
            return this;
        }

        /** Attempts and backoff before an event is dead-lettered; {@link #defaultRetry()} by default. */
        public Builder retry(RetryPolicy value) {
            this.retry = Objects.requireNonNull(value, "retry");
            return this;
        }

        /** Stamps dead letters; the system clock by default. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Whether later events of a dead-lettered aggregate are parked behind it. By default yes on the
         * primary path (order per aggregate), no on the secondary path (a queue with a redrive policy).
         */
        public Builder parking(boolean value) {
            this.parking = value;
            return this;
        }

        /** Where to count retries, dead letters and parked events; none by default or when {@code null}. */
        public Builder meterRegistry(@Nullable MeterRegistry value) {
            this.meterRegistry = value;
            return this;
        }

        /**
         * The consumer.
         *
         * @throws io.nexus.core.NexusException if the dead-letter queue cannot be read to restore parking
         */
        public ResilientConsumer build() {
            if (deadLetters == null) {
                deadLetters = new InMemoryDeadLetterQueue();
            }
            return new ResilientConsumer(this);
        }
    }
}
