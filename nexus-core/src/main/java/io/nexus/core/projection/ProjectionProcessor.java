package io.nexus.core.projection;

import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.deadletter.DeadLetterNotFoundException;
import io.nexus.core.deadletter.DeadLetterQueue;
import io.nexus.core.deadletter.InMemoryDeadLetterQueue;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.internal.NexusMetrics;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.store.EventStore;
import io.nexus.core.store.StreamQuery;
import io.nexus.core.store.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;

/**
 * Runs one {@link Projection} as a tracking processor over an event store's global log.
 *
 * <p>What it guarantees:
 * <ul>
 *   <li>every event of a declared type is handled at least once, in version order per aggregate; the
 *       checkpoint (consumer = projection name, partition {@link Checkpoint#GLOBAL}) is stored after
 *       handling, so a crash in between redelivers and a restart never skips an event;</li>
 *   <li>an event whose handling fails (the handler throws, the payload cannot be decoded, the type is
 *       unknown) is retried with the {@link RetryPolicy}'s exponential backoff and jitter, 5 attempts by
 *       default; meanwhile and afterwards other aggregates go on, while later events of the failing
 *       aggregate are parked behind it; after the last attempt the event becomes a {@link DeadLetter}
 *       with its cause, and the aggregate stays parked until the dead letter is retried successfully
 *       ({@link #retryDeadLetter}) or discarded ({@link #discardDeadLetter});</li>
 *   <li>a shadow rebuild ({@link #rebuild}) builds a replacement projection from any position while this
 *       one keeps serving, and switches when it has caught up.</li>
 * </ul>
 *
 * <p>Implementation notes. All processing state is guarded by one lock and mutated by tasks on the
 * {@link TaskScheduler} (or, in {@link ProcessingMode#INLINE}, by the appending thread). Parked events
 * are not held in memory: they are read back from the stream when their aggregate is released (versions
 * after the blocked one whose global position the tracker has passed), which also makes parking survive
 * a restart, because dead letters are durable and identify the parked aggregates. The stored checkpoint
 * never passes an event that is still being retried (only dead letters may be passed, since the queue
 * holds them), so a restart during retries handles that event again from the start.
 *
 * <p>Thread-safe. A handler must not append to the same store in inline mode while other threads
 * append (the processor then falls back to the asynchronous path after a short wait).
 */
