package io.nexus.core.projection;

import org.jspecify.annotations.Nullable;
import io.micrometer.observation.ObservationRegistry;

import io.micrometer.core.instrument.MeterRegistry;
import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.deadletter.DeadLetterNotFoundException;
import io.nexus.core.deadletter.DeadLetterQueue;
import io.nexus.core.deadletter.InMemoryDeadLetterQueue;
import io.nexus.core.internal.NexusMetrics;
import io.nexus.core.lease.ConsumerLease;
import io.nexus.core.lifecycle.NexusContext;
import io.nexus.core.policy.PolicyActions;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.policy.PolicyDecisionPoint;
import io.nexus.core.policy.PolicyDeniedException;
import io.nexus.core.policy.PolicyEngine;
import io.nexus.core.policy.PolicyRequest;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.store.EventStore;
import io.nexus.core.tracking.LogTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;

/**
 * Runs one {@link Projection} over an event store's global log, on a {@link LogTracker}.
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
 *   <li>an event is never applied when an earlier event of its aggregate was not: the checkpoint passes a
 *       dead letter only when the {@link DeadLetterQueue} outlives the process ({@link DeadLetterQueue#isDurable()},
 *       or {@link Builder#checkpointPastVolatileDeadLetters()}), and a gap in an aggregate's versions is
 *       read back from the store, or else fails the event ({@link ProjectionGapException}), counted as
 *       {@code nexus.projection.gaps} and logged;</li>
 *   <li>a shadow rebuild ({@link #rebuild}) builds a replacement projection from any position while this
 *       one keeps serving, and switches when it has caught up.</li>
 * </ul>
 *
 * <p>Implementation notes. The processor is an assembly of parts: a {@link LogTracker} drives each
 * projection instance (checkpoint, catch-up, live wake-ups with polling as the fallback, backoff when the
 * handler itself fails), {@code ProjectionInstance} applies and checks for gaps, {@code Parking} retries,
 * parks and dead-letters, {@code ShadowRebuilder} runs and switches a rebuild, and
 * {@code ProjectionHealthProbe} judges health. Processing state is guarded by one lock taken inside the
 * trackers' handlers; lifecycle calls are serialized separately and never hold that lock while stopping or
 * starting a tracker. In {@link ProcessingMode#INLINE} the tracker handles appends on the notifying thread.
 * Under a lease, while another instance runs the projection, a processor with listeners has a
 * {@code ListenerRelay} tell them of each event once the holder's stored checkpoint has passed it, so that
 * read-your-writes and notifications work on every instance; it stops when this processor's term starts.
 *
 * <p>Thread-safe.
 */
