package io.nexus.saga;

import io.nexus.core.Nexus;
import io.nexus.core.NexusException;
import io.nexus.core.command.CommandBus;
import io.nexus.core.command.CommandMetadata;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.internal.NexusMetrics;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.schema.EventValidator;
import io.nexus.core.saga.SagaDefinition;
import io.nexus.core.saga.SagaDefinition.Action;
import io.nexus.core.saga.SagaDefinition.Reply;
import io.nexus.core.saga.SagaDefinition.Step;
import io.nexus.core.scheduler.ScheduledTimer;
import io.nexus.core.scheduler.Scheduler;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.ConcurrencyConflictException;
import io.nexus.core.store.DuplicateEventIdException;
import io.nexus.core.store.EventStore;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.StreamQuery;
import io.nexus.core.store.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs one {@link SagaDefinition}: starts an instance for each starting event, performs its steps,
 * reacts to replies and timeouts, and compensates the completed steps in reverse order after a failure.
 *
 * <p>Where events come from: {@link #poll()} reads the store's global log from the coordinator's own
 * stored position (stream {@code nexus-saga-checkpoint-<name>}), so it works with any {@link EventStore};
 * {@link #start()} does that on a background thread woken by the store's append subscription. An
 * application without a global log can push events with {@link #accept(EventEnvelope)} instead.
 *
 * <p>Implementation notes.
 * <ul>
 *   <li>State: each instance is event-sourced in the stream {@code saga-<name>-<id>} (aggregate type
 *       {@code saga}); every decision is an append with the expected version read, so two coordinators
 *       over one store never both decide for one instance.</li>
 *   <li>Effects after decisions: the coordinator records what it is about to do (step requested,
 *       compensation requested), does it, then records that it is done. Handling any input ends by
 *       "driving" the instance: redoing whatever the stream says is requested but not done. Commands are
 *       sent with ids derived from saga name, id, step and purpose, so a redo after a crash meets the
 *       command bus's duplicate detection instead of running twice.</li>
 *   <li>At least once: the position is stored after a batch that held events of this saga is fully
 *       handled (and after every {@code batchSize} other events, so that coordinators of different sagas
 *       never answer each other's checkpoint writes with their own), and a timer is cancelled
 *       after it is handled, so a crash redelivers; redelivered starts and replies are recognised by
 *       their event ids, recorded in the saga's events.</li>
 *   <li>Timers: a step timeout or compensation retry is scheduled before the event that records it is
 *       appended, so no recorded deadline lacks its timer; a timer that became moot does nothing.</li>
 *   <li>Failures: a command the bus refuses permanently fails the step; a transient failure (store
 *       down, conflict past its retries) aborts the current input with {@link SagaProcessingException}
 *       so it is retried on the next poll. A failing compensation is retried with the compensation
 *       retry policy's backoff on the clock, then parks the saga as {@link SagaState#NEEDS_ATTENTION}.</li>
 *   <li>One lock serializes all handling in this coordinator; {@link #status} takes no lock.</li>
 * </ul>
 *
 * <p>Thread-safe.
 *
 * @param <E> the class of the starting event
 */
public final class SagaCoordinator<E> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SagaCoordinator.class);

    /** The aggregate type of saga streams. */
    public static final String SAGA_AGGREGATE_TYPE = "saga";

    private static final String CHECKPOINT_AGGREGATE_TYPE = "nexus-saga-checkpoint";
    private static final String CHECKPOINT_TYPE = "nexus.saga.Checkpoint";
    private static final String TIMEOUT = "timeout";
    private static final String RETRY = "retry";
    private static final int MAX_CONFLICT_RETRIES = 16;
    private static final int CACHE_SIZE = 10_000;

    private final SagaDefinition<E> definition;
    private final EventStore store;
    private final EventCodec codec;
    private final CommandBus commandBus;
    private final Clock clock;
    private final Scheduler scheduler;
    private final RetryPolicy compensationRetry;
    private final Duration pollInterval;
    private final int batchSize;
    private final String checkpointStream;
    private final NexusMetrics metrics;
    private final EventValidator validator;
    private final String startTypeName;
    private final Set<String> replyTypeNames;

    private final ReentrantLock lock = new ReentrantLock();
    private final SplittableRandom random;
    private final Map<String, SagaInstance> cache = new LinkedHashMap<>(256, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SagaInstance> eldest) {
            return size() > CACHE_SIZE;
        }
    };
    private long position;
    private int unstored;

    private final Semaphore wakeUp = new Semaphore(0);
    private volatile boolean running;
    private Thread worker;
    private Subscription subscription;

    private SagaCoordinator(Builder<E> b) {
        this.definition = b.definition;
        this.store = b.store;
        this.codec = b.codec;
        this.commandBus = b.commandBus;
        this.clock = b.clock;
        this.scheduler = b.scheduler != null ? b.scheduler : EventStoreScheduler.create(b.store);
        this.compensationRetry = b.compensationRetry;
        this.pollInterval = b.pollInterval;
        this.batchSize = b.batchSize;
        this.checkpointStream = b.checkpointStream != null ? b.checkpointStream : "nexus-saga-checkpoint-" + definition.name();
        this.metrics = b.metrics;
        this.validator = b.validator;
        this.random = new SplittableRandom(b.seed);
        this.startTypeName = codec.types().byClass(definition.startEvent()).name();
        Set<String> replies = new LinkedHashSet<>();
        definition.replyTypes().forEach(t -> replies.add(codec.types().byClass(t).name()));
        this.replyTypeNames = Set.copyOf(replies);
        this.position = loadCheckpoint();
    }

    /** Configures a coordinator for {@code definition}. */
    public static <E> Builder<E> builder(SagaDefinition<E> definition) {
        return new Builder<>(definition);
    }

    /** The saga this coordinator runs. */
    public SagaDefinition<E> definition() {
        return definition;
    }

    /** The stream that holds the instance {@code sagaId}. */
    public String streamIdOf(String sagaId) {
        return "saga-" + definition.name() + "-" + sagaId;
    }

    /** The global position up to which events have been handled. */
    public long position() {
        lock.lock();
        try {
            return position;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Handles the events appended since the last call, then the timers due on the clock.
     *
     * @return how many events and timers concerned this saga
     * @throws SagaProcessingException if an input could not be handled for a transient reason; it is
     *                                 handled again by the next call
     * @throws NexusException          for permanent failures (an event that cannot be decoded, ...)
     */
    public int poll() {
        lock.lock();
        try {
            return catchUp() + fireDueTimers();
        } finally {
            lock.unlock();
        }
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
        SagaInstance instance = new SagaInstance(definition.name(), sagaId, streamIdOf(sagaId));
        store.read(StreamQuery.stream(instance.streamId)).forEach(instance::apply);
        return instance.exists() ? Optional.of(instance.toStatus()) : Optional.empty();
    }

    /**
     * Tries the parked compensation of a saga in {@link SagaState#NEEDS_ATTENTION} again, with a fresh
     * attempt budget, and goes on compensating.
     *
     * @throws SagaNotFoundException  if the instance never started
     * @throws IllegalStateException  if the instance does not need attention
     */
    public SagaStatus resume(String sagaId) {
        lock.lock();
        try {
            decide(sagaId, "resume", s -> {
                if (!s.exists()) {
                    throw new SagaNotFoundException(definition.name(), sagaId);
                }
                if (s.state != SagaState.NEEDS_ATTENTION) {
                    throw new IllegalStateException("saga '" + definition.name() + "' instance '" + sagaId
                            + "' is " + s.state + ", not NEEDS_ATTENTION; only a parked saga can be resumed");
                }
                return List.of(new SagaEvent.Resumed(s.compensatingStep));
            });
            drive(sagaId);
        } finally {
            lock.unlock();
        }
        return status(sagaId).orElseThrow();
    }

    /**
     * Starts handling on a background thread: woken by every append to the store and at least every
     * poll interval (for timers). A failing poll is logged and retried after the poll interval.
     *
     * @throws IllegalStateException if already started
     */
    public synchronized void start() {
        if (running) {
            throw new IllegalStateException("saga coordinator '" + definition.name() + "' is already started");
        }
        running = true;
        subscription = store.subscribe(events -> wakeUp.release());
        worker = new Thread(this::runLoop, "nexus-saga-" + definition.name());
        worker.setDaemon(true);
        worker.start();
    }

    /** Stops the background thread (if started) and waits up to 10 s for it. Harmless when not started. */
    @Override
    public synchronized void close() {
        if (!running) {
            return;
        }
        running = false;
        subscription.close();
        wakeUp.release();
        try {
            worker.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void runLoop() {
        while (running) {
            try {
                poll();
            } catch (RuntimeException e) {
                log.warn("Saga '{}' poll failed; retrying in {}", definition.name(), pollInterval, e);
            }
            try {
                if (wakeUp.tryAcquire(pollInterval.toNanos(), TimeUnit.NANOSECONDS)) {
                    wakeUp.drainPermits();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ---- inputs --------------------------------------------------------------------------------------

    private int catchUp() {
        int handled = 0;
        while (true) {
            List<EventEnvelope> batch = store.readAll(position + 1, batchSize);
            if (batch.isEmpty()) {
                break;
            }
            boolean relevant = false;
            for (EventEnvelope event : batch) {
                if (process(event)) {
                    handled++;
                    relevant = true;
                }
                position = event.globalPosition();
            }
            unstored += batch.size();
            if (relevant || unstored >= batchSize) {
                storeCheckpoint();
                unstored = 0;
            }
        }
        return handled;
    }

    private int fireDueTimers() {
        int handled = 0;
        for (ScheduledTimer timer : scheduler.due(definition.name(), clock.instant(), batchSize)) {
            String[] parts = timer.data().split(":", 3);
            if (parts.length != 3) {
                log.warn("Saga '{}' ignores timer '{}' with malformed data '{}'", definition.name(), timer.id(), timer.data());
            } else if (TIMEOUT.equals(parts[0])) {
                onTimeout(parts[2], parts[1]);
            } else {
                drive(parts[2]);
            }
            scheduler.cancel(definition.name(), timer.id());
            handled++;
        }
        return handled;
    }

    private boolean process(EventEnvelope envelope) {
        String type = envelope.eventType();
        boolean isStart = type.equals(startTypeName);
        boolean isReply = replyTypeNames.contains(type);
        if (!isStart && !isReply) {
            return false;
        }
        Object event = codec.decode(envelope);
        if (isStart && definition.startEvent().isInstance(event)) {
            onStart(definition.startEvent().cast(event), envelope);
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
            keys.forEach(sagaId -> onReply(sagaId, envelope, event));
        }
        return true;
    }

    private void onStart(E event, EventEnvelope envelope) {
        String sagaId = definition.sagaIdOf(event);
        SagaInstance instance = decide(sagaId, "start", s -> s.exists() ? List.of()
                : List.of(new SagaEvent.Started(definition.name(), sagaId, envelope.eventId().toString(), envelope.streamId(),
                envelope.eventType(), envelope.schemaVersion(),
                Base64.getEncoder().encodeToString(envelope.payload().unsafeBytes()))));
        if (instance.startEvent == null && instance.started.triggerEventId().equals(envelope.eventId().toString())) {
            instance.startEvent = event;
        }
        drive(sagaId);
    }

    private void onReply(String sagaId, EventEnvelope envelope, Object event) {
        String eventId = envelope.eventId().toString();
        String[] endedStep = new String[1];
        decide(sagaId, "handle reply " + envelope.eventType(), s -> {
            if (!s.exists() || s.state != SagaState.RUNNING || s.requestedStep == null || s.handledEventIds.contains(eventId)) {
                return List.of();
            }
            Step<E> step = step(s.requestedStep);
            Optional<Reply<?>> reply = step.replies().stream()
                    .filter(r -> r.matches(event) && sagaId.equals(r.correlationKey(event))).findFirst();
            if (reply.isEmpty()) {
                return List.of();
            }
            endedStep[0] = step.name();
            return List.of(reply.get().success() ? new SagaEvent.StepSucceeded(step.name(), eventId)
                    : new SagaEvent.StepFailed(step.name(), reply.get().reasonOf(event), eventId));
        });
        if (endedStep[0] != null && step(endedStep[0]).timeout().isPresent()) {
            scheduler.cancel(definition.name(), timerId(sagaId, TIMEOUT, endedStep[0], 0));
        }
        drive(sagaId);
    }

    private void onTimeout(String sagaId, String stepName) {
        Instant now = clock.instant();
        decide(sagaId, "time out step '" + stepName + "'", s -> {
            if (!s.exists() || s.state != SagaState.RUNNING || !stepName.equals(s.requestedStep) || s.deadline == null
                    || s.deadline.isAfter(now)) {
                return List.of();
            }
            return List.of(new SagaEvent.StepTimedOut(stepName, s.deadline));
        });
        drive(sagaId);
    }

    // ---- driving an instance forward ---------------------------------------------------------------------

    /** Performs whatever the instance's stream says is due, until it waits for a reply, a timer or is done. */
    private void drive(String sagaId) {
        for (int guard = 0; guard < 10_000; guard++) {
            SagaInstance s = load(sagaId);
            if (!s.exists()) {
                return;
            }
            List<Object> events = switch (s.state) {
                case RUNNING -> nextForward(s);
                case COMPENSATING -> nextCompensation(s);
                default -> List.of();
            };
            if (events.isEmpty()) {
                return;
            }
            try {
                append(s, events);
            } catch (ConcurrencyConflictException | DuplicateEventIdException e) {
                // another coordinator moved the instance on: reload and look again (effects are idempotent)
                log.debug("Saga '{}' instance '{}' changed concurrently; reloading", definition.name(), sagaId);
            }
        }
        throw new IllegalStateException("saga '" + definition.name() + "' instance '" + sagaId + "' did not settle");
    }

    private List<Object> nextForward(SagaInstance s) {
        int next = s.completed.size();
        if (next >= definition.steps().size()) {
            return List.of(new SagaEvent.Completed());
        }
        Step<E> step = definition.steps().get(next);
        if (!step.name().equals(s.requestedStep)) {
            if (step.action().isEmpty()) {
                return List.of(new SagaEvent.StepRequested(step.name(), null), new SagaEvent.StepSucceeded(step.name(), null));
            }
            Instant deadline = step.timeout().map(t -> clock.instant().plus(t)).orElse(null);
            if (deadline != null) {
                schedule(s.sagaId, TIMEOUT, step.name(), 0, deadline);
            }
            return List.of(new SagaEvent.StepRequested(step.name(), deadline));
        }
        if (s.dispatched) {
            return List.of();
        }
        List<Object> events = new ArrayList<>(3);
        try {
            String commandId = perform(s, step.action().orElseThrow(), step.name(), "step", events);
            events.add(new SagaEvent.StepDispatched(step.name(), commandId));
            if (!step.awaitsReply()) {
                events.add(new SagaEvent.StepSucceeded(step.name(), null));
            }
        } catch (NexusException e) {
            if (e.isTransient()) {
                throw new SagaProcessingException(definition.name(), s.sagaId, "perform step '" + step.name() + "'", e);
            }
            events.clear();
            events.add(new SagaEvent.StepFailed(step.name(), describe(e), null));
        } catch (RuntimeException e) {
            events.clear();
            events.add(new SagaEvent.StepFailed(step.name(), describe(e), null));
        }
        if (events.get(events.size() - 1) instanceof SagaEvent.StepFailed && step.timeout().isPresent()) {
            scheduler.cancel(definition.name(), timerId(s.sagaId, TIMEOUT, step.name(), 0));
        }
        return events;
    }

    private List<Object> nextCompensation(SagaInstance s) {
        Step<E> target = null;
        for (int i = s.completed.size() - 1; i >= 0 && target == null; i--) {
            Step<E> candidate = step(s.completed.get(i));
            if (candidate.compensation().isPresent() && !s.compensated.contains(candidate.name())) {
                target = candidate;
            }
        }
        if (target == null) {
            return List.of(new SagaEvent.Compensated());
        }
        if (!s.compensationRequested || !target.name().equals(s.compensatingStep)) {
            return List.of(new SagaEvent.CompensationRequested(target.name()));
        }
        Instant now = clock.instant();
        if (s.compensationRetryAt != null && s.compensationRetryAt.isAfter(now)) {
            return List.of();
        }
        List<Object> events = new ArrayList<>(2);
        try {
            perform(s, target.compensation().orElseThrow(), target.name(), "compensation", events);
            events.add(new SagaEvent.CompensationDone(target.name()));
            metrics.count("nexus.saga.compensations", "saga", definition.name(), "outcome", "done");
            return events;
        } catch (RuntimeException e) {
            int attempt = s.compensationAttempts + 1;
            String cause = describe(e);
            metrics.count("nexus.saga.compensations", "saga", definition.name(), "outcome", "failed");
            if (compensationRetry.canRetryAfter(attempt)) {
                Instant retryAt = now.plus(compensationRetry.delayAfter(attempt, random));
                schedule(s.sagaId, RETRY, target.name(), attempt, retryAt);
                return List.of(new SagaEvent.CompensationFailed(target.name(), attempt, cause, retryAt));
            }
            log.warn("Saga '{}' instance '{}' needs attention: compensation of step '{}' failed {} times",
                    definition.name(), s.sagaId, target.name(), attempt, e);
            return List.of(new SagaEvent.NeedsAttention(target.name(), cause, attempt));
        }
    }

    /** Performs {@code action}; an emitted event is added to {@code events} to be stored with them. */
    private String perform(SagaInstance s, Action<E> action, String stepName, String purpose, List<Object> events) {
        E start = startEvent(s);
        UUID id = UUID.nameUUIDFromBytes(("nexus-saga/" + definition.name() + "/" + s.sagaId + "/" + purpose + "/" + stepName)
                .getBytes(StandardCharsets.UTF_8));
        String correlation = s.started.triggerEventId();
        Map<String, String> attributes = Map.of("saga", definition.name(), "sagaId", s.sagaId, "sagaStep", stepName,
                "sagaAction", purpose);
        Object message = action.create(start);
        if (action instanceof Action.SendCommand<E>) {
            commandBus.send(message, CommandMetadata.withCommandId(id).correlationId(correlation).attributes(attributes));
            metrics.count("nexus.saga.commands", "saga", definition.name(), "purpose", purpose);
            return id.toString();
        }
        NewEvent emitted = codec.encode(message, id, correlation, s.started.triggerEventId(), attributes);
        validator.validate(s.streamId, emitted);
        events.add(emitted);
        return null;
    }

    // ---- instance state ------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Decision {
        List<Object> decide(SagaInstance instance);
    }

    /** Appends what {@code decision} returns for the current state, re-deciding after a concurrency conflict. */
    private SagaInstance decide(String sagaId, String what, Decision decision) {
        for (int attempt = 1; ; attempt++) {
            SagaInstance s = load(sagaId);
            List<Object> events = decision.decide(s);
            if (events.isEmpty()) {
                return s;
            }
            try {
                append(s, events);
                return s;
            } catch (ConcurrencyConflictException | DuplicateEventIdException e) {
                if (attempt >= MAX_CONFLICT_RETRIES) {
                    throw new SagaProcessingException(definition.name(), sagaId, what, e);
                }
            }
        }
    }

    private SagaInstance load(String sagaId) {
        SagaInstance s = cache.get(sagaId);
        if (s == null) {
            s = new SagaInstance(definition.name(), sagaId, streamIdOf(sagaId));
        }
        try {
            store.read(StreamQuery.stream(s.streamId).fromVersion(s.version + 1)).forEach(s::apply);
        } catch (RuntimeException e) {
            cache.remove(sagaId);
            throw e;
        }
        cache.put(sagaId, s);
        return s;
    }

    private void append(SagaInstance s, List<Object> events) {
        List<NewEvent> batch = new ArrayList<>(events.size());
        String correlation = s.started == null ? null : s.started.triggerEventId();
        for (Object event : events) {
            if (event instanceof SagaEvent sagaEvent) {
                batch.add(sagaEvent.toNewEvent(correlation));
                metrics.count("nexus.saga.events", "saga", definition.name(), "type", sagaEvent.getClass().getSimpleName());
            } else {
                batch.add((NewEvent) event);
            }
        }
        AppendResult result = store.append(s.streamId, SAGA_AGGREGATE_TYPE, ExpectedVersion.exactly(s.version), batch);
        result.events().forEach(s::apply);
    }

    @SuppressWarnings("unchecked")
    private E startEvent(SagaInstance s) {
        if (s.startEvent == null) {
            SagaEvent.Started st = s.started;
            EventEnvelope trigger = new EventEnvelope(UUID.fromString(st.triggerEventId()), st.triggerStreamId(), null, 1,
                    EventEnvelope.NO_POSITION, st.triggerType(), st.triggerSchemaVersion(), Instant.EPOCH, null, null, Map.of(),
                    EventPayload.ofBytes(Base64.getDecoder().decode(st.triggerPayload())));
            s.startEvent = definition.startEvent().cast(codec.decode(trigger));
        }
        return (E) s.startEvent;
    }

    private Step<E> step(String name) {
        return definition.step(name).orElseThrow(() -> new IllegalStateException("saga '" + definition.name()
                + "' has no step '" + name + "' but its stored history names it; steps must not be renamed while instances run"));
    }

    private void schedule(String sagaId, String kind, String stepName, int attempt, Instant dueAt) {
        scheduler.schedule(new ScheduledTimer(timerId(sagaId, kind, stepName, attempt), definition.name(), dueAt,
                kind + ":" + stepName + ":" + sagaId));
    }

    private static String timerId(String sagaId, String kind, String stepName, int attempt) {
        return sagaId + "/" + kind + "/" + stepName + (attempt > 0 ? "/" + attempt : "");
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    // ---- checkpoint ------------------------------------------------------------------------------------

    private long loadCheckpoint() {
        long version = store.currentVersion(checkpointStream);
        if (version == 0) {
            return 0;
        }
        EventEnvelope last = store.read(StreamQuery.stream(checkpointStream).fromVersion(version)).get(0);
        return Long.parseLong(last.payload().asString().trim());
    }

    private void storeCheckpoint() {
        NewEvent event = new NewEvent(UUID.randomUUID(), CHECKPOINT_TYPE, 1, EventPayload.ofJson(Long.toString(position)),
                null, null, Map.of());
        store.append(checkpointStream, CHECKPOINT_AGGREGATE_TYPE, ExpectedVersion.any(), List.of(event));
    }

    /**
     * Builds a {@link SagaCoordinator}. Required: the event store, codec and command bus (all three from
     * {@link #from(Nexus)}). Missing settings are reported together by {@link #build()}.
     *
     * @param <E> the class of the starting event
     */
    public static final class Builder<E> {
        private final SagaDefinition<E> definition;
        private EventStore store;
        private EventCodec codec;
        private CommandBus commandBus;
        private Clock clock = Clock.systemUTC();
        private Scheduler scheduler;
        private RetryPolicy compensationRetry = RetryPolicy.custom().maxAttempts(5).initialDelay(Duration.ofSeconds(1))
                .maxDelay(Duration.ofMinutes(5)).jitter(0.2).build();
        private Duration pollInterval = Duration.ofSeconds(1);
        private int batchSize = 256;
        private String checkpointStream;
        private NexusMetrics metrics = NexusMetrics.of(null);
        private EventValidator validator = EventValidator.acceptAll();
        private long seed = System.nanoTime();

        private Builder(SagaDefinition<E> definition) {
            this.definition = Objects.requireNonNull(definition, "definition");
        }

        /** Takes the event store, codec, command bus, event validator, clock and metrics of {@code nexus}. */
        public Builder<E> from(Nexus nexus) {
            Objects.requireNonNull(nexus, "nexus");
            return eventStore(nexus.eventStore()).codec(nexus.codec()).commandBus(nexus.commands()).clock(nexus.clock())
                    .metrics(NexusMetrics.of(nexus.meterRegistry())).validator(nexus.validator());
        }

        /** Checks every event a step emits before it is stored (schema governance); accepts all by default. */
        public Builder<E> validator(EventValidator value) {
            this.validator = Objects.requireNonNull(value, "validator");
            return this;
        }

        /** Where saga instances, the position and (by default) timers are stored, and whose global log is read. */
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

        /** Holds pending timeouts; by default an {@link EventStoreScheduler} over the event store. */
        public Builder<E> scheduler(Scheduler value) {
            this.scheduler = Objects.requireNonNull(value, "scheduler");
            return this;
        }

        /** Attempts and backoff of a failing compensation; default 5 attempts, 1 s doubling to 5 min, 20 % jitter. */
        public Builder<E> compensationRetry(RetryPolicy value) {
            this.compensationRetry = Objects.requireNonNull(value, "compensationRetry");
            return this;
        }

        /** How often the background thread checks timers when no append wakes it; default 1 s. */
        public Builder<E> pollInterval(Duration value) {
            Objects.requireNonNull(value, "pollInterval");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("pollInterval must be positive, but was " + value);
            }
            this.pollInterval = value;
            return this;
        }

        /** How many events are read from the global log per batch; the position is stored after each. Default 256. */
        public Builder<E> batchSize(int value) {
            if (value < 1 || value > 10_000) {
                throw new IllegalArgumentException("batchSize must be 1..10000, but was " + value);
            }
            this.batchSize = value;
            return this;
        }

        /** The stream that holds the position; default {@code nexus-saga-checkpoint-<saga name>}. */
        public Builder<E> checkpointStream(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("checkpointStream must not be blank, but was '" + value + "'");
            }
            this.checkpointStream = value;
            return this;
        }

        /** Where counters of saga events, commands and compensations go; none by default. */
        public Builder<E> metrics(NexusMetrics value) {
            this.metrics = Objects.requireNonNull(value, "metrics");
            return this;
        }

        /** Seeds the jitter of compensation backoff, for reproducible tests. */
        public Builder<E> randomSeed(long value) {
            this.seed = value;
            return this;
        }

        /**
         * Builds the coordinator and loads its stored position.
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
                        + "; set them, or take them all from a Nexus with from(nexus)");
            }
            List<String> unregistered = new ArrayList<>();
            Set<Class<?>> classes = new LinkedHashSet<>();
            classes.add(definition.startEvent());
            classes.addAll(definition.replyTypes());
            for (Class<?> type : classes) {
                if (!codec.types().contains(type)) {
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
