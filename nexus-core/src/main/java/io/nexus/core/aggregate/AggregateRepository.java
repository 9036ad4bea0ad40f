package io.nexus.core.aggregate;

import org.jspecify.annotations.Nullable;
import io.nexus.core.command.CommandMetadata;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.nexus.core.internal.NexusMetrics;
import io.nexus.core.policy.PolicyDecisionPoint;
import io.nexus.core.policy.PolicyDeniedException;
import io.nexus.core.policy.PolicyEngine;
import io.nexus.core.policy.PolicyRequest;
import io.nexus.core.schema.EventValidator;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.snapshot.Snapshot;
import io.nexus.core.snapshot.SnapshotMetrics;
import io.nexus.core.snapshot.SnapshotStore;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.EventStore;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.StreamQuery;
import io.nexus.core.store.StreamRead;
import io.nexus.core.store.StreamTypeMismatchException;
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
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Loads and saves one aggregate type.
 *
 * <p>Load: the latest snapshot whose state-schema version matches (if snapshots are enabled), then the
 * events after it, each upcast and applied. Save: encode the uncommitted events (ids derived from the
 * command id), validate each against its schema, ask the policy engine, append with the loaded version
 * as the expected version, publish, then snapshot in the background when the trigger fires. A failed
 * or rejected snapshot is logged and counted, never reported to the caller.
 *
 * <p>Thread-safe; aggregate instances it returns are not, and belong to the caller.
 *
 * @param <A> the aggregate type
 */
public final class AggregateRepository<A extends Aggregate> {

    private static final Logger log = LoggerFactory.getLogger(AggregateRepository.class);
    private static final int COMMAND_PAGE = 64;

    private final AggregateDefinition<A> definition;
    private final EventStore store;
    private final SnapshotStore snapshots;
    private final EventCodec codec;
    private final EventValidator validator;
    private final PolicyEngine policy;
    private final NexusMetrics metrics;
    private final Clock clock;
    private final Executor snapshotExecutor;
    private final String typeTag;
    private final io.nexus.core.readmodel.@Nullable NexusCache<String, A> cache;

    private AggregateRepository(Builder<A> b) {
        this.definition = b.definition;
        this.store = b.store;
        this.snapshots = b.snapshots;
        this.codec = b.codec;
        this.validator = b.validator;
        this.policy = b.policy;
        this.metrics = b.metrics;
        this.clock = b.clock;
        this.snapshotExecutor = b.snapshotExecutor;
        this.typeTag = definition.name();
        io.nexus.core.readmodel.NexusCache.Builder cacheBuilder = io.nexus.core.readmodel.NexusCache
                .builder("aggregates." + definition.name()).maximumSize(b.cacheSize);
        io.micrometer.core.instrument.MeterRegistry registry = b.metrics.registry();
        if (registry != null) {
            cacheBuilder.meterRegistry(registry);
        }
        this.cache = b.cacheSize == 0 ? null : cacheBuilder.build();
        validateHandlers();
    }

    public static <A extends Aggregate> Builder<A> builder(AggregateDefinition<A> definition, EventStore store, EventCodec codec) {
        return new Builder<>(definition, store, codec);
    }

    public AggregateDefinition<A> definition() {
        return definition;
    }

    /**
     * The aggregate with all its events applied. With an aggregate cache, an instance saved earlier is handed
     * out again (to one caller at a time) when the stream has not moved since, so only a store version check
     * is paid instead of a replay.
     *
     * @param id the aggregate id; not blank
     * @return the aggregate, at the version of its last event
     * @throws AggregateNotFoundException if the aggregate has no events; use {@link #find(String)} to ask,
     *                                    or {@link #loadOrNew(String)} to start a new one
     * @throws IllegalArgumentException   if {@code id} is blank
     */
    public A load(String id) {
        A aggregate = loadOrNew(id);
        if (aggregate.isNew()) {
            throw new AggregateNotFoundException(definition.name(), id);
        }
        return aggregate;
    }

