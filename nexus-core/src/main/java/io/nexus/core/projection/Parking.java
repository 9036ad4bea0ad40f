package io.nexus.core.projection;

import org.jspecify.annotations.Nullable;
import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.store.StreamQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The failing streams of one {@link ProjectionInstance}: an event that fails is retried on the
 * processor's scheduler with the {@link RetryPolicy}'s backoff while the stream's later events are parked
 * behind it; past the last attempt it becomes a {@link DeadLetter} and the stream stays parked until the
 * dead letter is retried successfully or discarded.
 *
 * <p>Implementation notes. Parked events are not held in memory: they are read back from the stream when
 * it is released (versions after the blocked one up to the position the tracker has passed), so parking
 * costs one entry per failing stream. The safe checkpoint stays below every event still being retried,
 * and below every dead letter unless the queue outlives the process (or the user accepted that it does
 * not): a restart then meets the event again instead of skipping it. Every method runs with the
 * processor's lock held.
 */
final class Parking {

    private static final Logger log = LoggerFactory.getLogger(ProjectionProcessor.class);

    private final ProcessorSettings settings;
    private final ProjectionInstance owner;
    private final Map<String, Block> blocked = new HashMap<>();
    private volatile int retrying;

    Parking(ProcessorSettings settings, ProjectionInstance owner) {
        this.settings = settings;
        this.owner = owner;
    }

    /** The failing event of one stream and its retry state. */
    private static final class Block {
        final EventEnvelope event;
        final Instant firstFailedAt;
        final RetryPolicy.Backoff backoff;
        TaskScheduler.@Nullable Cancellable retryTask;
        @Nullable UUID deadLetterId;

        Block(EventEnvelope event, Instant firstFailedAt, RetryPolicy.Backoff backoff) {
            this.event = event;
            this.firstFailedAt = firstFailedAt;
            this.backoff = backoff;
        }

        boolean dead() {
            return deadLetterId != null;
        }
    }

    /** Streams whose current event is being retried (not yet dead-lettered); read without the lock. */
    int retrying() {
        return retrying;
    }

    boolean isBlocked(String streamId) {
        return blocked.containsKey(streamId);
    }

    /** Forgets every block (cancelling retries) and parks the streams of {@code letters}. */
    void restore(List<DeadLetter> letters) {
        cancelRetries();
        blocked.clear();
        for (DeadLetter letter : letters) {
            Block block = new Block(letter.event(), letter.firstFailedAt(), settings.retry().backoff(settings.random()));
            block.deadLetterId = letter.id();
            blocked.put(letter.event().streamId(), block);
        }
        refreshCounts();
    }

    void cancelRetries() {
        for (Block block : blocked.values()) {
            if (block.retryTask != null) {
                block.retryTask.cancel();
            }
        }
    }

    /** {@code event} failed for the first time: its stream is parked and the event retried or dead-lettered. */
    void failed(EventEnvelope event, Throwable cause) {
        failed(new Block(event, settings.clock().instant(), settings.retry().backoff(settings.random())), cause);
    }

    private void failed(Block block, Throwable cause) {
        blocked.put(block.event.streamId(), block);
        Duration delay = block.backoff.failed();
        String consumer = owner.consumer();
        if (block.backoff.canRetry()) {
            log.warn("Projection '{}' failed on '{}' of stream '{}' version {} (attempt {} of {}); retrying in {} ms",
                    consumer, block.event.eventType(), block.event.streamId(), block.event.version(), block.backoff.failures(),
                    settings.retry().maxAttempts(), delay.toMillis(), cause);
            block.retryTask = settings.scheduler().schedule(() -> retry(block), delay);
        } else {
            DeadLetter letter = DeadLetter.of(consumer, block.event, cause, block.backoff.failures(), block.firstFailedAt,
                    settings.clock().instant());
            settings.deadLetters().put(letter);
            block.deadLetterId = letter.id();
            settings.metrics().count("nexus.projection.deadletters", "projection", settings.name());
            log.error("Projection '{}' dead-lettered '{}' of stream '{}' version {} after {} attempts (dead letter {}): {}; "
                            + "later events of the stream are parked until it is retried or discarded",
                    consumer, block.event.eventType(), block.event.streamId(), block.event.version(), block.backoff.failures(),
                    letter.id(), cause.toString());
        }
        refreshCounts();
    }

