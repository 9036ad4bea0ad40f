package io.nexus.core.tracking;

import org.jspecify.annotations.Nullable;
import io.micrometer.core.instrument.MeterRegistry;
import io.nexus.core.NexusException;
import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.internal.NexusMetrics;
import io.nexus.core.lease.ConsumerLease;
import io.nexus.core.lease.Lease;
import io.nexus.core.lease.LeaseStore;
import io.nexus.core.observation.NexusMeters;
import io.nexus.core.projection.TaskScheduler;
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
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Follows an event store's global log for one consumer: loads the consumer's checkpoint, catches up
 * through the log from the position after it, then follows live appends, and stores the positions its
 * {@link LogHandler} declares done. The one way Nexus components read the log.
 *
 * <pre>{@code
 * LogTracker tracker = LogTracker.builder("order-summaries", store, store, checkpoints).build();
 * tracker.start(batch -> {
 *     batch.forEach(summaries::apply);
 *     return batch.get(batch.size() - 1).globalPosition();
 * });
 * }</pre>
 *
 * <p>Implementation notes. The log is the only source of events: the store's append notifications
 * ({@link SubscribeToAppends}) only wake the tracker, which then reads the log itself, so catching up
 * after a restart and following live appends are the same code, and an append missed while the tracker
 * was down or busy is still read. A poll every {@code pollInterval} covers a lost wake-up, and is the only
 * way forward on a store without change capture (its {@code subscribe} throws: the tracker logs that once
 * and polls). All reading and handling runs as tasks on a {@link TaskScheduler}, one at a time, so tests
 * drive it with a controllable scheduler. A handler or read that fails is tried again after the backoff
 * of {@code retry} (attempts never run out: nothing is skipped); during the backoff neither a wake-up
 * nor a poll tries it early, and {@link #lastFailure()} says why meanwhile. Checkpoints are stored in one encoding: the decimal global position, partition
 * {@link Checkpoint#GLOBAL}. A crash between handling and storing the checkpoint hands the batch over
 * again: delivery is at-least-once. A checkpoint that cannot be stored is tried again after the next
 * batch (and reported by {@link #lastFailure()} meanwhile); it never stops the tracker.
 *
 * <p>A handler runs with the tracker's lock held; it may call back into its own tracker (for example
 * {@link #stop()}). Code that holds a lock of its own which a handler also takes must not call
 * {@link #stop()} or {@link #catchUpNow()} while holding it; {@link #checkpoint(long)} is safe from anywhere.
 *
 * <p>Several processes. Without a lease, run one tracker per consumer name at a time: two would hand every
 * event over twice and race on the checkpoint. Given a {@link LeaseStore} ({@link Builder#lease}), any number of
 * trackers of one consumer name, one per process (owner), may run: {@link #start} asks for the consumer's
 * lease once, and the tracker that gets it works exactly as above while the others {@linkplain #isStandingBy()
 * stand by}, asking again every third of the lease duration or so (jittered), and take over from the checkpoint
 * when the holder releases the lease ({@link #stop()}) or stops renewing it (it died or lost the store). The
 * holder renews every third of the duration; when a renewal is refused, or no renewal succeeded within the
 * duration after the request that took or last renewed the lease was <em>sent</em> (measured on the
 * tracker's monotonic {@link Builder#ticker ticker}), its term is over: it starts no further batch, stores no
 * further checkpoint (a batch being handled may finish: delivery stays at-least-once), stops following the
 * log and stands by again, reloading the checkpoint when it gets the lease back. Each transition (took, lost,
 * released, standing by) is logged once at INFO.
 *
 * <p>Thread-safe.
 */
public final class LogTracker implements AutoCloseable {

    /** What {@link LogHandler#handle} returns to store no checkpoint for a batch. */
    public static final long NO_CHECKPOINT = -1;

    private static final Logger log = LoggerFactory.getLogger(LogTracker.class);
    private static final int MAX_BATCHES_PER_TASK = 8;
    private static final Duration INLINE_WAIT = Duration.ofMillis(50);

    /** How long a lease term lasts without renewal unless {@link Builder#leaseDuration} says otherwise: 15 s. */
    public static final Duration DEFAULT_LEASE_DURATION = ConsumerLease.DEFAULT_DURATION;

    private final String consumer;
    private final ReadAll source;
    private final SubscribeToAppends changes;
    private final CheckpointStore checkpoints;
    private final TaskScheduler scheduler;
    private final boolean ownsScheduler;
    private final int batchSize;
    private final Duration pollInterval;
    private final RetryPolicy retry;
    private final RandomGenerator random;
    private final long initialPosition;
    private final boolean inline;
    private final NexusMetrics metrics;
    private final @Nullable TrackerLease term;

    private final ReentrantLock drainLock = new ReentrantLock();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    // started: between a successful start() and stop(); running: started and handling (holding the lease if any)
    private volatile boolean started;
    private volatile boolean running;
    private volatile boolean closed;
    private volatile boolean live;
    private volatile long position;
    private volatile long checkpointed;
    private volatile long pendingCheckpoint = NO_CHECKPOINT;
    private volatile @Nullable RuntimeException lastFailure;
    private volatile @Nullable RuntimeException checkpointFailure;
    private volatile boolean backingOff;
    private int generation;
    private long deferredCheckpoint = NO_CHECKPOINT;
    // Set by start() before anything reads them: reads happen only while the tracker runs
    private RetryPolicy.Backoff backoff;
    private LogHandler handler;
    private @Nullable Subscription subscription;
    private TaskScheduler.Cancellable pollTask;
    private TaskScheduler.@Nullable Cancellable retryTask;

    @SuppressWarnings("NullAway.Init") // backoff, handler and pollTask are set by start(), see their declaration
    private LogTracker(Builder b) {
        this.consumer = b.consumer;
        this.source = b.source;
        this.changes = b.changes;
        this.checkpoints = b.checkpoints;
        this.ownsScheduler = b.scheduler == null;
        this.scheduler = b.scheduler == null ? TaskScheduler.singleThread("nexus-tracker-" + b.consumer) : b.scheduler;
        this.batchSize = b.batchSize;
        this.pollInterval = b.pollInterval;
        this.retry = b.retry;
        this.random = b.random;
        this.initialPosition = b.initialPosition;
        this.inline = b.inline;
        this.metrics = NexusMetrics.of(b.meterRegistry);
        this.term = b.leases == null ? null : new TrackerLease(b.consumer, b.leases, b.owner, b.leaseDuration, b.ticker,
                scheduler, b.renewals != null ? b.renewals : scheduler, b.random, drainLock, new LeaseRunner());
    }

    /**
     * A builder of a tracker for {@code consumer} over {@code source}'s global log, woken by {@code changes}
     * (usually both the same {@link io.nexus.core.store.EventStore}), keeping its position in {@code checkpoints}.
     *
     * @throws IllegalArgumentException if {@code consumer} is blank
     */
    public static Builder builder(String consumer, ReadAll source, SubscribeToAppends changes, CheckpointStore checkpoints) {
        return new Builder(consumer, source, changes, checkpoints);
    }

    /** The consumer name under which the checkpoint is stored. */
    public String consumer() {
        return consumer;
    }

    /**
     * Loads the checkpoint, subscribes to appends (or settles for polling when the store has no change
     * capture) and starts handing events to {@code handler}. On failure nothing is left running and
     * {@code start} may be called again.
     *
     * <p>Under a lease ({@link Builder#lease}) it first asks for the lease, once, on the calling thread: if it is
     * granted the tracker starts as above; if another owner holds it (or the lease store cannot be reached) the
     * tracker {@linkplain #isStandingBy() stands by}, returns normally and asks again on its scheduler.
     *
     * @throws IllegalStateException if already running, or closed
     * @throws NexusException        if the checkpoint cannot be loaded
     * @throws java.util.concurrent.RejectedExecutionException if the scheduler no longer runs tasks
     */
    public void start(LogHandler handler) {
        Objects.requireNonNull(handler, "handler");
        drainLock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("Log tracker '" + consumer + "' is closed; build a new one");
            }
            if (started) {
                throw new IllegalStateException("Log tracker '" + consumer + "' is already running");
            }
            this.handler = handler;
            if (term == null) {
                activate();
            } else {
                term.take(term.begin(), true);
                metrics.gauge(NexusMeters.TRACKER_LEASE_HELD, this, t -> t.running ? 1 : 0, "consumer", consumer);
            }
            started = true;
        } finally {
            drainLock.unlock();
        }
        wake();
    }

    /**
     * Lock held, not running. Loads the checkpoint, subscribes and schedules the poll chain; on failure nothing
     * is left running and the failure is thrown.
     */
    private void activate() {
        long from = checkpoints.load(consumer, Checkpoint.GLOBAL).map(Checkpoint::positionAsLong).orElse(initialPosition);
        this.position = from;
        this.checkpointed = from;
        this.pendingCheckpoint = NO_CHECKPOINT;
        this.backoff = retry.backoff(random);
        this.backingOff = false;
        this.lastFailure = null;
        this.checkpointFailure = null;
        int current = ++generation;
        try {
            subscription = changes.subscribe(this::onAppend);
            live = true;
        } catch (RuntimeException e) {
            subscription = null;
            live = false;
            log.info("Log tracker '{}' follows the log by polling every {} ms: the store has no change capture ({})",
                    consumer, pollInterval.toMillis(), e.getMessage());
        }
        running = true;
        try {
            pollTask = scheduler.schedule(() -> poll(current), pollInterval);
        } catch (RuntimeException e) {
            running = false;
            live = false;
            if (subscription != null) {
                subscription.close();
                subscription = null;
            }
            throw e;
        }
    }

    /**
     * Whether {@link #start} succeeded and {@link #stop()} has not been called since; also while
     * {@linkplain #isStandingBy() standing by} for the lease.
     */
    public boolean isRunning() {
        return started;
    }

    /**
     * Whether the tracker runs under a lease ({@link Builder#lease}) and waits for it: started, but another owner
     * holds the consumer's lease (or the lease store could not be reached), so it hands nothing over and stores no
     * checkpoint. False when running without a lease, holding it, or stopped.
     */
    public boolean isStandingBy() {
        return started && term != null && !running;
    }

    /**
     * The lease this tracker holds now, as last granted or renewed (its {@link Lease#expiresAt()} is the store's
     * view); empty without a lease store, while standing by, or stopped.
     */
    public Optional<Lease> lease() {
        return term == null ? Optional.empty() : term.current();
    }

    /**
     * Who held the consumer's lease when this tracker last found it taken (the owner it stands by for);
     * empty if it never found it taken or runs without a lease. For operators; it may be out of date.
     */
    public Optional<String> lastKnownHolder() {
        return term == null ? Optional.empty() : term.lastHolder();
    }

    /** Whether appends wake the tracker (false: it only polls, the store having no change capture). */
    public boolean isLive() {
        return live;
    }

    /** The global position of the last event handed to the handler (the checkpoint before the first). */
    public long position() {
        return position;
    }

    /** The last position stored as the checkpoint. */
    public long checkpointedPosition() {
        return checkpointed;
    }

    /** How many events of the log are not yet handed over: the head position minus {@link #position()}. */
    public long lag() {
        return Math.max(0, source.headPosition() - position);
    }

    /**
     * The failure being retried, if any: a failed read or handler (empty again after the next success),
     * else a checkpoint that could not be stored (empty again once one is stored).
     */
    public Optional<RuntimeException> lastFailure() {
        RuntimeException failure = lastFailure;
        return Optional.ofNullable(failure != null ? failure : checkpointFailure);
    }

    /** Whether a failed read or handler is waiting out its backoff before the next attempt. */
    public boolean isBackingOff() {
        return backingOff;
    }

    /**
     * Declares every position up to {@code safePosition} done, for progress made outside a batch (a
     * projection's retry that succeeded later). Stored at once when the tracker is idle, else right after
     * the batch being handled; never beyond the position handed over, never backwards. Never blocks, so it
     * may be called while holding locks that a handler takes.
     */
    public void checkpoint(long safePosition) {
        if (safePosition == NO_CHECKPOINT) {
            return;
        }
        if (drainLock.tryLock()) {
            try {
                raisePending(safePosition);
                if (running) {
                    saveCheckpoint();
                }
            } finally {
                drainLock.unlock();
            }
        } else {
            synchronized (this) {
                deferredCheckpoint = Math.max(deferredCheckpoint, safePosition);
            }
        }
    }

    /**
     * Stores {@code position} as the checkpoint of a stopped tracker, forwards or backwards (a rebuild
     * taking over, an operator replaying); the next {@link #start} resumes after it. {@code 0}: from the
     * beginning.
     *
     * @throws IllegalStateException    if the tracker is running
     * @throws IllegalArgumentException if {@code position} is negative
     * @throws NexusException           if the checkpoint store cannot be reached
     */
    public void resetTo(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("position must be >= 0, but was " + position);
        }
        drainLock.lock();
        try {
            if (started) {
                throw new IllegalStateException("Log tracker '" + consumer + "' is running; stop it before moving its checkpoint");
            }
            checkpoints.save(consumer, Checkpoint.GLOBAL, Long.toString(position));
            this.position = position;
            this.checkpointed = position;
        } finally {
            drainLock.unlock();
        }
    }

    /**
     * Hands the events of {@code source} after {@code afterPosition} to {@code handler} in batches of
     * {@code batchSize} on the calling thread, until a read finds nothing more; stores no checkpoint and
     * does not retry (what an offline rebuild needs: the caller owns the whole run).
     *
     * @return the global position of the last event handed over ({@code afterPosition} if none)
     * @throws Exception whatever the read or the handler threw; nothing after the failing batch is read
     */
    public static long replay(ReadAll source, long afterPosition, int batchSize, LogHandler handler) throws Exception {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(handler, "handler");
        if (afterPosition < 0) {
            throw new IllegalArgumentException("afterPosition must be >= 0, but was " + afterPosition);
        }
        if (batchSize < 1 || batchSize > 100_000) {
            throw new IllegalArgumentException("batchSize must be 1..100000, but was " + batchSize);
        }
        long position = afterPosition;
        while (true) {
            List<EventEnvelope> batch = source.readAll(position + 1, batchSize);
            if (batch.isEmpty()) {
                return position;
            }
            handler.handle(batch);
            position = batch.get(batch.size() - 1).globalPosition();
        }
    }


    /** Asks for a read of the log as soon as possible (what an append notification does). */
    public void wake() {
        if (running && drainScheduled.compareAndSet(false, true)) {
            try {
                scheduler.schedule(this::drainTask, Duration.ZERO);
            } catch (RuntimeException e) {
                drainScheduled.set(false);
                if (running) {
                    throw e;
                }
            }
        }
    }

    /**
     * Reads and hands over everything up to the current head on the calling thread, then returns; for a
     * caller that must see its own appends handled before it goes on (inline projections, tests).
     *
     * <p>Under a lease, it first asks for the lease when standing by, or renews it when a renewal is due, on the
     * calling thread: a caller that drives the tracker with a scheduler that runs nothing keeps its lease this way.
     *
     * @return whether the tracker reached the head (false if the handler failed, a failure is still waiting
     *         out its backoff, the tracker is stopped or standing by for the lease)
     */
    public boolean catchUpNow() {
        if (term != null && started) {
            term.refresh();
        }
        while (running) {
            Boolean more = drain(Integer.MAX_VALUE);
            if (more == null) {
                return false;
            }
            if (!more) {
                return true;
            }
        }
        return false;
    }

    /**
     * Stops following the log and stores the last checkpoint the handler declared; {@link #start} resumes
     * from the stored checkpoint. Waits for a batch being handled. Under a lease, it then releases the lease, so
     * a tracker of another owner standing by can take over at once (if the lease store cannot be reached, the
     * lease runs out instead; that is logged, not thrown). Harmless when not running.
     */
    public void stop() {
        drainLock.lock();
        try {
            if (!started) {
                return;
            }
            started = false;
            if (term != null) {
                term.end();
            }
            if (running) {
                deactivate();
                applyDeferred();
                saveCheckpoint();
            }
            if (term != null) {
                metrics.removeGauge(NexusMeters.TRACKER_LEASE_HELD, "consumer", consumer);
                term.release();
            }
        } finally {
            drainLock.unlock();
        }
    }

    /** Lock held, running. Stops following the log; stores nothing. */
    private void deactivate() {
        running = false;
        live = false;
        if (subscription != null) {
            subscription.close();
            subscription = null;
        }
        pollTask.cancel();
        if (retryTask != null) {
            retryTask.cancel();
            retryTask = null;
        }
        backingOff = false;
    }

    /** Lets the tracker's lease start and halt its following of the log; every call holds the tracker's lock. */
    private final class LeaseRunner implements TrackerLease.Runner {
        @Override
        public void run() {
            activate();
        }

        @Override
        public void halt() {
            if (running) {
                deactivate();
            }
            try {
                handler.termEnded();
            } catch (RuntimeException e) {
                log.error("Log tracker '{}': its handler failed to end its term", consumer, e);
            }
        }

        @Override
        public void resumed() {
            try {
                handler.termStarted();
            } catch (RuntimeException e) {
                log.error("Log tracker '{}': its handler failed to start a new term", consumer, e);
            }
            wake();
        }

        @Override
        public boolean isStarted() {
            return started;
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public long checkpointed() {
            return checkpointed;
        }
    }

    /** Stops, and stops the scheduler if the tracker created it. Closing twice is harmless. */
    @Override
    public void close() {
        stop();
        closed = true;
        if (ownsScheduler) {
            scheduler.close();
        }
    }

    private void onAppend(List<EventEnvelope> events) {
        // Inline only at the head: a tracker that is behind catches up on the scheduler, not on an appender.
        if (!inline || events.isEmpty() || events.get(0).globalPosition() != position + 1) {
            wake();
            return;
        }
        boolean locked = false;
        try {
            // Bounded: an inline caller never waits long for a batch being handled on another thread.
            locked = drainLock.tryLock(INLINE_WAIT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!locked) {
            wake();
            return;
        }
        try {
            Boolean more;
            do {
                more = drain(Integer.MAX_VALUE);
            } while (Boolean.TRUE.equals(more));
        } finally {
            drainLock.unlock();
        }
    }

    private void drainTask() {
        drainScheduled.set(false);
        Boolean more = drain(MAX_BATCHES_PER_TASK);
        if (Boolean.TRUE.equals(more)) {
            wake();
        }
    }

    private void poll(int pollGeneration) {
        drain(MAX_BATCHES_PER_TASK);
        drainLock.lock();
        try {
            // A poll of an earlier start (stopped and started again meanwhile) ends its chain here.
            if (running && pollGeneration == generation) {
                pollTask = scheduler.schedule(() -> poll(pollGeneration), pollInterval);
            }
        } catch (RuntimeException e) {
            if (running) {
                log.error("Log tracker '{}' could not schedule its next poll", consumer, e);
            }
        } finally {
            drainLock.unlock();
        }
    }

    /** Up to {@code maxBatches} batches; true if more may be waiting, false at the head, null on failure, during a backoff or when stopped. */
    private @Nullable Boolean drain(int maxBatches) {
        drainLock.lock();
        try {
            if (!running || backingOff) {
                return null;
            }
            applyDeferred();
            String step = "read";
            try {
                for (int i = 0; i < maxBatches; i++) {
                    if (!inTerm()) {
                        return null;
                    }
                    step = "read";
                    List<EventEnvelope> batch = source.readAll(position + 1, batchSize);
                    if (batch.isEmpty()) {
                        succeeded();
                        saveCheckpoint();
                        return false;
                    }
                    step = "handle";
                    long safe = handler.handle(batch);
                    position = batch.get(batch.size() - 1).globalPosition();
                    raisePending(safe);
                    applyDeferred();
                    succeeded();
                    saveCheckpoint();
                    if (batch.size() < batchSize || !running) {
                        return false;
                    }
                }
                return true;
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                failed(step, e);
                return null;
            }
        } finally {
            drainLock.unlock();
        }
    }

    /** Whether batches may start and checkpoints be stored: no lease is needed, or its term has not ended. */
    private boolean inTerm() {
        return term == null || term.inTerm();
    }

    /** Lock held. Takes a checkpoint declared while a batch was being handled. */
    private void applyDeferred() {
        long deferred;
        synchronized (this) {
            deferred = deferredCheckpoint;
            deferredCheckpoint = NO_CHECKPOINT;
        }
        raisePending(deferred);
    }

    /** Lock held. */
    private void raisePending(long safe) {
        if (safe != NO_CHECKPOINT && safe > pendingCheckpoint) {
            pendingCheckpoint = Math.min(safe, position);
        }
    }

    /** Lock held. Stores the pending checkpoint; a failure is reported and the save tried again after the next batch. */
    private void saveCheckpoint() {
        long target = pendingCheckpoint;
        if (target == NO_CHECKPOINT || target <= checkpointed || !inTerm()) {
            return;
        }
        try {
            checkpoints.save(consumer, Checkpoint.GLOBAL, Long.toString(target));
            checkpointed = target;
            checkpointFailure = null;
        } catch (RuntimeException e) {
            checkpointFailure = e instanceof NexusException ? e : new NexusException("Log tracker '" + consumer
                    + "' could not store checkpoint " + target + ": " + e.getMessage() + "; it is stored with a later batch", e, true);
            metrics.count("nexus.tracker.retries", "consumer", consumer, "step", "checkpoint");
            log.warn("Log tracker '{}' could not store checkpoint {}; it is stored with a later batch", consumer, target, e);
        }
    }

    private void succeeded() {
        backoff.succeeded();
        lastFailure = null;
    }

    /** Lock held. */
    private void failed(String step, Exception e) {
        lastFailure = e instanceof RuntimeException r ? r : new NexusException("Log tracker '" + consumer
                + "' failed to " + step + " the events after position " + position + ": " + e.getMessage(), e, true);
        Duration delay = backoff.failed();
        metrics.count("nexus.tracker.retries", "consumer", consumer, "step", step);
        log.warn("Log tracker '{}' failed to {} the events after position {} (attempt {}); retrying in {} ms",
                consumer, step, position, backoff.failures(), delay.toMillis(), e);
        if (running) {
            backingOff = true;
            int current = generation;
            try {
                retryTask = scheduler.schedule(() -> endBackoff(current), delay);
            } catch (RuntimeException rejected) {
                backingOff = false;
                log.error("Log tracker '{}' could not schedule its retry; the next poll retries", consumer, rejected);
            }
        }
    }

    private void endBackoff(int backoffGeneration) {
        drainLock.lock();
        try {
            if (backoffGeneration != generation) {
                return;
            }
            backingOff = false;
            retryTask = null;
        } finally {
            drainLock.unlock();
        }
        wake();
    }

    /** Options for a {@link LogTracker}; setters validate their argument at once. */
    public static final class Builder {
        private final String consumer;
        private final ReadAll source;
        private final SubscribeToAppends changes;
        private final CheckpointStore checkpoints;
        private @Nullable TaskScheduler scheduler;
        private int batchSize = 500;
        private Duration pollInterval = Duration.ofSeconds(1);
        private RetryPolicy retry = RetryPolicy.custom().initialDelay(Duration.ofMillis(50))
                .maxDelay(Duration.ofSeconds(10)).jitter(0.5).build();
        private RandomGenerator random = new Random();
        private long initialPosition;
        private boolean inline;
        private @Nullable MeterRegistry meterRegistry;
        private @Nullable LeaseStore leases;
        private String owner = "unleased";
        private Duration leaseDuration = DEFAULT_LEASE_DURATION;
        private @Nullable TaskScheduler renewals;
        private LongSupplier ticker = System::nanoTime;

        private Builder(String consumer, ReadAll source, SubscribeToAppends changes, CheckpointStore checkpoints) {
            if (consumer == null || consumer.isBlank()) {
                throw new IllegalArgumentException("consumer must not be blank, but was '" + consumer + "'");
            }
            this.consumer = consumer;
            this.source = Objects.requireNonNull(source, "source");
            this.changes = Objects.requireNonNull(changes, "changes");
            this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
        }

        /** Where reading and handling run; by default one daemon thread that {@link LogTracker#close()} stops. */
        public Builder scheduler(TaskScheduler value) {
            this.scheduler = Objects.requireNonNull(value, "scheduler");
            return this;
        }

        /** Events read from the log per batch, 1..100000; 500 by default. */
        public Builder batchSize(int value) {
            if (value < 1 || value > 100_000) {
                throw new IllegalArgumentException("batchSize must be 1..100000, but was " + value);
            }
            this.batchSize = value;
            return this;
        }

        /** How often the log is read when no append wakes the tracker; 1 s by default. */
        public Builder pollInterval(Duration value) {
            Objects.requireNonNull(value, "pollInterval");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("pollInterval must be positive, but was " + value);
            }
            this.pollInterval = value;
            return this;
        }

        /**
         * The backoff between attempts after a failed read or handler (only the delays count: the tracker
         * tries until it succeeds or stops). 50 ms doubling to 10 s, half jitter by default.
         */
        public Builder retry(RetryPolicy value) {
            this.retry = Objects.requireNonNull(value, "retry");
            return this;
        }

        /** The source of backoff jitter; pass a seeded one for reproducible delays. */
        public Builder random(RandomGenerator value) {
            this.random = Objects.requireNonNull(value, "random");
            return this;
        }

        /**
         * The position to start after when the consumer has no checkpoint; 0 (the beginning of the log) by
         * default. A consumer that only wants new events passes the store's head position.
         */
        public Builder initialPosition(long value) {
            if (value < 0) {
                throw new IllegalArgumentException("initialPosition must be >= 0, but was " + value);
            }
            this.initialPosition = value;
            return this;
        }

        /**
         * Whether an append notification hands the new events to the handler on the notifying thread before
         * returning (an inline projection: the embedded store notifies on the appending thread, after its
         * write lock is released) instead of waking the scheduler. Only when the tracker is at the head (the
         * notified events are the next ones): one that is behind catches up on the scheduler, as it does when
         * a batch is being handled on another thread for more than 50 ms or a failure is backing off. False
         * by default.
         */
        public Builder inline(boolean value) {
            this.inline = value;
            return this;
        }

        /**
         * Where to count retries ({@code nexus.tracker.retries{consumer, step=read|handle|checkpoint}}) and, under a
         * lease, show whether this process holds it ({@code nexus.tracker.lease.held{consumer}}: 1 holding, 0 standing
         * by); none by default.
         */
        public Builder meterRegistry(MeterRegistry value) {
            this.meterRegistry = Objects.requireNonNull(value, "meterRegistry");
            return this;
        }

        /**
         * Runs the tracker under the consumer's lease in {@code store}, held as {@code owner}: of all the trackers of
         * this consumer name that share the store, only the one holding the lease hands events over and stores
         * checkpoints; the others stand by and take over when it stops or dies (see the class comment). Give
         * every process (every Nexus instance) its own owner: two trackers with the same owner both think they hold
         * the lease. No lease by default: the tracker runs whenever it is started.
         *
         * @throws IllegalArgumentException if {@code owner} is blank
         */
        public Builder lease(LeaseStore store, String owner) {
            Objects.requireNonNull(store, "store");
            LeaseStore.requireText(owner, "owner");
            this.leases = store;
            this.owner = owner;
            return this;
        }

        /**
         * {@link #lease(LeaseStore, String)} and {@link #leaseDuration(Duration)} as {@code lease} says (what Nexus
         * passes to the consumers it builds).
         */
        public Builder lease(ConsumerLease lease) {
            Objects.requireNonNull(lease, "lease");
            lease(lease.store(), lease.owner()).leaseDuration(lease.duration());
            this.renewals = lease.renewals();
            return this;
        }

        /**
         * Runs the tracker without a lease, in every process that starts it (undoes {@link #lease}): for a consumer
         * whose effect stays in this process, such as one that feeds this process's in-memory state from a
         * checkpoint store of its own.
         */
        public Builder withoutLease() {
            this.leases = null;
            this.owner = "unleased";
            this.renewals = null;
            return this;
        }

        /**
         * How long a lease term lasts without renewal; the holder renews every third of it, and a standing-by
         * tracker asks for the lease about as often (jittered between a sixth and half of it). It bounds how long
         * the consumer is without a runner when its holder dies (up to the duration plus half of it), and must be
         * well above the clock drift between the processes and above any pause of the holder (a renewal waits
         * for nothing, but runs on the tracker's scheduler unless the {@link ConsumerLease} given to
         * {@link #lease(ConsumerLease)} names a scheduler for renewals, as Nexus's does: otherwise keep a batch
         * shorter than two thirds of the duration).
         * 15 s by default. Only used with {@link #lease}.
         *
         * @throws IllegalArgumentException if {@code value} is shorter than 3 ms
         */
        public Builder leaseDuration(Duration value) {
            this.leaseDuration = ConsumerLease.requireDuration(value, "leaseDuration");
            return this;
        }

        /**
         * The monotonic clock, in nanoseconds, on which the tracker measures its lease term ({@link System#nanoTime()}
         * by default); tests pass one they move with their scheduler. Only the differences between its values count.
         */
        public Builder ticker(LongSupplier value) {
            this.ticker = Objects.requireNonNull(value, "ticker");
            return this;
        }

        /** The tracker, not yet started. */
        public LogTracker build() {
            return new LogTracker(this);
        }
    }
}