    /**
     * The aggregate with all its events applied, or a new one at version 0 when it has none: what a command
     * that may create its aggregate decides on. Same cache behaviour as {@link #load(String)}.
     *
     * @param id the aggregate id; not blank
     * @throws IllegalArgumentException if {@code id} is blank
     */
    public A loadOrNew(String id) {
        if (cache != null) {
            requireId(id);
            A cached = cache.take(id).orElse(null);
            if (cached != null && cached.pendingEvents().isEmpty() && cached.persistedVersion() == store.currentVersion(id)) {
                metrics.summary("nexus.aggregate.load.events", 0, "aggregate", typeTag);
                return cached;
            }
        }
        return load(id, Long.MAX_VALUE, null, Integer.MAX_VALUE);
    }

    /** The hit rate of the aggregate cache, or empty when the repository has none. */
    public java.util.OptionalDouble cacheHitRate() {
        return cache == null ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(cache.hitRate());
    }

    /** The aggregate, if it has any events; empty when it has none. */
    public Optional<A> find(String id) {
        A aggregate = loadOrNew(id);
        return aggregate.isNew() ? Optional.empty() : Optional.of(aggregate);
    }

    /**
     * The aggregate as it was at {@code version}: events after it are not applied. A snapshot is used
     * only if it is not newer than {@code version}.
     *
     * @param maxEvents the most events to replay; more is a {@link TemporalLimitExceededException}
     */
    public A loadAtVersion(String id, long version, int maxEvents) {
        if (version < 0) {
            throw new IllegalArgumentException("version must be >= 0, but was " + version);
        }
        return load(id, version, null, maxEvents);
    }

    /**
     * The aggregate as it was at {@code instant}: only events stored at or before it are applied.
     * Snapshots are not used (they carry no event time), so the whole history up to then is replayed.
     *
     * @param maxEvents the most events to replay; more is a {@link TemporalLimitExceededException}
     */
    public A loadAsOf(String id, Instant instant, int maxEvents) {
        Objects.requireNonNull(instant, "instant");
        return load(id, Long.MAX_VALUE, instant, maxEvents);
    }

    private A load(String id, long toVersion, @Nullable Instant asOf, int maxEvents) {
        return load(id, toVersion, asOf, maxEvents, null).aggregate();
    }

    /**
     * Loads the aggregate; with {@code lookup}, the same store call also looks that event id up in the stream
     * ({@link io.nexus.core.store.ReadStream#readAndFind}).
     */
    private Loaded<A> load(String id, long toVersion, @Nullable Instant asOf, int maxEvents, @Nullable UUID lookup) {
        requireId(id);
        long started = System.nanoTime();
        A aggregate = definition.newInstance(id);
        long from = 1;
        long bytes = 0;
        Instant baseline = null;
        if (asOf == null) {
            Snapshot snapshot = usableSnapshot(id, toVersion);
            if (snapshot != null && restore(aggregate, snapshot)) {
                from = snapshot.version() + 1;
                bytes = snapshot.state().size();
                baseline = snapshot.createdAt();
            }
        }
        StreamQuery query = StreamQuery.stream(id).fromVersion(from).toVersion(Math.max(toVersion, from - 1));
        if (asOf != null) {
            query = query.asOf(asOf);
        }
        if (maxEvents != Integer.MAX_VALUE) {
            query = query.limit(maxEvents + 1);
        }
        List<EventEnvelope> events;
        OptionalLong found = OptionalLong.empty();
        if (lookup == null) {
            events = store.read(query);
        } else {
            StreamRead read = store.readAndFind(query, lookup);
            events = read.events();
            found = read.foundVersion();
        }
        if (events.size() > maxEvents) {
            throw new TemporalLimitExceededException(definition.name(), id, "events", maxEvents);
        }
        for (EventEnvelope envelope : events) {
            if (!definition.name().equals(envelope.aggregateType())) {
                throw new StreamTypeMismatchException(id, definition.name(), envelope.aggregateType());
            }
            if (baseline == null) {
                baseline = envelope.timestamp();
            }
            aggregate.replay(codec.decode(envelope), envelope.version());
            bytes += envelope.payload().size();
        }
        long elapsed = System.nanoTime() - started;
        aggregate.eventsSinceSnapshot = events.size();
        aggregate.bytesLoaded = bytes;
        aggregate.snapshotBaseline = baseline;
        aggregate.loadTime = Duration.ofNanos(elapsed);
        metrics.timer("nexus.aggregate.load", elapsed, "aggregate", typeTag);
        metrics.summary("nexus.aggregate.load.events", events.size(), "aggregate", typeTag);
        return new Loaded<>(aggregate, events, found);
    }

