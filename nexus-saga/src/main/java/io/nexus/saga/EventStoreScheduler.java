package io.nexus.saga;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.scheduler.ScheduledTimer;
import io.nexus.core.scheduler.Scheduler;
import io.nexus.core.serialization.EventSerializationException;
import io.nexus.core.store.EventStore;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.StreamQuery;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The durable embedded {@link Scheduler}: every schedule and cancel is an event in one stream of the
 * event store (any {@link EventStore}), so pending timers survive a restart and are shared by every
 * scheduler instance over the same stream.
 *
 * <p>Implementation notes. The pending set is an in-memory fold of the stream; each call first reads the
 * events appended since the last call (usually none), so instances over the same stream converge. Writes
 * use {@link ExpectedVersion#any()}: schedule and cancel commute per timer id except for their order,
 * which the store's per-stream order fixes. The stream only grows (a few hundred bytes per timer); a
 * fresh instance reads it once at start-up.
 *
 * <p>Thread-safe: every method is synchronized on the instance.
 */
public final class EventStoreScheduler implements Scheduler {

    /** The stream used by {@link #create(EventStore)}. */
    public static final String DEFAULT_STREAM = "nexus-scheduler";

    private static final String AGGREGATE_TYPE = "nexus-scheduler";
    private static final String SCHEDULED = "nexus.scheduler.TimerScheduled";
    private static final String CANCELLED = "nexus.scheduler.TimerCancelled";
    private static final Comparator<ScheduledTimer> ORDER =
            Comparator.comparing(ScheduledTimer::dueAt).thenComparing(ScheduledTimer::id);

    record Cancelled(String owner, String id) { }

    private final EventStore store;
    private final String streamId;
    private final Map<String, Map<String, ScheduledTimer>> pendingByOwner = new HashMap<>();
    private long seenVersion;

    private EventStoreScheduler(EventStore store, String streamId) {
        this.store = store;
        this.streamId = streamId;
        refresh();
    }

    /**
     * A scheduler over the stream {@value #DEFAULT_STREAM} of {@code store}, loaded from it.
     *
     * @throws io.nexus.core.NexusException if the stream cannot be read
     */
    public static EventStoreScheduler create(EventStore store) {
        return create(store, DEFAULT_STREAM);
    }

    /**
     * A scheduler over {@code streamId} of {@code store}, loaded from it.
     *
     * @throws IllegalArgumentException if {@code streamId} is blank
     * @throws io.nexus.core.NexusException if the stream cannot be read
     */
    public static EventStoreScheduler create(EventStore store, String streamId) {
        Objects.requireNonNull(store, "store");
        if (streamId == null || streamId.isBlank()) {
            throw new IllegalArgumentException("streamId must not be blank, but was '" + streamId + "'");
        }
        return new EventStoreScheduler(store, streamId);
    }

    @Override
    public synchronized void schedule(ScheduledTimer timer) {
        Objects.requireNonNull(timer, "timer");
        refresh();
        if (timer.equals(pendingByOwner.getOrDefault(timer.owner(), Map.of()).get(timer.id()))) {
            return;
        }
        append(SCHEDULED, timer);
    }

    @Override
    public synchronized void cancel(String owner, String id) {
        refresh();
        if (!pendingByOwner.getOrDefault(owner, Map.of()).containsKey(id)) {
            return;
        }
        append(CANCELLED, new Cancelled(owner, id));
    }

    @Override
    public synchronized List<ScheduledTimer> due(String owner, Instant now, int maxCount) {
        Objects.requireNonNull(now, "now");
        if (maxCount < 0) {
            throw new IllegalArgumentException("maxCount must be >= 0, but was " + maxCount);
        }
        refresh();
        return pendingByOwner.getOrDefault(owner, Map.of()).values().stream()
                .filter(t -> t.isDueAt(now)).sorted(ORDER).limit(maxCount).toList();
    }

    @Override
    public synchronized List<ScheduledTimer> pending(String owner) {
        refresh();
        return pendingByOwner.getOrDefault(owner, Map.of()).values().stream().sorted(ORDER).toList();
    }

    private void append(String type, Object body) {
        byte[] bytes;
        try {
            bytes = SagaEvent.JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new EventSerializationException("Timer event " + body + " cannot be serialized: " + e.getOriginalMessage(), e);
        }
        NewEvent event = new NewEvent(UUID.randomUUID(), type, 1, EventPayload.of(bytes, body), null, null, Map.of());
        store.append(streamId, AGGREGATE_TYPE, ExpectedVersion.any(), List.of(event));
        refresh();
    }

    private void refresh() {
        List<EventEnvelope> events = store.read(StreamQuery.stream(streamId).fromVersion(seenVersion + 1));
        for (EventEnvelope envelope : events) {
            if (SCHEDULED.equals(envelope.eventType())) {
                ScheduledTimer timer = decode(envelope, ScheduledTimer.class);
                pendingByOwner.computeIfAbsent(timer.owner(), o -> new HashMap<>()).put(timer.id(), timer);
            } else if (CANCELLED.equals(envelope.eventType())) {
                Cancelled cancelled = decode(envelope, Cancelled.class);
                Map<String, ScheduledTimer> timers = pendingByOwner.get(cancelled.owner());
                if (timers != null) {
                    timers.remove(cancelled.id());
                }
            } else {
                throw new EventSerializationException("Scheduler stream '" + streamId + "' version " + envelope.version()
                        + " holds '" + envelope.eventType() + "', which is not a timer event; give the scheduler a stream of its own.", null);
            }
            seenVersion = envelope.version();
        }
    }

    private static <T> T decode(EventEnvelope envelope, Class<T> type) {
        Object cached = envelope.payload().decoded().orElse(null);
        if (type.isInstance(cached)) {
            return type.cast(cached);
        }
        try {
            return SagaEvent.JSON.readValue(envelope.payload().unsafeBytes(), type);
        } catch (IOException e) {
            throw new EventSerializationException("Timer event '" + envelope.eventType() + "' at stream '" + envelope.streamId()
                    + "' version " + envelope.version() + " cannot be decoded: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "EventStoreScheduler[" + streamId + "]";
    }
}
