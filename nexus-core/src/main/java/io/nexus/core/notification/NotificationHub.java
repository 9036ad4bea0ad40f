package io.nexus.core.notification;

import io.micrometer.observation.ObservationRegistry;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.observation.NexusObservation;
import io.nexus.core.projection.ProjectionListener;
import io.nexus.core.projection.TaskScheduler;
import io.nexus.core.store.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Real-time notifications of the read side, transport-neutral: register it as a projection's
 * {@link ProjectionListener}, and clients subscribe per aggregate (or per projection) or wait until a
 * version is visible (read-your-writes).
 *
 * <p>Implementation notes. The hub remembers the latest applied version of every aggregate it has seen
 * (one small entry per aggregate, for waits and resumption). Each client has a token bucket (default
 * 100 notifications per second, burst of the same size): while tokens last, notifications go out on the
 * notifying thread; beyond that they are coalesced per aggregate (only the highest version is kept, so
 * the latest state is never dropped) and flushed by a scheduler task as tokens come back. A reconnecting
 * client passes the last version it saw and gets the latest one at once if it missed any.
 *
 * <p>Thread-safe.
 */
public final class NotificationHub implements ProjectionListener {

    private static final Logger log = LoggerFactory.getLogger(NotificationHub.class);

    private final Clock clock;
    private final TaskScheduler scheduler;
    private final double ratePerSecond;
    private final ObservationRegistry observations;
    private final Map<String, Notification> latest = new ConcurrentHashMap<>();
    private final Map<String, ClientState> clients = new ConcurrentHashMap<>();
    private final Map<String, List<Registration>> byAggregate = new ConcurrentHashMap<>();
    private final Map<String, List<Registration>> byProjection = new ConcurrentHashMap<>();
    private final Map<String, List<Waiter>> waiters = new ConcurrentHashMap<>();

    private NotificationHub(Builder b) {
        this.clock = b.clock;
        this.scheduler = b.scheduler;
        this.ratePerSecond = b.ratePerSecond;
        this.observations = b.observations;
    }

    /** A builder for a hub that flushes throttled notifications and times out waits on {@code scheduler}. */
    public static Builder builder(TaskScheduler scheduler) {
        return new Builder(scheduler);
    }

    /**
     * Tells the subscribers of {@code event}'s aggregate and of {@code projection}, and completes the waits it
     * satisfies. Observed as {@link NexusObservation#NOTIFY} in the event's trace, so what a subscriber does while it
     * is told (a WebSocket send) is in the trace of the command that caused the event.
     */
    @Override
    public void applied(String projection, EventEnvelope event) {
        NexusObservation.observe(NexusObservation.NOTIFY, projection, event, observations, () -> dispatchApplied(projection, event));
    }

    private void dispatchApplied(String projection, EventEnvelope event) {
        Notification notification = new Notification(projection, event.streamId(), event.version(), event.eventType());
        latest.merge(event.streamId(), notification, (old, now) -> now.version() >= old.version() ? now : old);
        dispatch(byAggregate.get(event.streamId()), notification);
        dispatch(byProjection.get(projection), notification);
        List<Waiter> waiting = waiters.get(event.streamId());
        if (waiting != null) {
            for (Waiter waiter : waiting) {
                if (event.version() >= waiter.version && waiter.future.complete(notification)) {
                    waiting.remove(waiter);
                    waiter.timeout.cancel();
                }
            }
        }
    }

    /** The latest applied version of {@code aggregateId} the hub has seen, if any. */
    public Optional<Notification> latest(String aggregateId) {
        return Optional.ofNullable(latest.get(Objects.requireNonNull(aggregateId, "aggregateId")));
    }

    /**
     * Notifies {@code listener} of every version of {@code aggregateId} applied from now on, throttled per
     * {@code clientId}. If the hub has seen a version newer than {@code lastSeenVersion} (0 for a new
     * client), the latest one is sent at once: a reconnecting client resumes without a gap.
     */
    public Subscription subscribe(String clientId, String aggregateId, long lastSeenVersion, NotificationListener listener) {
        requireText(aggregateId, "aggregateId");
        Registration registration = register(clientId, listener, byAggregate, aggregateId);
        Notification known = latest.get(aggregateId);
        if (known != null && known.version() > lastSeenVersion) {
            registration.client.offer(registration, known);
        }
        return registration;
    }

    /** Notifies {@code listener} of every event {@code projection} applies, throttled and coalesced per aggregate. */
    public Subscription subscribeToProjection(String clientId, String projection, NotificationListener listener) {
        requireText(projection, "projection");
        return register(clientId, listener, byProjection, projection);
    }