    /** A load's aggregate, the events it applied (the stream from its first event after the snapshot on), and a looked-up version. */
    private record Loaded<A>(A aggregate, List<EventEnvelope> events, OptionalLong found) {
    }

    private @Nullable Snapshot usableSnapshot(String id, long toVersion) {
        AggregateDefinition.SnapshotSettings settings = definition.snapshots().orElse(null);
        if (settings == null) {
            return null;
        }
        Optional<Snapshot> latest;
        try {
            latest = snapshots.latest(id);
        } catch (RuntimeException e) {
            log.warn("Reading the snapshot of {} '{}' failed; replaying all events", typeTag, id, e);
            metrics.count("nexus.snapshot.failures", "aggregate", typeTag, "stage", "read");
            return null;
        }
        return latest.filter(s -> s.stateSchemaVersion() == settings.stateSchemaVersion()
                        && s.aggregateType().equals(definition.name()) && s.version() <= toVersion)
                .orElse(null);
    }

    @SuppressWarnings("unchecked")
    private boolean restore(A aggregate, Snapshot snapshot) {
        AggregateDefinition.SnapshotSettings settings = definition.snapshots().orElseThrow();
        try {
            Object state = snapshot.state().decoded().filter(settings.stateType()::isInstance)
                    .orElseGet(() -> codec.serializer().deserialize(snapshot.state().unsafeBytes(), settings.stateType()));
            ((Snapshottable<Object>) aggregate).restoreSnapshotState(state);
            aggregate.restoredAt(snapshot.version());
            return true;
        } catch (RuntimeException e) {
            log.warn("Snapshot of {} '{}' at version {} cannot be restored; replaying all events", typeTag,
                    snapshot.streamId(), snapshot.version(), e);
            metrics.count("nexus.snapshot.failures", "aggregate", typeTag, "stage", "restore");
            return false;
        }
    }

    /**
     * Appends the aggregate's uncommitted events, expecting the version it was loaded at. Same as
     * {@link #save(Aggregate, CommandMetadata, String)} without a command fingerprint.
     */
    public AppendResult save(A aggregate, CommandMetadata metadata) {
        return save(aggregate, metadata, null);
    }

    /**
     * Appends the aggregate's uncommitted events, expecting the version it was loaded at. Event ids derive
     * from the command id ({@link CommandMetadata#eventId}); the first event records
     * {@code commandFingerprint} in its metadata under {@link CommandMetadata#FINGERPRINT_KEY}, so a later
     * send of the same command id can be told apart from a different command reusing it.
     *
     * @param commandFingerprint what identifies the command's content, or {@code null} to record none
     * @return the append's result; an empty one (no events) when nothing was pending
     * @throws io.nexus.core.schema.SchemaViolationException if an event breaks its schema; nothing is appended
     * @throws PolicyDeniedException if the policy engine refuses an event; nothing is appended
     * @throws io.nexus.core.store.ConcurrencyConflictException if the stream moved since the load
     * @throws io.nexus.core.store.DuplicateEventIdException if the command id's events are stored at another position
     */
    public AppendResult save(A aggregate, CommandMetadata metadata, @Nullable String commandFingerprint) {
        Objects.requireNonNull(aggregate, "aggregate");
        Objects.requireNonNull(metadata, "metadata");
        List<Object> pending = aggregate.pendingEvents();
        if (pending.isEmpty()) {
            return new AppendResult(aggregate.id(), aggregate.persistedVersion(), List.of(), false);
        }
        String id = aggregate.id();
        List<NewEvent> events = new ArrayList<>(pending.size());
        long newBytes = 0;
        Map<String, String> common = metadata.attributes();
        if (metadata.causationId() != null) {
            common = new HashMap<>(common);
            common.put(CommandMetadata.CAUSATION_KEY, metadata.causationId());
        }
        for (int i = 0; i < pending.size(); i++) {
            Map<String, String> attributes = common;
            if (i == 0 && commandFingerprint != null) {
                attributes = new HashMap<>(attributes);
                attributes.put(CommandMetadata.FINGERPRINT_KEY, commandFingerprint);
            }
            NewEvent event = codec.encode(pending.get(i), metadata.eventId(id, i), metadata.correlationId(),
                    metadata.commandId().toString(), attributes);
            events.add(event);
            newBytes += event.payload().size();
        }
        // One decision for the whole append, before validation: a denial is audited with its rule even when
        // the event would also fail its schema.
        PolicyDecisionPoint.enforce(policy, PolicyRequest.append(definition.name(), id, events, metadata));
        for (NewEvent event : events) {
            validator.validate(id, event);
        }
        long started = System.nanoTime();
        AppendResult result = store.append(id, definition.name(), ExpectedVersion.exactly(aggregate.persistedVersion()), events);
        metrics.timer("nexus.append", System.nanoTime() - started, "aggregate", typeTag);
        metrics.summary("nexus.append.batch.size", events.size(), "aggregate", typeTag);
        aggregate.eventsSinceSnapshot += pending.size();
        aggregate.bytesLoaded += newBytes;
        if (aggregate.snapshotBaseline == null && !result.events().isEmpty()) {
            aggregate.snapshotBaseline = result.events().get(0).timestamp();
        }
        aggregate.markCommitted(result.newVersion());
        if (!result.duplicate()) {
            maybeSnapshot(aggregate);
            if (cache != null) {
                cache.put(id, aggregate);
            }
        }
        return result;
    }