public final class ProjectionProcessor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProjectionProcessor.class);

    /** How often a standing-by processor looks for progress of the holder's checkpoint, by default: 25 ms. */
    public static final Duration DEFAULT_STANDBY_NOTIFICATION_INTERVAL = Duration.ofMillis(25);

    private final ProcessorSettings settings;
    private final boolean ownsScheduler;
    private final Duration stallThreshold;
    private final boolean inline;
    private final Object lifecycle = new Object();
    private final ShadowRebuilder rebuilds;
    private final PolicyEngine policy;
    private volatile ProjectionInstance serving;
    private volatile boolean running;
    private final @Nullable ListenerRelay relay;

    private ProjectionProcessor(Builder b) {
        this.ownsScheduler = b.scheduler == null;
        TaskScheduler scheduler = b.scheduler == null ? TaskScheduler.singleThread("nexus-projection-" + b.projection.name()) : b.scheduler;
        this.settings = new ProcessorSettings(b.projection.name(), b.store, b.codec,
                // build() sets both when they are not given
                Objects.requireNonNull(b.checkpoints, "checkpoints"), Objects.requireNonNull(b.deadLetters, "deadLetters"),
                b.checkpointPastVolatileDeadLetters, b.retry, scheduler, b.clock, b.random, b.batchSize, b.pollInterval,
                NexusMetrics.of(b.meterRegistry), List.copyOf(b.listeners), new ReentrantLock(), b.observationRegistry, b.lease);
        this.stallThreshold = b.stallThreshold;
        this.inline = b.mode == ProcessingMode.INLINE;
        this.serving = new ProjectionInstance(settings, b.projection, settings.name(), true, inline, 1);
        // only listeners need to hear, on a standing-by instance, what the holder applied
        this.relay = b.listeners.isEmpty() || b.lease == null ? null : new ListenerRelay(settings, b.standbyNotificationInterval);
        serving.relay(relay);
        this.rebuilds = new ShadowRebuilder(settings, lifecycle, this::promote);
        this.policy = b.policy;
        if (!settings.deadLettersOutliveTheProcess()) {
            log.debug("Projection '{}' keeps its checkpoint before its dead letters: the dead-letter queue does not outlive the process",
                    settings.name());
        }
    }

    /**
     * A builder for a processor of {@code projection} over {@code store}, decoding with {@code codec}.
     *
     * @throws IllegalArgumentException if the projection's name is blank or it declares no event types
     */
    public static Builder builder(Projection projection, EventStore store, EventCodec codec) {
        return new Builder(projection, store, codec);
    }

    /**
     * A builder for a processor of {@code projection} that inherits the application's event store, codec,
     * checkpoint store, dead-letter queue, clock, meter registry and consumer lease ({@link NexusContext#consumerLease()})
     * from {@code context}; each may still be replaced by its setter.
     *
     * @throws IllegalArgumentException if the projection's name is blank or it declares no event types
     */
    public static Builder builder(Projection projection, NexusContext context) {
        Objects.requireNonNull(context, "context");
        Builder builder = new Builder(projection, context.eventStore(), context.codec()).checkpoints(context.checkpoints())
                .deadLetters(context.deadLetters()).clock(context.clock()).meterRegistry(context.meterRegistry())
                .policy(context.policy()).observationRegistry(context.observationRegistry());
        context.consumerLease().ifPresent(builder::lease);
        return builder;
    }

    /** The projection's name, under which checkpoints and dead letters are stored. */
    public String name() {
        return settings.name();
    }

    /** The projection instance currently serving (the replacement, once a rebuild has switched). */
    public Projection active() {
        return serving.projection;
    }

    /** The last global position processed by the serving projection (0 before the first). */
    public long position() {
        return serving.tracker().position();
    }

    /**
     * Loads the checkpoint and the dead letters and starts following the log: live on the store's append
     * notifications, or by polling every {@code pollInterval} when the store has no change capture. When
     * it fails, nothing is left running: health says {@link ProjectionHealth.Status#STOPPED} and
     * {@code start()} may be called again.
     *
     * @throws IllegalStateException        if already running
     * @throws io.nexus.core.NexusException if the checkpoint or the dead letters cannot be loaded
     */
    public void start() {
        synchronized (lifecycle) {
            if (running) {
                throw new IllegalStateException("Projection '" + settings.name() + "' is already running");
            }
            ProjectionInstance instance = serving;
            settings.lock().lock();
            try {
                instance.restore();
            } finally {
                settings.lock().unlock();
            }
            instance.tracker().start(instance);
            running = true;
            relayIfStandingBy(instance);
        }
    }

    private void relayIfStandingBy(ProjectionInstance instance) {
        if (relay == null) {
            return;
        }
        settings.lock().lock();
        try {
            instance.relayIfStandingBy();
        } finally {
            settings.lock().unlock();
        }
    }

    /**
     * Stops processing; the checkpoint stands, and {@link #start()} resumes from it. A rebuild in progress
     * is abandoned (start it again after restarting). Stopping twice, or without a successful start, is
     * harmless.
     */
    public void stop() {
        synchronized (lifecycle) {
            ProjectionInstance instance = serving;
            running = false;
            instance.tracker().stop();
            // after the tracker: a term ending meanwhile would start the relay again
            if (relay != null) {
                relay.stop(-1);
            }
            settings.lock().lock();
            try {
                instance.parking.cancelRetries();
            } finally {
                settings.lock().unlock();
            }
            rebuilds.cancel(null);
        }
    }

    /** Stops, and stops the scheduler if the processor created it. Closing twice is harmless. */
    @Override
    public void close() {
        stop();
        if (ownsScheduler) {
            settings.scheduler().close();
        }
    }

    /** The serving projection's health; answers without waiting for processing. */
    public ProjectionHealth health() {
        return ProjectionHealthProbe.of(settings, serving, running, stallThreshold);
    }

    /** The serving projection's dead letters, oldest first. */
    public List<DeadLetter> deadLetters() {
        return settings.deadLetters().list(serving.consumer());
    }

    /**
     * The serving projection's events of aggregate {@code streamId} held back behind its failing event (being
     * retried, or a dead letter), in version order, as retrying or discarding the dead letter would handle them;
     * empty when the aggregate is not parked. Parked events are read back from the event store, not copied.
     *
     * @throws io.nexus.core.NexusException if the event store cannot be read
     */
    public List<EventEnvelope> parked(String streamId) {
        Objects.requireNonNull(streamId, "streamId");
        settings.lock().lock();
        try {
            return serving.parking.parked(streamId);
        } finally {
            settings.lock().unlock();
        }
    }

    /**
     * Handles a dead letter again, on the calling thread, after the cause was fixed (new code, a new
     * upcaster: the stored event is decoded and upcast afresh). On success the dead letter is removed and
     * the aggregate's parked events are handled in order; on failure it stays, with the new cause and one
     * more attempt counted.
     *
     * @return whether the event was handled
     * @throws DeadLetterNotFoundException if the serving projection has no dead letter {@code id}
     * @throws IllegalStateException       if the processor stands by for its lease: retry on the instance that runs it
     */
    public boolean retryDeadLetter(UUID id) {
        return retryDeadLetter(id, Map.of());
    }

    /**
     * {@link #retryDeadLetter(UUID)} on behalf of {@code principal}, once the policy allows action
     * {@code dead-letter-retry}.
     *
     * @throws PolicyDeniedException if the policy denies; nothing changed
     */
    public boolean retryDeadLetter(UUID id, Map<String, String> principal) {
        Objects.requireNonNull(id, "id");
        authorize(PolicyActions.DEAD_LETTER_RETRY, principal, "deadLetterId", id);
        requireHolding("retry its dead letters");
        settings.lock().lock();
        try {
            return serving.parking.retryDeadLetter(id);
        } finally {
            settings.lock().unlock();
        }
    }

    /**
     * Removes a dead letter without handling it, and handles the aggregate's parked events in order.
     *
     * @throws DeadLetterNotFoundException if the serving projection has no dead letter {@code id}
     * @throws IllegalStateException       if the processor stands by for its lease: discard on the instance that runs it
     */
    public void discardDeadLetter(UUID id) {
        discardDeadLetter(id, Map.of());
    }

    /**
     * {@link #discardDeadLetter(UUID)} on behalf of {@code principal}, once the policy allows action
     * {@code dead-letter-discard}.
     *
     * @throws PolicyDeniedException if the policy denies; nothing changed
     */
    public void discardDeadLetter(UUID id, Map<String, String> principal) {
        Objects.requireNonNull(id, "id");
        authorize(PolicyActions.DEAD_LETTER_DISCARD, principal, "deadLetterId", id);
        requireHolding("discard its dead letters");
        settings.lock().lock();
        try {
            serving.parking.discardDeadLetter(id);
        } finally {
            settings.lock().unlock();
        }
    }

    /**
     * Starts building {@code replacement} from global position {@code fromPosition} (0 or 1: from the
     * beginning) while the current projection keeps serving. The shadow's checkpoints and dead letters are
     * kept under {@code "<name>#rebuild"} until it is switched in; then they move to the projection's name
     * and the old instance's dead letters are dropped.
     *
     * <p>Under a lease the shadow's tracker takes the lease {@code "<name>#rebuild"}, so one instance builds the
     * shadow; once it switches, the projection's name is taken again and the instance that builds the replacement
     * keeps running the projection only if it holds that lease (start rebuilds on the instance that runs the
     * projection: elsewhere they are refused).
     *
     * @throws IllegalStateException    if the processor is not running, stands by for its lease (another instance
     *                                  runs it) or a rebuild is already in progress
     * @throws IllegalArgumentException if {@code fromPosition} is negative, or the replacement has another name
     */
    public ShadowRebuild rebuild(Projection replacement, long fromPosition) {
        return rebuild(replacement, fromPosition, Map.of());
    }

    /**
     * {@link #rebuild(Projection, long)} on behalf of {@code principal}, once the policy allows action
     * {@code projection-rebuild}.
     *
     * @throws PolicyDeniedException if the policy denies; nothing changed
     */
    public ShadowRebuild rebuild(Projection replacement, long fromPosition, Map<String, String> principal) {
        Objects.requireNonNull(replacement, "replacement");
        authorize(PolicyActions.PROJECTION_REBUILD, principal, "fromPosition", fromPosition);
        if (fromPosition < 0) {
            throw new IllegalArgumentException("fromPosition must be >= 0, but was " + fromPosition);
        }
        if (!settings.name().equals(replacement.name())) {
            throw new IllegalArgumentException("the replacement of projection '" + settings.name()
                    + "' must have the same name, but was '" + replacement.name() + "'");
        }
        synchronized (lifecycle) {
            if (!running) {
                throw new IllegalStateException("Projection '" + settings.name() + "' is not running; start it before rebuilding");
            }
            requireHolding("rebuild");
            return new ShadowRebuild(this, rebuilds.begin(replacement, fromPosition));
        }
    }

    /** Operations that change what the running instance holds in memory are made where it runs. */
    private void requireHolding(String operation) {
        LogTracker tracker = serving.tracker();
        if (tracker.isStandingBy()) {
            throw new IllegalStateException("Projection '" + settings.name() + "' is standing by: "
                    + tracker.lastKnownHolder().map(h -> "instance '" + h + "'").orElse("another instance")
                    + " holds its lease and runs it; " + operation + " on that instance");
        }
    }

    private void authorize(String action, Map<String, String> principal, String key, Object value) {
        PolicyDecisionPoint.enforce(policy, PolicyRequest.builder(action).principal(Objects.requireNonNull(principal, "principal"))
                .attribute("projection", settings.name()).attribute("consumer", serving.consumer()).attribute(key, value).build());
    }

    // ------------------------------------------------------------ used by ShadowRebuild

    RebuildProgress rebuildProgress(Object rebuild) {
        return rebuilds.progress(rebuild);
    }

    boolean rebuildInProgress(Object rebuild) {
        return rebuilds.isCurrent(rebuild);
    }

    void switchOver(Object rebuild) {
        synchronized (lifecycle) {
            rebuilds.switchOver(rebuild);
        }
    }

    void switchWhenCaughtUp(Object rebuild) {
        synchronized (lifecycle) {
            rebuilds.switchWhenCaughtUp(rebuild);
        }
    }

    void cancelRebuild(Object rebuild) {
        synchronized (lifecycle) {
            rebuilds.cancel(rebuild);
        }
    }

    /** Lifecycle held, the shadow's tracker stopped. The shadow takes over the projection's name, checkpoint and dead letters. */
    private void promote(ProjectionInstance shadow) {
        ProjectionInstance old = serving;
        old.tracker().stop();
        if (relay != null) {
            relay.stop(-1);
        }
        LogTracker tracker = settings.tracker(settings.name(), inline);
        settings.lock().lock();
        try {
            old.parking.cancelRetries();
            settings.deadLetters().list(settings.name()).forEach(letter -> settings.deadLetters().remove(letter.id()));
            shadow.parking.moveDeadLetters(shadow.consumer(), settings.name());
            shadow.becomeServing(settings.name(), tracker, relay);
        } finally {
            settings.lock().unlock();
        }
        long safe = shadow.parking.safePosition(shadow.passed());
        tracker.resetTo(Math.max(0, safe));
        serving = shadow;
        tracker.start(shadow);
        relayIfStandingBy(shadow);
    }

    /** Options for a {@link ProjectionProcessor}. */
    public static final class Builder {
        private final Projection projection;
        private final EventStore store;
        private final EventCodec codec;
        private @Nullable CheckpointStore checkpoints;
        private @Nullable DeadLetterQueue deadLetters;
        private RetryPolicy retry = RetryPolicy.custom().maxAttempts(5).initialDelay(Duration.ofMillis(100))
                .maxDelay(Duration.ofSeconds(30)).multiplier(2.0).jitter(1.0).build();
        private ProcessingMode mode = ProcessingMode.ASYNC;
        private @Nullable TaskScheduler scheduler;
        private Clock clock = Clock.systemUTC();
        private RandomGenerator random = new Random();
        private int batchSize = 512;
        private Duration stallThreshold = Duration.ofSeconds(30);
        private Duration pollInterval = Duration.ofSeconds(1);
        private Duration standbyNotificationInterval = DEFAULT_STANDBY_NOTIFICATION_INTERVAL;
        private @Nullable MeterRegistry meterRegistry;
        private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;
        private boolean checkpointPastVolatileDeadLetters;
        private @Nullable ConsumerLease lease;
        private final List<ProjectionListener> listeners = new ArrayList<>();
        private PolicyEngine policy = PolicyEngine.allowAll();

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

        /**
         * Runs the projection only while its tracker holds the projection's lease (one instance of the application at
         * a time applies its events; the others stand by and take over from the checkpoint, see {@link LogTracker});
         * none by default: the processor handles whenever it is started. {@link #builder(Projection, NexusContext)}
         * sets the application's.
         */
        public Builder lease(ConsumerLease value) {
            this.lease = Objects.requireNonNull(value, "lease");
            return this;
        }

        /**
         * Runs the projection in every process that starts it, without a lease (undoes {@link #lease}): only for a
         * projection whose read model and checkpoint stay in this process.
         */
        public Builder withoutLease() {
            this.lease = null;
            return this;
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
         * Asked before a dead letter is retried or discarded and before a rebuild (actions
         * {@code dead-letter-retry}, {@code dead-letter-discard}, {@code projection-rebuild}); allows all by default,
         * the application's policy when built from a {@code NexusContext}.
         */
        public Builder policy(PolicyEngine value) {
            this.policy = Objects.requireNonNull(value, "policy");
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

        /**
         * While the processor stands by (another instance holds the projection's lease and applies its events), how
         * often it reads the projection's stored checkpoint, while events are pending, to tell its listeners of the
         * events the holder has applied; 25 ms by default. The delay doubles, up to {@link #pollInterval}, while the
         * checkpoint does not move. Only used with listeners and a lease.
         */
        public Builder standbyNotificationInterval(Duration value) {
            Objects.requireNonNull(value, "standbyNotificationInterval");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("standbyNotificationInterval must be positive, but was " + value);
            }
            this.standbyNotificationInterval = value;
            return this;
        }

        /**
         * Where each applied event is observed ({@link io.nexus.core.observation.NexusObservation#PROJECTION_HANDLE},
         * continuing the event's trace); nowhere by default.
         */
        public Builder observationRegistry(ObservationRegistry value) {
            this.observationRegistry = Objects.requireNonNull(value, "observationRegistry");
            return this;
        }

        /**
         * Where to record the processor's meters ({@code nexus.projection.events}, {@code .deadletters},
         * {@code .gaps}, and the tracker's {@code nexus.tracker.retries}); none by default.
         */
        public Builder meterRegistry(MeterRegistry value) {
            this.meterRegistry = Objects.requireNonNull(value, "meterRegistry");
            return this;
        }

        /**
         * Lets the checkpoint pass dead letters although the dead-letter queue does not outlive the process
         * ({@link DeadLetterQueue#isDurable()} is false, as for the in-memory queue). Without it the
         * checkpoint stays before the oldest dead letter, so that a restart meets the event again instead of
         * applying the aggregate's later events over the gap; with it a restart re-reads less, and a gap it
         * then meets is only caught where the processor or the projection knows the last applied version
         * ({@link Projection#lastAppliedVersion}). For tests and throwaway read models.
         */
        public Builder checkpointPastVolatileDeadLetters() {
            this.checkpointPastVolatileDeadLetters = true;
            return this;
        }

        /**
         * Adds a listener told of every event the serving projection applies (a shadow rebuild's events
         * are not reported: they are old news). A {@code NotificationHub} is one. Under a lease, while another
         * instance runs the projection, the listener is told of each event once the holder's stored checkpoint has
         * passed it (see {@link #standbyNotificationInterval}).
         */
        public Builder listener(ProjectionListener value) {
            this.listeners.add(Objects.requireNonNull(value, "listener"));
            return this;
        }

        /** The processor, not yet started. */
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