    private void retry(Block block) {
        settings.lock().lock();
        try {
            if (blocked.get(block.event.streamId()) != block || block.dead() || !owner.tracker().isRunning()
                    || owner.tracker().isStandingBy()) {
                return;
            }
            Throwable failure = owner.attempt(block.event);
            if (failure == null) {
                blocked.remove(block.event.streamId());
                owner.passedEvent(block.event);
                release(block.event.streamId(), block.event.version());
            } else {
                failed(block, failure);
            }
            refreshCounts();
            owner.tracker().checkpoint(safePosition(owner.passed()));
        } catch (RuntimeException e) {
            log.error("Projection '{}' could not finish a retry of stream '{}': {}", owner.consumer(), block.event.streamId(), e.toString());
        } finally {
            settings.lock().unlock();
        }
    }

    /** Handles, in order, the parked events of {@code streamId} after {@code afterVersion} that the tracker has passed. */
    private void release(String streamId, long afterVersion) {
        long version = afterVersion;
        long passed = owner.passed();
        int batchSize = settings.batchSize();
        while (true) {
            List<EventEnvelope> events = settings.store().read(StreamQuery.stream(streamId).fromVersion(version + 1).limit(batchSize));
            for (EventEnvelope event : events) {
                if (event.globalPosition() > passed) {
                    return;
                }
                version = event.version();
                owner.passedEvent(event);
                if (owner.declares(event)) {
                    Throwable failure = owner.attempt(event);
                    if (failure != null) {
                        failed(event, failure);
                        return;
                    }
                }
            }
            if (events.size() < batchSize) {
                return;
            }
        }
    }

    /**
     * The events of {@code streamId} held back behind its failing event: read back from the stream (versions after
     * it, up to the position the tracker has passed, of the types the projection handles), as releasing would.
     */
    List<EventEnvelope> parked(String streamId) {
        Block block = blocked.get(streamId);
        if (block == null) {
            return List.of();
        }
        List<EventEnvelope> parked = new java.util.ArrayList<>();
        long version = block.event.version();
        long passed = owner.passed();
        int batchSize = settings.batchSize();
        while (true) {
            List<EventEnvelope> events = settings.store().read(StreamQuery.stream(streamId).fromVersion(version + 1).limit(batchSize));
            for (EventEnvelope event : events) {
                if (event.globalPosition() > passed) {
                    return List.copyOf(parked);
                }
                version = event.version();
                if (owner.declares(event)) {
                    parked.add(event);
                }
            }
            if (events.size() < batchSize) {
                return List.copyOf(parked);
            }
        }
    }

    boolean retryDeadLetter(UUID id) {
        DeadLetter letter = owner.ownLetter(id);
        Throwable failure = owner.attempt(letter.event());
        if (failure != null) {
            settings.deadLetters().put(letter.failedAgain(failure, settings.clock().instant()));
            return false;
        }
        settings.deadLetters().remove(id);
        unblock(letter);
        return true;
    }

    void discardDeadLetter(UUID id) {
        DeadLetter letter = owner.ownLetter(id);
        settings.deadLetters().remove(id);
        log.warn("Projection '{}' discarded dead letter {} ('{}' of stream '{}' version {})", owner.consumer(), id,
                letter.event().eventType(), letter.event().streamId(), letter.event().version());
        unblock(letter);
    }

    private void unblock(DeadLetter letter) {
        String streamId = letter.event().streamId();
        Block block = blocked.get(streamId);
        if (block != null && letter.id().equals(block.deadLetterId)) {
            blocked.remove(streamId);
            owner.passedEvent(letter.event());
            release(streamId, letter.event().version());
        }
        refreshCounts();
        owner.tracker().checkpoint(safePosition(owner.passed()));
    }

    /**
     * The highest position the checkpoint may take with {@code passed} handed over: below every event
     * still being retried, and below every dead letter whose queue does not outlive the process.
     */
    long safePosition(long passed) {
        long safe = passed;
        boolean deadLettersKept = settings.deadLettersOutliveTheProcess();
        for (Block block : blocked.values()) {
            if (!block.dead() || !deadLettersKept) {
                safe = Math.min(safe, block.event.globalPosition() - 1);
            }
        }
        return safe;
    }

    /** Moves this instance's dead letters to {@code newConsumer} (a rebuild taking over the projection's name). */
    void moveDeadLetters(String fromConsumer, String newConsumer) {
        for (DeadLetter letter : settings.deadLetters().list(fromConsumer)) {
            settings.deadLetters().put(letter.withConsumer(newConsumer));
        }
    }

    private void refreshCounts() {
        int count = 0;
        for (Block block : blocked.values()) {
            if (!block.dead()) {
                count++;
            }
        }
        retrying = count;
    }
}