public final class ProjectionProcessor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProjectionProcessor.class);
    private static final int MAX_BATCHES_PER_DRAIN = 8;

    private final EventStore store;
    private final EventCodec codec;
    private final CheckpointStore checkpoints;
    private final DeadLetterQueue deadLetterQueue;
    private final RetryPolicy retry;
    private final ProcessingMode mode;
    private final TaskScheduler scheduler;
    private final boolean ownsScheduler;
    private final Clock clock;
    private final RandomGenerator random;
    private final int batchSize;
    private final Duration stallThreshold;
    private final Duration pollInterval;
    private final NexusMetrics metrics;
    private final List<ProjectionListener> listeners;
    private final String name;

    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicBoolean drainPending = new AtomicBoolean();
    private volatile Tracker serving;
    private volatile Tracker shadow;
    private volatile boolean switchWhenCaughtUp;
    private volatile boolean running;
    private Subscription subscription;
    private TaskScheduler.Cancellable pollTask;

    private ProjectionProcessor(Builder b) {
        this.store = b.store;
        this.codec = b.codec;
        this.checkpoints = b.checkpoints;
        this.deadLetterQueue = b.deadLetters;
        this.retry = b.retry;
        this.mode = b.mode;
        this.ownsScheduler = b.scheduler == null;
        this.scheduler = ownsScheduler ? TaskScheduler.singleThread("nexus-projection-" + b.projection.name()) : b.scheduler;
        this.clock = b.clock;
        this.random = b.random;
        this.batchSize = b.batchSize;
        this.stallThreshold = b.stallThreshold;
        this.pollInterval = b.pollInterval;
        this.metrics = b.metrics;
        this.listeners = List.copyOf(b.listeners);
        this.name = b.projection.name();
        this.serving = new Tracker(b.projection, name);
    }

    /**
     * A builder for a processor of {@code projection} over {@code store}, decoding with {@code codec}.
     *
     * @throws IllegalArgumentException if the projection's name is blank or it declares no event types
     */
    public static Builder builder(Projection projection, EventStore store, EventCodec codec) {
        return new Builder(projection, store, codec);
    }

    /** The projection's name, under which checkpoints and dead letters are stored. */
    public String name() {
        return name;
    }

    /** The projection instance currently serving (the replacement, once a rebuild has switched). */
    public Projection active() {
        return serving.projection;
    }

    /** The last global position processed by the serving projection (0 before the first). */
    public long position() {
        return serving.next - 1;
    }

    /**
     * Loads the checkpoint and the dead letters, subscribes to appends and starts catching up.
     *
     * @throws IllegalStateException if already started
     */
    public void start() {
        lock.lock();
        try {
            if (running) {
                throw new IllegalStateException("Projection '" + name + "' is already running");
            }
            serving.restore(1);
            running = true;
            subscription = store.subscribe(this::onAppend);
            pollTask = scheduler.schedule(this::poll, pollInterval);
        } finally {
            lock.unlock();
        }
        wake();
    }

    /**
     * Stops processing; the checkpoint stands, and {@link #start()} resumes from it. A rebuild in progress
     * is abandoned (start it again after restarting). Stopping twice is harmless.
     */
    public void stop() {
        lock.lock();
        try {
            if (!running) {
                return;
            }
            running = false;
            subscription.close();
            pollTask.cancel();
            serving.cancelRetries();
        } finally {
            lock.unlock();
        }
        cancelRebuild(null);
    }

    /** Stops, and stops the scheduler if the processor created it. */
    @Override
    public void close() {
        stop();
        if (ownsScheduler) {
            scheduler.close();
        }
    }

    /** The serving projection's health; answers without waiting for processing. */
    public ProjectionHealth health() {
        Tracker t = serving;
        long head = store.headPosition();
        long processed = t.next - 1;
        long lag = Math.max(0, head - processed);
        Instant now = clock.instant();
        Duration lagTime = Duration.ZERO;
        if (lag > 0) {
            List<EventEnvelope> oldest = store.readAll(processed + 1, 1);
            if (!oldest.isEmpty() && oldest.get(0).timestamp().isBefore(now)) {
                lagTime = Duration.between(oldest.get(0).timestamp(), now);
            }
        }
        int dead = deadLetterQueue.count(t.consumer);
        int failing = t.retryingCount;
        ProjectionHealth.Status status;
        if (!running) {
            status = ProjectionHealth.Status.STOPPED;
        } else if (lag > 0 && Duration.between(t.lastProgressAt, now).compareTo(stallThreshold) > 0) {
            status = ProjectionHealth.Status.STALLED;
        } else if (failing > 0) {
            status = ProjectionHealth.Status.FAILING;
        } else if (dead > 0) {
            status = ProjectionHealth.Status.DEAD_LETTERS;
        } else {
            status = ProjectionHealth.Status.RUNNING;
        }
        return new ProjectionHealth(name, status, processed, head, lag, lagTime, failing, dead, t.lastProgressAt, t.lastError);
    }

    /** The serving projection's dead letters, oldest first. */
    public List<DeadLetter> deadLetters() {
        return deadLetterQueue.list(serving.consumer);
    }

    /**
     * Handles a dead letter again, on the calling thread, after the cause was fixed (new code, a new
     * upcaster: the stored event is decoded and upcast afresh). On success the dead letter is removed and
     * the aggregate's parked events are handled in order; on failure it stays, with the new cause and one
     * more attempt counted.
     *
     * @return whether the event was handled
     * @throws DeadLetterNotFoundException if the serving projection has no dead letter {@code id}
     */
    public boolean retryDeadLetter(UUID id) {
        Objects.requireNonNull(id, "id");
        lock.lock();
        try {
            return serving.retryDeadLetter(id);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes a dead letter without handling it, and handles the aggregate's parked events in order.
     *
     * @throws DeadLetterNotFoundException if the serving projection has no dead letter {@code id}
     */
    public void discardDeadLetter(UUID id) {
        Objects.requireNonNull(id, "id");
        lock.lock();
        try {
            serving.discardDeadLetter(id);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts building {@code replacement} from global position {@code fromPosition} (0 or 1: from the
     * beginning) while the current projection keeps serving. The shadow's checkpoints and dead letters are
     * kept under {@code "<name>#rebuild"} until it is switched in; then they move to the projection's name
     * and the old instance's dead letters are dropped.
     *
     * @throws IllegalStateException    if the processor is not running or a rebuild is already in progress
     * @throws IllegalArgumentException if {@code fromPosition} is negative, or the replacement has another name
     */
    public ShadowRebuild rebuild(Projection replacement, long fromPosition) {
        Objects.requireNonNull(replacement, "replacement");
        if (fromPosition < 0) {
            throw new IllegalArgumentException("fromPosition must be >= 0, but was " + fromPosition);
        }
        if (!name.equals(replacement.name())) {
            throw new IllegalArgumentException("the replacement of projection '" + name + "' must have the same name, but was '"
                    + replacement.name() + "'");
        }
        lock.lock();
        try {
            if (!running) {
                throw new IllegalStateException("Projection '" + name + "' is not running; start it before rebuilding");
            }
            if (shadow != null) {
                throw new IllegalStateException("A rebuild of projection '" + name + "' is already in progress; switch it in or cancel it first");
            }
            String consumer = name + "#rebuild";
            checkpoints.reset(consumer);
            deadLetterQueue.list(consumer).forEach(letter -> deadLetterQueue.remove(letter.id()));
            Tracker t = new Tracker(replacement, consumer);
            t.next = Math.max(1, fromPosition);
            t.startPosition = t.next;
            t.startedAt = clock.instant();
            switchWhenCaughtUp = false;
            shadow = t;
        } finally {
            lock.unlock();
        }
        wake();
        return new ShadowRebuild(this, shadow);
    }

    // ------------------------------------------------------------ rebuild internals used by ShadowRebuild

    RebuildProgress rebuildProgress(Object rebuild) {
        Tracker t = shadow;
        requireCurrent(t, rebuild);
        long head = store.headPosition();
        long done = t.next - t.startPosition;
        long total = Math.max(done, head - t.startPosition + 1);
        Duration elapsed = Duration.between(t.startedAt, clock.instant());
        double seconds = elapsed.toNanos() / 1e9;
        return new RebuildProgress(done, total, seconds > 0 ? done / seconds : 0, elapsed, t.next > head);
    }

    boolean rebuildInProgress(Object rebuild) {
        return shadow != null && shadow == rebuild;
    }

    private void requireCurrent(Tracker current, Object rebuild) {
        if (current == null || current != rebuild) {
            throw new IllegalStateException("This rebuild of projection '" + name + "' is over (switched in, cancelled, "
                    + "or stopped with the processor); start a new one with rebuild()");
        }
    }

    void switchOver(Object rebuild) {
        lock.lock();
        try {
            Tracker t = shadow;
            requireCurrent(t, rebuild);
            long head = store.headPosition();
            if (t.next <= head) {
                throw new IllegalStateException("The rebuild of projection '" + name + "' is at position " + (t.next - 1)
                        + " of head " + head + "; wait until it has caught up (ShadowRebuild.progress().caughtUp())");
            }
            promote(t);
        } finally {
            lock.unlock();
        }
    }

    void switchWhenCaughtUp(Object rebuild) {
        lock.lock();
        try {
            requireCurrent(shadow, rebuild);
            switchWhenCaughtUp = true;
        } finally {
            lock.unlock();
        }
        wake();
    }

    void cancelRebuild(Object rebuild) {
        lock.lock();
        try {
            Tracker t = shadow;
            if (t != null && (rebuild == null || t == rebuild)) {
                t.cancelRetries();
                shadow = null;
                checkpoints.reset(t.consumer);
                deadLetterQueue.list(t.consumer).forEach(letter -> deadLetterQueue.remove(letter.id()));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Lock held. The shadow takes over the projection's name, checkpoint and dead letters. */
    private void promote(Tracker t) {
        Tracker old = serving;
        old.cancelRetries();
        deadLetterQueue.list(old.consumer).forEach(letter -> deadLetterQueue.remove(letter.id()));
        String shadowConsumer = t.consumer;
        for (DeadLetter letter : deadLetterQueue.list(shadowConsumer)) {
            deadLetterQueue.put(letter.withConsumer(name));
        }
        t.consumer = name;
        t.lastSaved = -1;
        t.saveCheckpoint();
        checkpoints.reset(shadowConsumer);
        serving = t;
        shadow = null;
        switchWhenCaughtUp = false;
        log.info("Projection '{}' switched to its rebuilt instance at position {}", name, t.next - 1);
    }

    // ------------------------------------------------------------ driving

    private void onAppend(List<EventEnvelope> events) {
        if (mode == ProcessingMode.INLINE && running && !events.isEmpty()) {
            boolean locked = false;
            try {
                locked = lock.tryLock(50, TimeUnit.MILLISECONDS);
                if (locked && running && serving.next == events.get(0).globalPosition()) {
                    Tracker t = serving;
                    for (EventEnvelope event : events) {
                        t.process(event);
                        t.next = event.globalPosition() + 1;
                    }
                    t.progressed();
                    t.saveCheckpoint();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.warn("Projection '{}' could not apply an append inline; the asynchronous path takes over", name, e);
            } finally {
                if (locked) {
                    lock.unlock();
                }
            }
        }
        wake();
    }

    private void wake() {
        if (running && drainPending.compareAndSet(false, true)) {
            try {
                scheduler.schedule(this::drain, Duration.ZERO);
            } catch (RuntimeException e) {
                drainPending.set(false);
                log.warn("Projection '{}' could not schedule processing", name, e);
            }
        }
    }

    private void poll() {
        if (!running) {
            return;
        }
        wake();
        lock.lock();
        try {
            if (running) {
                pollTask = scheduler.schedule(this::poll, pollInterval);
            }
        } finally {
            lock.unlock();
        }
    }

    private void drain() {
        drainPending.set(false);
        boolean more = false;
        lock.lock();
        try {
            if (!running) {
                return;
            }
            more = serving.drain();
            Tracker t = shadow;
            if (t != null) {
                more |= t.drain();
                if (switchWhenCaughtUp && t.next > store.headPosition()) {
                    promote(t);
                }
            }
        } catch (RuntimeException e) {
            log.error("Projection '{}' could not read the log or store its checkpoint; retrying on the next poll", name, e);
            serving.lastError = e.getClass().getName() + ": " + e.getMessage();
        } finally {
            lock.unlock();
        }
        if (more) {
            wake();
        }
    }

    private void notifyApplied(EventEnvelope event) {
        for (ProjectionListener listener : listeners) {
            try {
                listener.applied(name, event);
            } catch (RuntimeException e) {
                log.warn("Listener {} of projection '{}' failed on stream '{}' version {}", listener, name,
                        event.streamId(), event.version(), e);
            }
        }
    }

    // ------------------------------------------------------------ one tracking position over the log

    /** The failing event of one aggregate and its retry state. */
    private static final class Block {
        final EventEnvelope event;
        final Instant firstFailedAt;
        int attempts;
        Throwable lastCause;
        TaskScheduler.Cancellable retryTask;
        UUID deadLetterId;

        Block(EventEnvelope event, Instant firstFailedAt) {
            this.event = event;
            this.firstFailedAt = firstFailedAt;
        }

        boolean dead() {
            return deadLetterId != null;
        }
    }

    /** A projection instance and its position; every method but the volatile reads runs with the lock held. */
    private final class Tracker {
        final Projection projection;
        String consumer;
        volatile long next = 1;
        final Map<String, Block> blocked = new HashMap<>();
        volatile int retryingCount;
        volatile Instant lastProgressAt = clock.instant();
        volatile String lastError;
        long lastSaved = -1;
        long startPosition = 1;
        Instant startedAt = clock.instant();

        Tracker(Projection projection, String consumer) {
            this.projection = projection;
            this.consumer = consumer;
        }

        void restore(long defaultStart) {
            next = checkpoints.load(consumer, Checkpoint.GLOBAL).map(c -> c.positionAsLong() + 1).orElse(defaultStart);
            lastSaved = next - 1;
            blocked.clear();
            for (DeadLetter letter : deadLetterQueue.list(consumer)) {
                Block block = new Block(letter.event(), letter.firstFailedAt());
                block.attempts = letter.attempts();
                block.deadLetterId = letter.id();
                blocked.put(letter.event().streamId(), block);
            }
            lastProgressAt = clock.instant();
            refreshCounts();
        }

        /** Processes up to a few batches; true if more may be waiting. */
        boolean drain() {
            for (int i = 0; i < MAX_BATCHES_PER_DRAIN; i++) {
                List<EventEnvelope> batch = store.readAll(next, batchSize);
                if (batch.isEmpty()) {
                    return false;
                }
                for (EventEnvelope event : batch) {
                    process(event);
                    next = event.globalPosition() + 1;
                }
                progressed();
                saveCheckpoint();
                if (batch.size() < batchSize) {
                    return false;
                }
            }
            return true;
        }

        void process(EventEnvelope event) {
            if (!projection.eventTypes().contains(event.eventType()) || blocked.containsKey(event.streamId())) {
                return;
            }
            Throwable failure = attempt(event);
            if (failure != null) {
                failed(new Block(event, clock.instant()), failure);
            }
        }

        /** Handles one event; the failure, or null. */
        Throwable attempt(EventEnvelope event) {
            try {
                Object decoded = codec.decode(event);
                projection.handle(decoded, event);
                metrics.count("nexus.projection.events", "projection", name, "outcome", "handled");
                if (this == serving) {
                    notifyApplied(event);
                }
                return null;
            } catch (Throwable e) {
                if (e instanceof VirtualMachineError fatal) {
                    throw fatal;
                }
                lastError = e.getClass().getName() + ": " + e.getMessage();
                metrics.count("nexus.projection.events", "projection", name, "outcome", "failed");
                return e;
            }
        }

        void failed(Block block, Throwable cause) {
            block.attempts++;
            block.lastCause = cause;
            blocked.put(block.event.streamId(), block);
            if (retry.canRetryAfter(block.attempts)) {
                Duration delay = retry.delayAfter(block.attempts, random);
                log.warn("Projection '{}' failed on '{}' of stream '{}' version {} (attempt {} of {}); retrying in {} ms",
                        consumer, block.event.eventType(), block.event.streamId(), block.event.version(), block.attempts,
                        retry.maxAttempts(), delay.toMillis(), cause);
                block.retryTask = scheduler.schedule(() -> retryBlocked(block), delay);
            } else {
                DeadLetter letter = DeadLetter.of(consumer, block.event, cause, block.attempts, block.firstFailedAt,
                        clock.instant());
                deadLetterQueue.put(letter);
                block.deadLetterId = letter.id();
                metrics.count("nexus.projection.deadletters", "projection", name);
                log.error("Projection '{}' dead-lettered '{}' of stream '{}' version {} after {} attempts (dead letter {}); "
                                + "later events of the stream are parked until it is retried or discarded",
                        consumer, block.event.eventType(), block.event.streamId(), block.event.version(), block.attempts,
                        letter.id(), cause);
            }
            refreshCounts();
        }

        void retryBlocked(Block block) {
            lock.lock();
            try {
                if (!running || blocked.get(block.event.streamId()) != block || block.dead()
                        || (this != serving && this != shadow)) {
                    return;
                }
                Throwable failure = attempt(block.event);
                if (failure == null) {
                    blocked.remove(block.event.streamId());
                    release(block.event.streamId(), block.event.version());
                    progressed();
                } else {
                    failed(block, failure);
                }
                refreshCounts();
                saveCheckpoint();
            } catch (RuntimeException e) {
                log.error("Projection '{}' could not finish a retry of stream '{}'", consumer, block.event.streamId(), e);
            } finally {
                lock.unlock();
            }
        }

        /** Handles, in order, the parked events of {@code streamId} after {@code afterVersion} that the tracker has passed. */
        void release(String streamId, long afterVersion) {
            long version = afterVersion;
            while (true) {
                List<EventEnvelope> events = store.read(StreamQuery.stream(streamId).fromVersion(version + 1).limit(batchSize));
                for (EventEnvelope event : events) {
                    if (event.globalPosition() >= next) {
                        return;
                    }
                    version = event.version();
                    if (projection.eventTypes().contains(event.eventType())) {
                        Throwable failure = attempt(event);
                        if (failure != null) {
                            failed(new Block(event, clock.instant()), failure);
                            return;
                        }
                    }
                }
                if (events.size() < batchSize) {
                    return;
                }
            }
        }

        boolean retryDeadLetter(UUID id) {
            DeadLetter letter = ownLetter(id);
            Throwable failure = attempt(letter.event());
            if (failure != null) {
                deadLetterQueue.put(letter.failedAgain(failure, clock.instant()));
                return false;
            }
            deadLetterQueue.remove(id);
            unblock(letter);
            return true;
        }

        void discardDeadLetter(UUID id) {
            DeadLetter letter = ownLetter(id);
            deadLetterQueue.remove(id);
            log.warn("Projection '{}' discarded dead letter {} ('{}' of stream '{}' version {})", consumer, id,
                    letter.event().eventType(), letter.event().streamId(), letter.event().version());
            unblock(letter);
        }

        private DeadLetter ownLetter(UUID id) {
            return deadLetterQueue.find(id).filter(l -> l.consumer().equals(consumer))
                    .orElseThrow(() -> new DeadLetterNotFoundException(id, consumer));
        }

        private void unblock(DeadLetter letter) {
            String streamId = letter.event().streamId();
            Block block = blocked.get(streamId);
            if (block != null && letter.id().equals(block.deadLetterId)) {
                blocked.remove(streamId);
                release(streamId, letter.event().version());
            }
            progressed();
            refreshCounts();
            saveCheckpoint();
        }

        void cancelRetries() {
            for (Block block : blocked.values()) {
                if (block.retryTask != null) {
                    block.retryTask.cancel();
                }
            }
        }

        void progressed() {
            lastProgressAt = clock.instant();
        }

        /** Stores the highest position below every event still being retried (dead letters are durable). */
        void saveCheckpoint() {
            long safe = next - 1;
            for (Block block : blocked.values()) {
                if (!block.dead()) {
                    safe = Math.min(safe, block.event.globalPosition() - 1);
                }
            }
            if (safe != lastSaved && safe > 0) {
                checkpoints.save(consumer, Checkpoint.GLOBAL, Long.toString(safe));
                lastSaved = safe;
            }
        }

        void refreshCounts() {
            int retrying = 0;
            for (Block block : blocked.values()) {
                if (!block.dead()) {
                    retrying++;
                }
            }
            retryingCount = retrying;
        }
    }

    /** Options for a {@link ProjectionProcessor}. */
    public static final class Builder {
        private final Projection projection;
        private final EventStore store;
        private final EventCodec codec;
        private CheckpointStore checkpoints;
        private DeadLetterQueue deadLetters;
        private RetryPolicy retry = RetryPolicy.custom().maxAttempts(5).initialDelay(Duration.ofMillis(100))
                .maxDelay(Duration.ofSeconds(30)).multiplier(2.0).jitter(1.0).build();
        private ProcessingMode mode = ProcessingMode.ASYNC;
        private TaskScheduler scheduler;
        private Clock clock = Clock.systemUTC();
        private RandomGenerator random = new Random();
        private int batchSize = 512;
        private Duration stallThreshold = Duration.ofSeconds(30);
        private Duration pollInterval = Duration.ofSeconds(1);
        private NexusMetrics metrics = NexusMetrics.of(null);
        private final List<ProjectionListener> listeners = new ArrayList<>();

        private Builder(Projection projection, EventStore store, EventCodec codec) {
            this.projection = Objects.requireNonNull(projection, "projection");
            this.store = Objects.requireNonNull(store, "store");
            this.codec = Objects.requireNonNull(codec, "codec");
            if (projection.name() == null || projection.name().isBlank()) {
                throw new IllegalArgumentException("projection name must not be blank, but was '" + projection.name() + "'");
            }
            if (projection.eventTypes() == null || projection.eventTypes().isEmpty()) {
                throw new IllegalArgumentException("projection '" + projection.name() + "' must declare at least one event type");
            }
        }

        /** Where the checkpoint is kept; a fresh {@link InMemoryCheckpointStore} by default. */
        public Builder checkpoints(CheckpointStore value) {
            this.checkpoints = Objects.requireNonNull(value, "checkpoints");
            return this;
        }

        /** Where dead letters go; a fresh {@link InMemoryDeadLetterQueue} by default. */
        public Builder deadLetters(DeadLetterQueue value) {
            this.deadLetters = Objects.requireNonNull(value, "deadLetters");
            return this;
        }

        /**
         * Attempts per event and the backoff between them; by default 5 attempts, 100 ms doubling to at
         * most 30 s, full jitter.
         */
        public Builder retry(RetryPolicy value) {
            this.retry = Objects.requireNonNull(value, "retry");
            return this;
        }

        /** Inline or asynchronous; asynchronous by default. */
        public Builder mode(ProcessingMode value) {
            this.mode = Objects.requireNonNull(value, "mode");
            return this;
        }

        /** Where processing and retries run; by default one daemon thread that {@link #close()} stops. */
        public Builder scheduler(TaskScheduler value) {
            this.scheduler = Objects.requireNonNull(value, "scheduler");
            return this;
        }

        /** The clock for health, lag and dead-letter times. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** The source of backoff jitter; pass a seeded one for reproducible delays. */
        public Builder random(RandomGenerator value) {
            this.random = Objects.requireNonNull(value, "random");
            return this;
        }

        /** Events read from the log per batch; 512 by default. */
        public Builder batchSize(int value) {
            if (value < 1 || value > 100_000) {
                throw new IllegalArgumentException("batchSize must be 1..100000, but was " + value);
            }
            this.batchSize = value;
            return this;
        }

        /** How long without progress while behind counts as stalled; 30 s by default. */
        public Builder stallThreshold(Duration value) {
            Objects.requireNonNull(value, "stallThreshold");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("stallThreshold must be positive, but was " + value);
            }
            this.stallThreshold = value;
            return this;
        }

        /**
         * How often the log is polled besides the store's append notifications (which a distributed store
         * may deliver late or not at all); 1 s by default.
         */
        public Builder pollInterval(Duration value) {
            Objects.requireNonNull(value, "pollInterval");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("pollInterval must be positive, but was " + value);
            }
            this.pollInterval = value;
            return this;
        }

        /** Where to count handled, failed and dead-lettered events. */
        public Builder metrics(NexusMetrics value) {
            this.metrics = Objects.requireNonNull(value, "metrics");
            return this;
        }

        /**
         * Adds a listener told of every event the serving projection applies (a shadow rebuild's events
         * are not reported: they are old news). A {@code NotificationHub} is one.
         */
        public Builder listener(ProjectionListener value) {
            this.listeners.add(Objects.requireNonNull(value, "listener"));
            return this;
        }

        public ProjectionProcessor build() {
            if (checkpoints == null) {
                checkpoints = new InMemoryCheckpointStore(clock);
            }
            if (deadLetters == null) {
                deadLetters = new InMemoryDeadLetterQueue();
            }
            return new ProjectionProcessor(this);
        }
    }
}