    /**
     * The events an earlier command with {@code metadata}'s command id appended to aggregate {@code id}, in
     * version order; empty when it appended none there (never sent, refused, or it decided nothing had to
     * change). One event-id lookup in the stream ({@link io.nexus.core.store.ReadStream#versionOf}) and, only
     * when found, one read of the command's events. Reads its own writes. Thread-safe.
     *
     * @throws IllegalArgumentException if {@code id} is blank
     */
    public List<EventEnvelope> eventsOfCommand(String id, CommandMetadata metadata) {
        requireId(id);
        Objects.requireNonNull(metadata, "metadata");
        OptionalLong first = store.versionOf(id, metadata.eventId(id, 0));
        return first.isEmpty() ? List.of() : eventsOfCommandFrom(id, metadata, first.getAsLong());
    }

    /**
     * What a command decides on: the aggregate as {@link #loadOrNew(String)} loads it, and the events an earlier
     * send of {@code metadata}'s command id appended to it, as {@link #eventsOfCommand} answers right after that
     * load. Both come from one store call ({@link io.nexus.core.store.ReadStream#readAndFind}: the stream read
     * and the lookup of the command's first event id); only a command found applied before the events the load
     * read (behind a snapshot) costs one more read. Reads its own writes. Thread-safe; the aggregate belongs to
     * the caller.
     *
     * @param id       the aggregate id; not blank
     * @param metadata the command's metadata; not {@code null}
     * @return the aggregate (new at version 0 when it has no events) and the earlier send's events, in version
     *         order (empty when there was none)
     * @throws IllegalArgumentException if {@code id} is blank
     * @throws StreamTypeMismatchException if the stream holds events of another aggregate type
     */
    public CommandLoad<A> loadForCommand(String id, CommandMetadata metadata) {
        requireId(id);
        Objects.requireNonNull(metadata, "metadata");
        UUID firstId = metadata.eventId(id, 0);
        if (cache != null) {
            A cached = cache.take(id).orElse(null);
            if (cached != null && cached.pendingEvents().isEmpty()) {
                // Fresh exactly when the stream's last event is the one the instance was saved at.
                long saved = cached.persistedVersion();
                StreamRead read = store.readAndFind(StreamQuery.stream(id).fromVersion(saved).limit(2), firstId);
                if (read.events().size() == 1 && read.events().get(0).version() == saved) {
                    metrics.summary("nexus.aggregate.load.events", 0, "aggregate", typeTag);
                    return new CommandLoad<>(cached, earlierEvents(id, metadata, read.foundVersion(), read.events()));
                }
            }
        }
        Loaded<A> loaded = load(id, Long.MAX_VALUE, null, Integer.MAX_VALUE, firstId);
        return new CommandLoad<>(loaded.aggregate(), earlierEvents(id, metadata, loaded.found(), loaded.events()));
    }

