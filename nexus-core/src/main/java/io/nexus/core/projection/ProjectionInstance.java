package io.nexus.core.projection;

import org.jspecify.annotations.Nullable;
import io.nexus.core.observation.NexusObservation;

import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.deadletter.DeadLetterNotFoundException;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.serialization.DecodedEvent;
import io.nexus.core.store.StreamQuery;
import io.nexus.core.tracking.LogHandler;
import io.nexus.core.tracking.LogTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * One projection instance driven by its own {@link LogTracker}: the serving instance, or a shadow being
 * rebuilt beside it. It filters the events of its types, checks each stream for gaps, applies, tells the
 * listeners (serving only), and hands failures to its {@link Parking}.
 *
 * <p>Implementation notes. Gap safety: the instance remembers the last version it passed per stream (a
 * bounded, least-recently-used map), and for a stream it has no memory of asks the projection
 * ({@link Projection#lastAppliedVersion}). An event that does not follow what it knows is a gap: the
 * missing versions are read back from the stream and applied first, and if the store cannot return them
 * the event fails with a {@link ProjectionGapException} (retried, then dead-lettered, the stream parked).
 * Every gap is counted ({@code nexus.projection.gaps}) and logged. All state is guarded by the
 * processor's lock; the volatile fields are read by health without it.
 */
final class ProjectionInstance implements LogHandler {

    private static final Logger log = LoggerFactory.getLogger(ProjectionProcessor.class);
    private static final int REMEMBERED_STREAMS = 100_000;

    private final ProcessorSettings settings;
    final Projection projection;
    final Parking parking;
    private final Map<String, Long> seen = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > REMEMBERED_STREAMS;
        }
    };
    private volatile String consumer;
    private volatile LogTracker tracker;
    private volatile boolean serving;
    private volatile long handledThrough;
    private volatile Instant lastProgressAt;
    private volatile @Nullable String lastError;
    private volatile Runnable afterBatch = () -> { };
    // Lock held to change. While the serving instance stands by, it tells the listeners of what the holder applied.
    private volatile @Nullable ListenerRelay relay;
    final long startPosition;
    final Instant startedAt;

    ProjectionInstance(ProcessorSettings settings, Projection projection, String consumer, boolean serving, boolean inline,
                       long startPosition) {
        this.settings = settings;
        this.projection = projection;
        this.consumer = consumer;
        this.serving = serving;
        this.tracker = settings.tracker(consumer, inline);
        this.parking = new Parking(settings, this);
        this.startPosition = startPosition;
        this.startedAt = settings.clock().instant();
        this.lastProgressAt = startedAt;
    }

    String consumer() {
        return consumer;
    }

    LogTracker tracker() {
        return tracker;
    }

    Instant lastProgressAt() {
        return lastProgressAt;
    }

    @Nullable String lastError() {
        String error = lastError;
        if (error == null) {
            error = tracker.lastFailure().map(e -> e.getClass().getName() + ": " + e.getMessage()).orElse(null);
        }
        return error;
    }

    /** The last global position handed to this instance, the batch in progress included. */
    long passed() {
        return Math.max(handledThrough, tracker.position());
    }

    void afterBatch(Runnable action) {
        this.afterBatch = action;
    }

    /** Lock held, tracker stopped. Takes over {@code newConsumer}'s name, tracker and listeners (a rebuild switching in). */
    void becomeServing(String newConsumer, LogTracker newTracker, @Nullable ListenerRelay listenerRelay) {
        this.consumer = newConsumer;
        this.tracker = newTracker;
        this.serving = true;
        this.afterBatch = () -> { };
        this.relay = listenerRelay;
    }

    /** Lock held. The serving instance's relay, started while it stands by; none without listeners. */
    void relay(@Nullable ListenerRelay listenerRelay) {
        this.relay = listenerRelay;
    }

    /**
     * Lock held, the tracker started. When it stands by, has the relay tell the listeners of what the holder applies,
     * from the stored checkpoint on (the holder goes on from there). Under the processor's lock, which a new term
     * takes before it stops the relay, so the two cannot cross.
     */
    void relayIfStandingBy() {
        ListenerRelay current = relay;
        if (current != null && serving && tracker.isStandingBy()) {
            long from = settings.checkpoints().load(settings.name(), Checkpoint.GLOBAL)
                    .map(Checkpoint::positionAsLong).orElse(0L);
            current.start(from, projection.eventTypes());
        }
    }

    /** Lock held, tracker stopped. Forgets what the last run knew and parks the streams of the stored dead letters. */
    void restore() {
        seen.clear();
        handledThrough = 0;
        lastError = null;
        lastProgressAt = settings.clock().instant();
        parking.restore(settings.deadLetters().list(consumer));
    }

    /** Tracker lock held. Another instance may have handled events and dead letters meanwhile: start afresh. */
    @Override
    public void termStarted() {
        settings.lock().lock();
        try {
            ListenerRelay current = relay;
            if (current != null && serving) {
                // the previous holder applied everything up to the checkpoint this term starts from
                current.stop(tracker.checkpointedPosition());
            }
            restore();
        } finally {
            settings.lock().unlock();
        }
    }

    /** Tracker lock held. Another instance runs the projection now: its retries are no longer ours to make. */
    @Override
    public void termEnded() {
        settings.lock().lock();
        try {
            parking.cancelRetries();
            ListenerRelay current = relay;
            if (current != null && serving) {
                // the listeners heard of everything this term handed over
                current.start(tracker.position(), projection.eventTypes());
            }
        } finally {
            settings.lock().unlock();
        }
    }

    @Override
    public long handle(List<EventEnvelope> batch) {
        long safe;
        settings.lock().lock();
        try {
            for (EventEnvelope event : batch) {
                process(event);
                handledThrough = event.globalPosition();
            }
            lastProgressAt = settings.clock().instant();
            safe = parking.safePosition(handledThrough);
        } finally {
            settings.lock().unlock();
        }
        afterBatch.run();
        return safe;
    }

    /** Lock held. */
    private void process(EventEnvelope event) {
        String streamId = event.streamId();
        if (parking.isBlocked(streamId)) {
            return;
        }
        Long known = seen.get(streamId);
        if (known != null && event.version() <= known) {
            return;
        }
        boolean declared = declares(event);
        if (known == null && declared && event.version() > 1) {
            OptionalLong applied = projection.lastAppliedVersion(streamId);
            if (applied.isPresent() && applied.getAsLong() < event.version() - 1) {
                known = applied.getAsLong();
            }
        }
        if (known != null && event.version() > known + 1 && !closeGap(event, known)) {
            return;
        }
        seen.put(streamId, event.version());
        if (declared) {
            Throwable failure = attempt(event);
            if (failure != null) {
                parking.failed(event, failure);
            }
        }
    }

    /** Lock held. Applies the versions after {@code known} that precede {@code event}; false if the stream is now parked. */
    private boolean closeGap(EventEnvelope event, long known) {
        String streamId = event.streamId();
        long missing = event.version() - 1 - known;
        settings.metrics().count("nexus.projection.gaps", "projection", settings.name());
        log.error("Projection '{}' was handed stream '{}' version {} but last applied version {}: reading the {} missing "
                + "version(s) back from the stream before going on", consumer, streamId, event.version(), known, missing);
        List<EventEnvelope> between = settings.store().read(StreamQuery.stream(streamId).fromVersion(known + 1)
                .toVersion(event.version() - 1));
        if (between.size() != missing) {
            ProjectionGapException gap = new ProjectionGapException(settings.name(), streamId, known, event.version(), between.size());
            lastError = gap.getClass().getName() + ": " + gap.getMessage();
            parking.failed(event, gap);
            return false;
        }
        for (EventEnvelope earlier : between) {
            seen.put(streamId, earlier.version());
            if (declares(earlier)) {
                Throwable failure = attempt(earlier);
                if (failure != null) {
                    parking.failed(earlier, failure);
                    return false;
                }
            }
        }
        return true;
    }

    boolean declares(EventEnvelope event) {
        return projection.eventTypes().contains(event.eventType());
    }

    /** Lock held. Records that {@code event} was passed (applied or not of this projection's types). */
    void passedEvent(EventEnvelope event) {
        seen.merge(event.streamId(), event.version(), Math::max);
    }

    /** Lock held. Decodes and handles one event, then tells the listeners; the failure, or null. */
    @Nullable Throwable attempt(EventEnvelope event) {
        try {
            NexusObservation.observe(NexusObservation.PROJECTION_HANDLE, settings.name(), event, settings.observations(), () -> {
                DecodedEvent decoded = settings.codec().decodeWithEnvelope(event);
                projection.handle(decoded.event(), decoded.envelope());
            });
        } catch (Throwable e) {
            if (e instanceof VirtualMachineError fatal) {
                throw fatal;
            }
            lastError = e.getClass().getName() + ": " + e.getMessage();
            settings.metrics().count("nexus.projection.events", "projection", settings.name(), "outcome", "failed");
            return e;
        }
        settings.metrics().count("nexus.projection.events", "projection", settings.name(), "outcome", "handled");
        lastProgressAt = settings.clock().instant();
        if (serving) {
            notifyApplied(settings, event);
        }
        return null;
    }

    /** Tells the processor's listeners that {@code event} was applied; a listener's failure is logged. */
    static void notifyApplied(ProcessorSettings settings, EventEnvelope event) {
        for (ProjectionListener listener : settings.listeners()) {
            try {
                listener.applied(settings.name(), event);
            } catch (RuntimeException e) {
                log.warn("Listener {} of projection '{}' failed on stream '{}' version {}", listener, settings.name(),
                        event.streamId(), event.version(), e);
            }
        }
    }

    /** A dead letter of this instance's consumer. */
    DeadLetter ownLetter(UUID id) {
        return settings.deadLetters().find(id).filter(l -> l.consumer().equals(consumer))
                .orElseThrow(() -> new DeadLetterNotFoundException(id, consumer));
    }
}