    /**
     * Completes when the read side has applied version {@code version} (or later) of {@code aggregateId},
     * at once if it already has; fails with {@link VersionWaitTimeoutException} after {@code timeout}.
     */
    public CompletableFuture<Notification> awaitVersion(String aggregateId, long version, Duration timeout) {
        requireText(aggregateId, "aggregateId");
        Objects.requireNonNull(timeout, "timeout");
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, but was " + version);
        }
        Notification known = latest.get(aggregateId);
        if (known != null && known.version() >= version) {
            return CompletableFuture.completedFuture(known);
        }
        Waiter waiter = new Waiter(version);
        List<Waiter> list = waiters.computeIfAbsent(aggregateId, k -> new CopyOnWriteArrayList<>());
        list.add(waiter);
        waiter.timeout = scheduler.schedule(() -> {
            long visible = latest(aggregateId).map(Notification::version).orElse(0L);
            if (waiter.future.completeExceptionally(new VersionWaitTimeoutException(aggregateId, version, visible, timeout))) {
                list.remove(waiter);
            }
        }, timeout);
        known = latest.get(aggregateId);
        if (known != null && known.version() >= version && waiter.future.complete(known)) {
            list.remove(waiter);
            waiter.timeout.cancel();
        }
        return waiter.future;
    }

    /**
     * Blocks until {@link #awaitVersion} completes.
     *
     * @throws VersionWaitTimeoutException if the version is not visible within {@code timeout}
     */
    public Notification waitForVersion(String aggregateId, long version, Duration timeout) {
        CompletableFuture<Notification> future = awaitVersion(aggregateId, version, timeout);
        try {
            return future.get(timeout.toNanos() + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            long visible = latest(aggregateId).map(Notification::version).orElse(0L);
            throw new VersionWaitTimeoutException(aggregateId, version, visible, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VersionWaitTimeoutException(aggregateId, version, 0, timeout);
        }
    }

    private Registration register(String clientId, NotificationListener listener, Map<String, List<Registration>> index,
                                  String key) {
        requireText(clientId, "clientId");
        Objects.requireNonNull(listener, "listener");
        ClientState client = clients.computeIfAbsent(clientId, ClientState::new);
        Registration registration = new Registration(client, listener, index, key);
        index.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(registration);
        return registration;
    }

    private static void dispatch(@Nullable List<Registration> registrations, Notification notification) {
        if (registrations != null) {
            for (Registration registration : registrations) {
                registration.client.offer(registration, notification);
            }
        }
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank, but was '" + value + "'");
        }
    }

    private static final class Waiter {
        final long version;
        final CompletableFuture<Notification> future = new CompletableFuture<>();
        volatile TaskScheduler.Cancellable timeout = () -> { };

        Waiter(long version) {
            this.version = version;
        }
    }

    private final class Registration implements Subscription {
        final ClientState client;
        final NotificationListener listener;
        final Map<String, List<Registration>> index;
        final String key;
        volatile boolean open = true;

        Registration(ClientState client, NotificationListener listener, Map<String, List<Registration>> index, String key) {
            this.client = client;
            this.listener = listener;
            this.index = index;
            this.key = key;
        }

        void deliver(Notification notification) {
            if (!open) {
                return;
            }
            try {
                listener.onNotification(notification);
            } catch (RuntimeException e) {
                log.warn("Notification listener of client '{}' failed on aggregate '{}' version {}", client.id,
                        notification.aggregateId(), notification.version(), e);
            }
        }

        @Override
        public void close() {
            open = false;
            List<Registration> list = index.get(key);
            if (list != null) {
                list.remove(this);
            }
        }
    }

    /** One client's token bucket and its coalesced backlog. */
    private final class ClientState {
        final String id;
        double tokens = ratePerSecond;
        long refilledAtNanos = nanosNow();
        final Map<Registration, Map<String, Notification>> pending = new LinkedHashMap<>();
        boolean flushScheduled;

        ClientState(String id) {
            this.id = id;
        }

        synchronized void offer(Registration registration, Notification notification) {
            refill();
            if (pending.isEmpty() && tokens >= 1) {
                tokens -= 1;
                registration.deliver(notification);
                return;
            }
            pending.computeIfAbsent(registration, r -> new LinkedHashMap<>()).merge(notification.aggregateId(), notification,
                    (old, now) -> now.version() >= old.version() ? now : old);
            scheduleFlush();
        }

        synchronized void flush() {
            flushScheduled = false;
            refill();
            Iterator<Map.Entry<Registration, Map<String, Notification>>> regs = pending.entrySet().iterator();
            while (tokens >= 1 && regs.hasNext()) {
                Map.Entry<Registration, Map<String, Notification>> entry = regs.next();
                Iterator<Notification> items = entry.getValue().values().iterator();
                while (tokens >= 1 && items.hasNext()) {
                    Notification next = items.next();
                    items.remove();
                    tokens -= 1;
                    entry.getKey().deliver(next);
                }
                if (entry.getValue().isEmpty()) {
                    regs.remove();
                }
            }
            if (!pending.isEmpty()) {
                scheduleFlush();
            }
        }

        private void scheduleFlush() {
            if (!flushScheduled) {
                flushScheduled = true;
                long waitNanos = (long) Math.ceil(Math.max(0, 1 - tokens) / ratePerSecond * 1e9);
                scheduler.schedule(this::flush, Duration.ofNanos(Math.max(waitNanos, 1)));
            }
        }

        private void refill() {
            long now = nanosNow();
            double earned = (now - refilledAtNanos) / 1e9 * ratePerSecond;
            tokens = Math.min(ratePerSecond, tokens + earned);
            refilledAtNanos = now;
        }
    }

    private long nanosNow() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** Options for a {@link NotificationHub}. */
    public static final class Builder {
        private final TaskScheduler scheduler;
        private Clock clock = Clock.systemUTC();
        private double ratePerSecond = 100;
        private ObservationRegistry observations = ObservationRegistry.NOOP;

        private Builder(TaskScheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        }

        /** The clock the throttle measures time with; the system clock by default. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Notifications per second per client before coalescing starts; 100 by default. */
        public Builder ratePerClient(double perSecond) {
            if (!(perSecond >= 1 && perSecond <= 1_000_000)) {
                throw new IllegalArgumentException("ratePerClient must be 1..1000000 per second, but was " + perSecond);
            }
            this.ratePerSecond = perSecond;
            return this;
        }

        /**
         * Where each dispatch of an applied event is observed ({@link NexusObservation#NOTIFY}); none by default. A
         * hub built by {@code Nexus} gets the registry the application gave Nexus.
         */
        public Builder observationRegistry(ObservationRegistry value) {
            this.observations = Objects.requireNonNull(value, "observationRegistry");
            return this;
        }

        /** The hub as configured. */
        public NotificationHub build() {
            return new NotificationHub(this);
        }
    }
}