    /**
     * The earlier send's events, taken from {@code read} (a read of the stream to its end, from the same call as the
     * lookup) when it holds the first of them: an append is read whole or not at all, so the whole run is there.
     */
    private List<EventEnvelope> earlierEvents(String id, CommandMetadata metadata, OptionalLong found, List<EventEnvelope> read) {
        if (found.isEmpty()) {
            return List.of();
        }
        long first = found.getAsLong();
        if (read.isEmpty() || first < read.get(0).version() || first > read.get(read.size() - 1).version()) {
            return eventsOfCommandFrom(id, metadata, first);
        }
        List<EventEnvelope> events = new ArrayList<>();
        for (int i = (int) (first - read.get(0).version()); i < read.size(); i++) {
            EventEnvelope event = read.get(i);
            if (!event.eventId().equals(metadata.eventId(id, events.size()))) {
                break;
            }
            events.add(event);
        }
        return List.copyOf(events);
    }

    private List<EventEnvelope> eventsOfCommandFrom(String id, CommandMetadata metadata, long first) {
        // One command's events are one append: a contiguous run of the ids it derives, read a page at a time.
        List<EventEnvelope> events = new ArrayList<>();
        long from = first;
        while (true) {
            List<EventEnvelope> page = store.read(StreamQuery.stream(id).fromVersion(from).limit(COMMAND_PAGE));
            for (EventEnvelope event : page) {
                if (!event.eventId().equals(metadata.eventId(id, events.size()))) {
                    return List.copyOf(events);
                }
                events.add(event);
            }
            if (page.size() < COMMAND_PAGE) {
                return List.copyOf(events);
            }
            from += page.size();
        }
    }

    /**
     * What {@link #loadForCommand} returns.
     *
     * @param aggregate     the loaded aggregate; belongs to the caller
     * @param earlierEvents the events an earlier send of the command id appended to it, in version order; empty
     *                      when there was none
     * @param <A>           the aggregate type
     */
    public record CommandLoad<A extends Aggregate>(A aggregate, List<EventEnvelope> earlierEvents) {

        /**
         * @throws NullPointerException if either argument is {@code null}
         */
        public CommandLoad {
            Objects.requireNonNull(aggregate, "aggregate");
            earlierEvents = List.copyOf(earlierEvents);
        }
    }

    private void maybeSnapshot(A aggregate) {
        AggregateDefinition.SnapshotSettings settings = definition.snapshots().orElse(null);
        if (settings == null || aggregate.eventsSinceSnapshot == 0) {
            return;
        }
        Instant now = clock.instant();
        Duration age = aggregate.snapshotBaseline == null ? Duration.ZERO : Duration.between(aggregate.snapshotBaseline, now);
        SnapshotMetrics m = new SnapshotMetrics(aggregate.eventsSinceSnapshot, age.isNegative() ? Duration.ZERO : age,
                aggregate.bytesLoaded, aggregate.loadTime);
        boolean fire;
        try {
            fire = settings.trigger().shouldSnapshot(m);
        } catch (RuntimeException e) {
            log.warn("Snapshot trigger of {} failed; no snapshot taken", typeTag, e);
            return;
        }
        if (!fire) {
            return;
        }
        Object state;
        try {
            state = ((Snapshottable<?>) aggregate).snapshotState();
        } catch (RuntimeException e) {
            log.warn("snapshotState() of {} '{}' failed; no snapshot taken", typeTag, aggregate.id(), e);
            metrics.count("nexus.snapshot.failures", "aggregate", typeTag, "stage", "capture");
            return;
        }
        String id = aggregate.id();
        long version = aggregate.persistedVersion();
        aggregate.eventsSinceSnapshot = 0;
        aggregate.snapshotBaseline = now;
        try {
            snapshotExecutor.execute(() -> writeSnapshot(id, version, settings, state, now));
        } catch (RejectedExecutionException e) {
            log.warn("Snapshot executor refused the snapshot of {} '{}'; skipped", typeTag, id);
            metrics.count("nexus.snapshot.failures", "aggregate", typeTag, "stage", "schedule");
        }
    }

