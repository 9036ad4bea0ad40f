package io.nexus.saga;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.nexus.core.observation.NexusMdc;
import io.nexus.core.observation.NexusObservation;

import io.micrometer.core.instrument.MeterRegistry;
import io.nexus.core.Nexus;
import io.nexus.core.NexusException;
import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.command.CommandBus;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.lifecycle.NexusContext;
import io.nexus.core.policy.PolicyEngine;
import io.nexus.core.projection.TaskScheduler;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.saga.SagaDefinition;
import io.nexus.core.saga.SagaDefinition.Reply;
import io.nexus.core.saga.SagaDefinition.Step;
import io.nexus.core.scheduler.ScheduledTimer;
import io.nexus.core.scheduler.Scheduler;
import io.nexus.core.schema.EventValidator;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.store.ConcurrencyConflictException;
import io.nexus.core.store.DuplicateEventIdException;
import io.nexus.core.store.EventStore;
import io.nexus.core.tracking.LogTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Runs one {@link SagaDefinition}: starts an instance for each starting event, performs its steps,
 * reacts to replies and timeouts, and compensates the completed steps in reverse order after a failure.
 * In an application, register it with {@link SagaComponent#of(SagaDefinition)}; this class and its
 * builder are for running it standalone.
 *
 * <p>Where events come from: a {@link LogTracker} follows the store's global log for the consumer
 * {@code saga/<name>}, its position kept in the {@link CheckpointStore} port. {@link #start()} does that
 * in the background (woken by appends, timers checked every poll interval); {@link #poll()} does it once
 * on the caller's thread (tests, or an application's own loop); {@link #accept(EventEnvelope)} takes
 * events pushed by the caller instead.
 *
 * <p>Several instances of the application. Built {@linkplain Builder#from(NexusContext) from a context} that has a
 * {@linkplain NexusContext#consumerLease() consumer lease}, the coordinator's tracker runs under the lease
 * {@code saga/<name>}: the instance holding it handles the log and fires the due timers, the others stand by
 * ({@link #poll()} returns 0 there) and take over from the checkpoint when it stops or dies.
 *
 * <p>Implementation notes. The work is split along its jobs: {@link SagaDecider} is the pure decision
 * (state + input → saga events + effects), {@link SagaEffects} carries the effects out (timers on the
 * {@link Scheduler} port, commands, checked emitted events), {@link SagaInstances} stores the
 * event-sourced instances. This class feeds inputs through that loop: decide, arm timers, store the
 * events (re-deciding on a concurrency conflict), disarm timers and perform the action, then decide on
 * what came of it; every input ends by advancing the instance as far as its history allows. Delivery is
 * at least once: a batch of the log is done once every instance it concerns has settled, and a timer is
 * removed only after it was handled; redelivered starts and replies are recognised by their event ids.
 * One lock serializes handling; {@link #status} takes none.
 *
 * <p>Thread-safe.
 *
 * @param <E> the class of the starting event
 */
public final class SagaCoordinator<E> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SagaCoordinator.class);

    /** The aggregate type of saga streams. */
    public static final String SAGA_AGGREGATE_TYPE = SagaInstances.AGGREGATE_TYPE;

    private static final int MAX_CONFLICT_RETRIES = 16;
    private static final SagaInput ADVANCE = new SagaInput.Advance();
    /** Runs nothing: between calls of {@link #poll()} nothing happens by itself. */
    private static final TaskScheduler CALLER_DRIVEN = (task, delay) -> () -> { };

    private final SagaDefinition<E> definition;
    private final EventCodec codec;
    private final Clock clock;
    private final SagaInstances<E> instances;
    private final SagaDecider<E> decider;
    private final SagaEffects effects;
    private final CheckpointStore checkpoints;
    private final Function<String, LogTracker.Builder> trackers;
    private final @Nullable TaskScheduler taskScheduler;
    private final Duration pollInterval;
    private final int batchSize;
    private final String consumer;
    private final String startTypeName;
    private final Set<String> replyTypeNames;
    private final ObservationRegistry observations;

    private final ReentrantLock lock = new ReentrantLock();
    private int handled;

    private @Nullable LogTracker tracker;
    private @Nullable TaskScheduler tasks;
    private boolean ownsTasks;
    private boolean background;
    private boolean closed;
    private volatile TaskScheduler.@Nullable Cancellable timerTask;

    private SagaCoordinator(Builder<E> b) {
        this.definition = b.definition;
        // build() has checked the required settings.
        EventStore store = Objects.requireNonNull(b.store, "eventStore");
        EventCodec codec = Objects.requireNonNull(b.codec, "codec");
        this.codec = codec;
        this.clock = b.clock;
        SagaMeters meters = new SagaMeters(b.meterRegistry, definition.name());
        this.instances = new SagaInstances<>(definition, store, codec, meters, b.observationRegistry);
        this.decider = new SagaDecider<>(definition, b.commandRetry, b.compensationRetry, b.seed);
        Scheduler timers = b.timers != null ? b.timers : EventStoreScheduler.create(store);
        this.effects = new SagaEffects(definition.name(), Objects.requireNonNull(b.commandBus, "commandBus"), codec, b.validator, b.policy, timers, meters);
        this.checkpoints = b.checkpoints != null ? b.checkpoints : new InMemoryCheckpointStore();
        CheckpointStore positions = this.checkpoints;
        this.trackers = b.trackers != null ? b.trackers : c -> LogTracker.builder(c, store, store, positions);
        this.taskScheduler = b.taskScheduler;
        this.pollInterval = b.pollInterval;
        this.batchSize = b.batchSize;
        this.consumer = consumerName(definition.name());
        this.startTypeName = codec.types().byClass(definition.startEvent()).name();
        Set<String> replies = new LinkedHashSet<>();
        definition.replyTypes().forEach(t -> replies.add(codec.types().byClass(t).name()));
        this.replyTypeNames = Set.copyOf(replies);
        this.observations = b.observationRegistry;
    }

    /** Configures a coordinator for {@code definition}. */
    public static <E> Builder<E> builder(SagaDefinition<E> definition) {
        return new Builder<>(definition);
    }

    /** The consumer name under which the coordinator of saga {@code sagaName} keeps its position: {@code saga/<name>}. */
    public static String consumerName(String sagaName) {
        return "saga/" + sagaName;
    }

    /** The saga this coordinator runs. */
    public SagaDefinition<E> definition() {
        return definition;
    }

    /** The stream that holds the instance {@code sagaId}. */
    public String streamIdOf(String sagaId) {
        return instances.streamIdOf(sagaId);
    }

    /**
     * The global position up to which the log has been handled: the tracker's once it follows the log,
     * otherwise the stored checkpoint (0 when there is none).
     */
    public long position() {
        LogTracker current = tracker;
        if (current != null) {
            return current.position();
        }
        return checkpoints.load(consumer, Checkpoint.GLOBAL).map(Checkpoint::positionAsLong).orElse(0L);
    }

    /**
     * Handles the events appended since the last call, then the timers due on the clock, on the calling
     * thread. Without {@link #start()} nothing happens between calls.
     *
     * @return how many events and timers concerned this saga (exact when only {@code poll} drives the coordinator)
     * @throws NexusException        if an event could not be handled (one that cannot be decoded, a store
     *                               failure); it is handled again by the next call, nothing is skipped
     * @throws IllegalStateException if the coordinator is closed
     */
    public int poll() {
        LogTracker current;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("saga coordinator '" + definition.name() + "' is closed; build a new one");
            }
            if (tracker == null) {
                tracker = trackers.apply(consumer).scheduler(CALLER_DRIVEN).batchSize(batchSize).build();
                tracker.start(this::handle);
            }
            current = tracker;
        }
        lock.lock();
        try {
            handled = 0;
        } finally {
            lock.unlock();
        }
        // timers send commands whose replies land in the log: read on until neither has anything new
        for (int round = 0; round < 100; round++) {
            catchUp(current);
            if (current.isStandingBy()) {
                // another instance holds the saga's lease: it handles the log and fires the timers
                return handled;
            }
            lock.lock();
            try {
                if (fireDueTimers() == 0) {
                    return handled;
                }
            } finally {
                lock.unlock();
            }
        }
        return handled;
    }

    /** Reads the log up to its head; handling appends replies and saga events of its own, so it reads on until the head stays put. */
    private void catchUp(LogTracker current) {
        long before;
        do {
            before = current.position();
            if (!current.catchUpNow()) {
                if (!current.isRunning() || current.isStandingBy()) {
                    return;
                }
                throw current.lastFailure().orElseGet(() -> new NexusException("Saga '" + definition.name()
                        + "' could not read the event log after position " + current.position() + "; it is tried again on the next poll.",
                        null, true));
            }
        } while (current.position() > before && current.lag() > 0);
    }

    /**
     * Handles {@code event} pushed by the caller instead of read from the global log (the stored position
     * is untouched). Redelivering an event is harmless.
     *
     * @return whether the event concerned this saga
     * @throws SagaProcessingException if it could not be handled for a transient reason; push it again
     */
    public boolean accept(EventEnvelope event) {
        Objects.requireNonNull(event, "event");
        lock.lock();
        try {
            return process(event);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The status of instance {@code sagaId}, read from its stream; empty when it never started. Reads one
     * short stream and takes no lock.
     */
    public Optional<SagaStatus> status(String sagaId) {
        return instances.status(sagaId);
    }

    /**
     * Goes on with a saga in {@link SagaState#NEEDS_ATTENTION}: a parked compensation is tried again with
     * a fresh attempt budget, a step whose outcome stayed unknown is sent again (same command id) with a
     * fresh re-send budget.
     *
     * @throws SagaNotFoundException  if the instance never started
     * @throws IllegalStateException  if the instance does not need attention
     */
    public SagaStatus resume(String sagaId) {
        lock.lock();
        try {
            run(sagaId, new SagaInput.Resume(), "resume");
        } finally {
            lock.unlock();
        }
        return status(sagaId).orElseThrow();
    }

    /**
     * Starts handling in the background: a {@link LogTracker} follows the log (woken by appends, polling
     * every poll interval as the fallback) and due timers are fired every poll interval, on the task
     * scheduler (by default one daemon thread). A failing batch is retried by the tracker with backoff.
     *
     * @throws IllegalStateException if already started, or closed
     * @throws NexusException        if the checkpoint cannot be loaded (nothing is left running)
     */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("saga coordinator '" + definition.name() + "' is closed; build a new one");
        }
        if (background) {
            throw new IllegalStateException("saga coordinator '" + definition.name() + "' is already started");
        }
        if (tracker != null) {
            tracker.close();
            tracker = null;
        }
        TaskScheduler given = taskScheduler;
        ownsTasks = given == null;
        TaskScheduler scheduler = given != null ? given : TaskScheduler.singleThread("nexus-saga-" + definition.name());
        tasks = scheduler;
        LogTracker started = trackers.apply(consumer).scheduler(scheduler).batchSize(batchSize).pollInterval(pollInterval).build();
        try {
            started.start(this::handle);
        } catch (RuntimeException e) {
            started.close();
            if (ownsTasks) {
                scheduler.close();
            }
            throw e;
        }
        tracker = started;
        background = true;
        timerTask = scheduler.schedule(this::timerTick, pollInterval);
    }

    /** Whether {@link #start()} succeeded and {@link #close()} has not been called since. */
    public synchronized boolean isRunning() {
        return background;
    }

    /**
     * Stops following the log (the tracker stores its last checkpoint) and the timer checks, waiting for
     * a batch being handled. Harmless when called twice or when never started.
     */
    @Override
    public synchronized void close() {
        closed = true;
        background = false;
        TaskScheduler.Cancellable task = timerTask;
        if (task != null) {
            task.cancel();
        }
        if (tracker != null) {
            tracker.close();
            tracker = null;
        }
        TaskScheduler scheduler = tasks;
        if (ownsTasks && scheduler != null) {
            scheduler.close();
        }
    }

    // ---- inputs --------------------------------------------------------------------------------------

    private long handle(List<EventEnvelope> batch) {
        lock.lock();
        try {
            for (EventEnvelope event : batch) {
                if (process(event)) {
                    handled++;
                }
            }
        } finally {
            lock.unlock();
        }
        return batch.get(batch.size() - 1).globalPosition();
    }

    private void timerTick() {
        try {
            LogTracker current;
            synchronized (this) {
                current = tracker;
            }
            // timers are fired by the instance that holds the saga's lease, which also handles their replies
            if (current == null || !current.isStandingBy()) {
                lock.lock();
                try {
                    fireDueTimers();
                } finally {
                    lock.unlock();
                }
            }
        } catch (RuntimeException e) {
            log.warn("Saga '{}' could not handle its due timers; retrying in {}", definition.name(), pollInterval, e);
        }
        synchronized (this) {
            TaskScheduler scheduler = tasks;
            if (background && scheduler != null) {
                timerTask = scheduler.schedule(this::timerTick, pollInterval);
            }
        }
    }

    /** Lock held. */
    private int fireDueTimers() {
        int fired = 0;
        for (ScheduledTimer due : effects.due(clock.instant(), batchSize)) {
            handled++;
            Optional<SagaTimer> timer = SagaTimer.from(due);
            if (timer.isEmpty()) {
                log.warn("Saga '{}' ignores timer '{}' with malformed data '{}'", definition.name(), due.id(), due.data());
            } else {
                fire(timer.get(), due.id());
            }
            effects.handled(due);
            fired++;
        }
        return fired;
    }

    /**
     * Lock held. Runs the step {@code timer} fires. It handles no event, so it is observed as the saga handling the
     * instance's last recorded event (the step that armed the timer, or a later one), named {@code saga timer step-timeout}
     * ({@code command-resend}, {@code compensation-retry}):
     * it continues that event's trace, so the commands and events of a timeout or a retry stay in the request's trace.
     */
    private void fire(SagaTimer timer, String timerId) {
        String what = "handle timer " + timerId;
        EventEnvelope last = observations.isNoop() ? null : instances.load(timer.sagaId()).last;
        if (last == null) {
            run(timer.sagaId(), new SagaInput.TimerFired(timer), what);
            return;
        }
        Observation observation = NexusObservation.handling(NexusObservation.SAGA_HANDLE, consumer, last, observations)
                .contextualName("saga timer " + timer.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        try (NexusMdc.Scope ignored = NexusMdc.event(consumer, last)) {
            observation.start();
            String outcome = "failed";
            try (Observation.Scope scope = observation.openScope()) {
                run(timer.sagaId(), new SagaInput.TimerFired(timer), what);
                outcome = "handled";
            } catch (RuntimeException | Error e) {
                observation.error(e);
                throw e;
            } finally {
                observation.lowCardinalityKeyValue(NexusObservation.KeyNames.OUTCOME.asString(), outcome).stop();
            }
        }
    }

    /** Lock held. */
    private boolean process(EventEnvelope envelope) {
        String type = envelope.eventType();
        boolean isStart = type.equals(startTypeName);
        boolean isReply = replyTypeNames.contains(type);
        if (!isStart && !isReply) {
            return false;
        }
        // observed in the trace the event carries: the commands the saga sends meanwhile are its children
        NexusObservation.observe(NexusObservation.SAGA_HANDLE, consumer, envelope, observations,
                () -> process(envelope, type, isStart, isReply));
        return true;
    }

    /** Lock held. */
    private void process(EventEnvelope envelope, String type, boolean isStart, boolean isReply) {
        Object event = codec.decode(envelope);
        if (isStart && definition.startEvent().isInstance(event)) {
            String sagaId = definition.sagaIdOf(definition.startEvent().cast(event));
            run(sagaId, new SagaInput.Start(instances.started(sagaId, envelope)), "start");
        }
        if (isReply) {
            Set<String> keys = new LinkedHashSet<>();
            for (Step<E> step : definition.steps()) {
                for (Reply<?> reply : step.replies()) {
                    if (reply.matches(event)) {
                        String key = reply.correlationKey(event);
                        if (key != null && !key.isBlank()) {
                            keys.add(key);
                        }
                    }
                }
            }
            SagaInput.Reply reply = new SagaInput.Reply(envelope.eventId().toString(), event);
            keys.forEach(sagaId -> run(sagaId, reply, "handle reply " + type));
        }
    }

    /**
     * Lock held. Feeds {@code input} to the decider and carries its decision out, then feeds what came of
     * the action, until the instance waits for something outside (a reply, a timer) or is done.
     */
    private void run(String sagaId, SagaInput input, String what) {
        SagaInput next = input;
        int conflicts = 0;
        for (int guard = 0; guard < 10_000; guard++) {
            SagaInstance s = instances.load(sagaId);
            SagaDecider.Decision decision = decider.decide(s, next, clock.instant());
            if (decision.isEmpty()) {
                if (next instanceof SagaInput.Advance) {
                    return;
                }
                next = ADVANCE;
                continue;
            }
            effects.arm(decision);
            if (!decision.events().isEmpty() || !decision.emitted().isEmpty()) {
                try {
                    instances.append(s, decision);
                } catch (ConcurrencyConflictException | DuplicateEventIdException e) {
                    // another coordinator moved the instance on: decide again on what it recorded
                    if (++conflicts >= MAX_CONFLICT_RETRIES) {
                        throw new SagaProcessingException(definition.name(), sagaId, what, e);
                    }
                    continue;
                }
            }
            next = effects.run(s, decision).orElse(ADVANCE);
        }
        throw new IllegalStateException("saga '" + definition.name() + "' instance '" + sagaId + "' did not settle");
    }

    /**
     * Builds a {@link SagaCoordinator}. Required: the event store, codec and command bus (all from
     * {@link #from(NexusContext)}, given the application's context or its {@link Nexus}). Missing settings are reported together by
     * {@link #build()}.
     *
     * @param <E> the class of the starting event
     */
    public static final class Builder<E> {
        private final SagaDefinition<E> definition;
        private @Nullable EventStore store;
        private @Nullable EventCodec codec;
        private @Nullable CommandBus commandBus;
        private Clock clock = Clock.systemUTC();
        private @Nullable Scheduler timers;
        private @Nullable CheckpointStore checkpoints;
        private @Nullable Function<String, LogTracker.Builder> trackers;
        private @Nullable TaskScheduler taskScheduler;
        private RetryPolicy compensationRetry = RetryPolicy.custom().maxAttempts(5).initialDelay(Duration.ofSeconds(1))
                .maxDelay(Duration.ofMinutes(5)).jitter(0.2).build();
        private RetryPolicy commandRetry = RetryPolicy.custom().maxAttempts(10).initialDelay(Duration.ofSeconds(1))
                .maxDelay(Duration.ofMinutes(5)).jitter(0.2).build();
        private Duration pollInterval = Duration.ofSeconds(1);
        private int batchSize = 256;
        private @Nullable MeterRegistry meterRegistry;
        private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;
        private EventValidator validator = EventValidator.acceptAll();
        private PolicyEngine policy = PolicyEngine.allowAll();
        private long seed = System.nanoTime();

        private Builder(SagaDefinition<E> definition) {
            this.definition = Objects.requireNonNull(definition, "definition");
        }

        /**
         * Takes everything from the application {@code context} (a {@link Nexus} is one): event store,
         * codec, command bus, clock, meter registry, validator, policy engine, checkpoint store, timers (the
         * {@link Scheduler} port) and its way to follow the log, under the context's consumer lease when it has one.
         */
        public Builder<E> from(NexusContext context) {
            Objects.requireNonNull(context, "context");
            eventStore(context.eventStore()).codec(context.codec()).commandBus(context.commands()).clock(context.clock())
                    .meterRegistry(context.meterRegistry()).observationRegistry(context.observationRegistry())
                    .validator(context.validator()).policy(context.policy())
                    .checkpoints(context.checkpoints()).timers(context.timers());
            this.trackers = context::logTracker;
            return this;
        }

        /**
         * Where the handling of each start and reply event is observed ({@link NexusObservation#SAGA_HANDLE},
         * continuing the event's trace; the saga's commands are its children; a step a timer fires continues the
         * instance's last recorded event) and each decision's append
         * ({@link NexusObservation#SAGA_APPEND}, so the events the saga records and emits carry the step's trace); nowhere
         * by default.
         */
        public Builder<E> observationRegistry(ObservationRegistry value) {
            this.observationRegistry = Objects.requireNonNull(value, "observationRegistry");
            return this;
        }

        /** Checks every event a step emits before it is stored (schema governance); accepts all by default. */
        public Builder<E> validator(EventValidator value) {
            this.validator = Objects.requireNonNull(value, "validator");
            return this;
        }

        /**
         * Authorizes every event a step emits before it is stored (action {@code append}, aggregate type
         * {@code saga}, the principal {@code {saga=<name>}}); a denial fails the step. Allows all by default.
         */
        public Builder<E> policy(PolicyEngine value) {
            this.policy = Objects.requireNonNull(value, "policy");
            return this;
        }

        /** Where saga instances and (by default) timers are stored, and whose global log is read. */
        public Builder<E> eventStore(EventStore value) {
            this.store = Objects.requireNonNull(value, "eventStore");
            return this;
        }

        /** Decodes starting and reply events, encodes emitted ones; every event class of the definition must be registered. */
        public Builder<E> codec(EventCodec value) {
            this.codec = Objects.requireNonNull(value, "codec");
            return this;
        }

        /** Where step commands and compensations are sent. */
        public Builder<E> commandBus(CommandBus value) {
            this.commandBus = Objects.requireNonNull(value, "commandBus");
            return this;
        }

        /** The clock deadlines are computed and timers fired on; a controllable one in tests. */
        public Builder<E> clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Holds pending timeouts and retries (the durable timer port); by default an {@link EventStoreScheduler} over the event store. */
        public Builder<E> timers(Scheduler value) {
            this.timers = Objects.requireNonNull(value, "timers");
            return this;
        }

        /**
         * Same as {@link #timers(Scheduler)}.
         *
         * @deprecated use {@link #timers(Scheduler)}, named like {@link NexusContext#timers()}
         */
        @Deprecated
        public Builder<E> scheduler(Scheduler value) {
            return timers(value);
        }

        /**
         * Where the position in the log is kept (consumer {@code saga/<name>}); by default in memory, so a
         * new coordinator reads the log from the start (harmless, every delivery is idempotent, but slow on
         * a long log): give it the application's durable checkpoint store.
         */
        public Builder<E> checkpoints(CheckpointStore value) {
            this.checkpoints = Objects.requireNonNull(value, "checkpoints");
            return this;
        }

        /** Where the background work runs (following the log, firing timers); by default one daemon thread the coordinator owns. */
        public Builder<E> taskScheduler(TaskScheduler value) {
            this.taskScheduler = Objects.requireNonNull(value, "taskScheduler");
            return this;
        }

        /** Attempts and backoff of a failing compensation; default 5 attempts, 1 s doubling to 5 min, 20 % jitter. */
        public Builder<E> compensationRetry(RetryPolicy value) {
            this.compensationRetry = Objects.requireNonNull(value, "compensationRetry");
            return this;
        }

        /**
         * Attempts and backoff of a step command whose outcome is unknown (the send threw something other
         * than a refusal), each a re-send with the same command id; past the last the saga is parked.
         * Default 10 attempts, 1 s doubling to 5 min, 20 % jitter.
         */
        public Builder<E> commandRetry(RetryPolicy value) {
            this.commandRetry = Objects.requireNonNull(value, "commandRetry");
            return this;
        }

        /** How often timers are checked, and the log polled when no append wakes the coordinator; default 1 s. */
        public Builder<E> pollInterval(Duration value) {
            Objects.requireNonNull(value, "pollInterval");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("pollInterval must be positive, but was " + value);
            }
            this.pollInterval = value;
            return this;
        }

        /** How many events are read from the log, and timers fired, per batch; default 256. */
        public Builder<E> batchSize(int value) {
            if (value < 1 || value > 10_000) {
                throw new IllegalArgumentException("batchSize must be 1..10000, but was " + value);
            }
            this.batchSize = value;
            return this;
        }

        /** Where counters of saga events, commands and compensations go; none by default. */
        public Builder<E> meterRegistry(MeterRegistry value) {
            this.meterRegistry = Objects.requireNonNull(value, "meterRegistry");
            return this;
        }

        /** Seeds the jitter of retry backoff, for reproducible tests. */
        public Builder<E> randomSeed(long value) {
            this.seed = value;
            return this;
        }

        /**
         * Builds the coordinator; it reads nothing until polled or started.
         *
         * @throws IllegalStateException    if the event store, codec or command bus is missing (all named at once)
         * @throws IllegalArgumentException if an event class of the definition is not registered with the codec
         */
        public SagaCoordinator<E> build() {
            List<String> missing = new ArrayList<>();
            if (store == null) {
                missing.add("eventStore");
            }
            if (codec == null) {
                missing.add("codec");
            }
            if (commandBus == null) {
                missing.add("commandBus");
            }
            if (!missing.isEmpty()) {
                throw new IllegalStateException("saga coordinator '" + definition.name() + "' is missing " + missing
                        + "; set them, or take them all from the application with from(nexus)");
            }
            EventCodec checked = Objects.requireNonNull(codec, "codec");
            List<String> unregistered = new ArrayList<>();
            Set<Class<?>> classes = new LinkedHashSet<>();
            classes.add(definition.startEvent());
            classes.addAll(definition.replyTypes());
            for (Class<?> type : classes) {
                if (!checked.types().contains(type)) {
                    unregistered.add(type.getName());
                }
            }
            if (!unregistered.isEmpty()) {
                throw new IllegalArgumentException("saga '" + definition.name() + "' listens to event classes that are not registered: "
                        + unregistered + "; register them in the application's EventTypes");
            }
            return new SagaCoordinator<>(this);
        }
    }
}
