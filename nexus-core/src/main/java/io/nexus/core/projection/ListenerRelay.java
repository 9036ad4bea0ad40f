package io.nexus.core.projection;

import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.store.Subscription;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Tells a standing-by processor's listeners of the events the instance holding the projection's lease has applied,
 * so that read-your-writes and notifications work on every instance. It follows the log without a lease, from a
 * position kept in memory, and tells the listeners of an event only once the projection's stored checkpoint (the
 * holder's) has reached it: never before the holder applied it.
 *
 * <p>Implementation notes. It never applies the projection, takes no lease and stores nothing. Appends (the store's
 * change capture) mark events as pending; while any are, the checkpoint is read every {@code interval}, that delay
 * doubling up to {@code pollInterval} while the checkpoint does not move and falling back to {@code interval} when
 * it does. Every {@code pollInterval} the log's head is read too, for a store without change capture or a lost
 * wake-up. Events are read from the log only up to the checkpoint, so nothing is buffered however far behind the
 * holder is. Work runs on the processor's scheduler, one task at a time, and never waits: the lease attempts share
 * that scheduler. Guarded by its own lock, which nothing else holds while calling in; a listener is called with it
 * held, so that once {@link #stop} returns no listener is told anything more.
 */
final class ListenerRelay {

    private static final Logger log = LoggerFactory.getLogger(ProjectionProcessor.class);

    private final ProcessorSettings settings;
    private final Duration interval;
    private final ReentrantLock lock = new ReentrantLock();

    // guarded by lock
    private boolean active;
    private int generation;
    private long notified;
    private long lastCheckpoint = -1;
    private Duration delay;
    private boolean stepScheduled;
    private boolean failing;
    private Set<String> types = Set.of();
    private @Nullable Subscription subscription;
    private TaskScheduler.@Nullable Cancellable stepTask;
    private TaskScheduler.@Nullable Cancellable pollTask;
    private volatile long seenHead;

    ListenerRelay(ProcessorSettings settings, Duration interval) {
        this.settings = settings;
        this.interval = interval;
        this.delay = interval;
    }

    /** Whether it follows the log now. */
    boolean isActive() {
        lock.lock();
        try {
            return active;
        } finally {
            lock.unlock();
        }
    }

    /** The last global position whose event the listeners were told of, or passed. */
    long notifiedPosition() {
        lock.lock();
        try {
            return notified;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts following the log after {@code from} (the listeners already heard of everything up to it), telling them
     * of the events of {@code eventTypes}. Harmless when already active; never throws: a failure is logged and the
     * next poll tries again.
     */
    void start(long from, Set<String> eventTypes) {
        lock.lock();
        try {
            if (active) {
                return;
            }
            active = true;
            int current = ++generation;
            notified = from;
            seenHead = from;
            lastCheckpoint = -1;
            delay = interval;
            failing = false;
            types = Set.copyOf(eventTypes);
            try {
                subscription = settings.store().subscribe(this::onAppend);
            } catch (RuntimeException e) {
                subscription = null;
                log.debug("Projection '{}' standing by follows the log for its listeners by polling: {}", settings.name(), e.getMessage());
            }
            pollTask = settings.scheduler().schedule(() -> poll(current), Duration.ZERO);
        } catch (RuntimeException e) {
            log.error("Projection '{}' standing by could not start telling its listeners of the events applied elsewhere",
                    settings.name(), e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops following the log; first, when {@code flushThrough} is not negative, tells the listeners of the events up
     * to that position (the checkpoint a new term starts from: the previous holder applied them, and this processor
     * goes on after it). Once it returns, no listener is told anything by the relay. Harmless when not active.
     */
    void stop(long flushThrough) {
        lock.lock();
        try {
            if (!active) {
                return;
            }
            if (flushThrough > notified) {
                try {
                    relayThrough(flushThrough);
                } catch (RuntimeException e) {
                    log.warn("Projection '{}' could not tell its listeners of the events through position {} applied by the "
                            + "previous holder", settings.name(), flushThrough, e);
                }
            }
            active = false;
            generation++;
            if (subscription != null) {
                subscription.close();
                subscription = null;
            }
            if (stepTask != null) {
                stepTask.cancel();
                stepTask = null;
            }
            if (pollTask != null) {
                pollTask.cancel();
                pollTask = null;
            }
            stepScheduled = false;
        } finally {
            lock.unlock();
        }
    }

    private void onAppend(List<EventEnvelope> events) {
        if (events.isEmpty()) {
            return;
        }
        long last = events.get(events.size() - 1).globalPosition();
        if (last <= seenHead) {
            return;
        }
        seenHead = last;
        // the holder cannot have applied it yet: look after the interval, not at once
        if (lock.tryLock()) {
            try {
                scheduleStep(generation, interval);
            } finally {
                lock.unlock();
            }
        } else {
            // a step is running: it sees the new head when it decides whether to look again
            settings.scheduler().schedule(this::afterAppend, Duration.ZERO);
        }
    }

    private void afterAppend() {
        lock.lock();
        try {
            scheduleStep(generation, interval);
        } finally {
            lock.unlock();
        }
    }

    /** Lock held. */
    private void scheduleStep(int stepGeneration, Duration after) {
        if (!active || stepGeneration != generation || stepScheduled || seenHead <= notified) {
            return;
        }
        stepScheduled = true;
        try {
            stepTask = settings.scheduler().schedule(() -> step(stepGeneration), after);
        } catch (RuntimeException e) {
            stepScheduled = false;
            log.debug("Projection '{}' could not schedule a look at its checkpoint; the next poll looks", settings.name(), e);
        }
    }

    private void poll(int pollGeneration) {
        lock.lock();
        try {
            if (!active || pollGeneration != generation) {
                return;
            }
            try {
                seenHead = Math.max(seenHead, settings.store().headPosition());
                if (!stepScheduled) {
                    look();
                    scheduleStep(pollGeneration, delay);
                }
            } catch (RuntimeException e) {
                failed(e);
            }
            pollTask = settings.scheduler().schedule(() -> poll(pollGeneration), settings.pollInterval());
        } catch (RuntimeException e) {
            log.error("Projection '{}' could not schedule its next look at the log for its listeners", settings.name(), e);
        } finally {
            lock.unlock();
        }
    }

    private void step(int stepGeneration) {
        lock.lock();
        try {
            if (!active || stepGeneration != generation) {
                return;
            }
            stepScheduled = false;
            stepTask = null;
            try {
                look();
            } catch (RuntimeException e) {
                failed(e);
                delay = settings.pollInterval();
            }
            scheduleStep(stepGeneration, delay);
        } finally {
            lock.unlock();
        }
    }

    /** Lock held. Reads the checkpoint when events are pending, and tells the listeners of those it has reached. */
    private void look() {
        if (seenHead <= notified) {
            return;
        }
        long checkpoint = settings.checkpoints().load(settings.name(), Checkpoint.GLOBAL).map(Checkpoint::positionAsLong).orElse(0L);
        if (checkpoint > notified) {
            relayThrough(checkpoint);
        }
        delay = checkpoint != lastCheckpoint ? interval : min(delay.multipliedBy(2), settings.pollInterval());
        lastCheckpoint = checkpoint;
        if (failing) {
            failing = false;
            log.info("Projection '{}' standing by tells its listeners again (through position {})", settings.name(), notified);
        }
    }

    /**
     * Lock held. Tells the listeners of the events of the log after {@code notified} up to {@code through}, except those
     * the holder did not apply: the checkpoint passes a dead letter (in a queue that outlives the process) and the
     * aggregate's later events parked behind it. Those are never told of here, even once the dead letter is retried.
     */
    private void relayThrough(long through) {
        Map<String, Long> parkedFrom = null;
        while (notified < through) {
            List<EventEnvelope> batch = settings.store().readAll(notified + 1, (int) Math.min(settings.batchSize(), through - notified));
            if (batch.isEmpty()) {
                return;
            }
            for (EventEnvelope event : batch) {
                if (event.globalPosition() > through) {
                    return;
                }
                if (types.contains(event.eventType())) {
                    if (parkedFrom == null) {
                        parkedFrom = parkedStreams();
                    }
                    Long parked = parkedFrom.get(event.streamId());
                    if (parked == null || event.version() < parked) {
                        ProjectionInstance.notifyApplied(settings, event);
                    }
                }
                notified = event.globalPosition();
            }
        }
    }

    /** Each aggregate with a dead letter of the projection, with the lowest version held back. */
    private Map<String, Long> parkedStreams() {
        Map<String, Long> parked = new HashMap<>();
        for (DeadLetter letter : settings.deadLetters().list(settings.name())) {
            parked.merge(letter.event().streamId(), letter.event().version(), Math::min);
        }
        return parked;
    }

    /** Lock held. */
    private void failed(RuntimeException e) {
        if (!failing) {
            failing = true;
            log.warn("Projection '{}' standing by could not follow the log or its checkpoint for its listeners; trying again "
                    + "every {} ms", settings.name(), settings.pollInterval().toMillis(), e);
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