    private void writeSnapshot(String id, long version, AggregateDefinition.SnapshotSettings settings, Object state, Instant now) {
        long started = System.nanoTime();
        try {
            byte[] bytes = codec.serializer().serialize(state);
            snapshots.save(new Snapshot(id, definition.name(), version, settings.stateSchemaVersion(), now,
                    EventPayload.of(bytes, state)));
            metrics.timer("nexus.snapshot.save", System.nanoTime() - started, "aggregate", typeTag);
        } catch (RuntimeException e) {
            log.warn("Writing the snapshot of {} '{}' at version {} failed; the aggregate keeps loading from events",
                    typeTag, id, version, e);
            metrics.count("nexus.snapshot.failures", "aggregate", typeTag, "stage", "write");
        }
    }

    private void validateHandlers() {
        for (Class<?> eventType : definition.newInstance("startup-check").handlerTable().handledTypes()) {
            if (!eventType.isInterface() && !java.lang.reflect.Modifier.isAbstract(eventType.getModifiers())
                    && !codec.types().contains(eventType)) {
                throw new IllegalStateException("Aggregate " + definition.name() + " handles " + eventType.getName()
                        + ", which is not a registered event type; register it (EventTypes.builder().register(...)) so it can be stored");
            }
        }
    }

    private static void requireId(String id) {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("aggregate id must not be blank, but was '" + id + "'");
        }
    }

    /** Builds an {@link AggregateRepository}; everything but the definition, store and codec has a default. */
    public static final class Builder<A extends Aggregate> {
        private final AggregateDefinition<A> definition;
        private final EventStore store;
        private final EventCodec codec;
        private SnapshotStore snapshots = new io.nexus.core.snapshot.InMemorySnapshotStore();
        private EventValidator validator = EventValidator.acceptAll();
        private PolicyEngine policy = PolicyEngine.allowAll();
        private NexusMetrics metrics = NexusMetrics.of(null);
        private Clock clock = Clock.systemUTC();
        private Executor snapshotExecutor = Runnable::run;
        private long cacheSize;

        private Builder(AggregateDefinition<A> definition, EventStore store, EventCodec codec) {
            this.definition = Objects.requireNonNull(definition, "definition");
            this.store = Objects.requireNonNull(store, "store");
            this.codec = Objects.requireNonNull(codec, "codec");
        }

        public Builder<A> snapshotStore(SnapshotStore value) {
            this.snapshots = Objects.requireNonNull(value, "snapshotStore");
            return this;
        }

        public Builder<A> validator(EventValidator value) {
            this.validator = Objects.requireNonNull(value, "validator");
            return this;
        }

        public Builder<A> policy(PolicyEngine value) {
            this.policy = Objects.requireNonNull(value, "policy");
            return this;
        }

        /** Where the repository records its meters (load, append, snapshot, cache); nowhere by default. */
        public Builder<A> meterRegistry(MeterRegistry value) {
            this.metrics = NexusMetrics.of(Objects.requireNonNull(value, "meterRegistry"));
            return this;
        }

        public Builder<A> clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Where snapshots are serialized and written; the default runs them on the calling thread. */
        public Builder<A> snapshotExecutor(Executor value) {
            this.snapshotExecutor = Objects.requireNonNull(value, "snapshotExecutor");
            return this;
        }

        /**
         * Keeps up to {@code maximumSize} recently saved aggregates in a Caffeine cache (0, the default,
         * disables it). The hit rate is exposed through {@link #cacheHitRate()} and, with metrics, as the
         * cache meters of {@code aggregates.<type>}. An aggregate whose stream moved (another writer, another
         * process) is replayed instead, so the cache never serves a stale version.
         */
        public Builder<A> cache(long maximumSize) {
            if (maximumSize < 0) {
                throw new IllegalArgumentException("maximumSize must be >= 0, but was " + maximumSize);
            }
            this.cacheSize = maximumSize;
            return this;
        }

        public AggregateRepository<A> build() {
            return new AggregateRepository<>(this);
        }
    }
}
