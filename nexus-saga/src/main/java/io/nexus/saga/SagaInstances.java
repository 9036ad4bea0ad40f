package io.nexus.saga;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.observation.EventAppendContext;
import io.nexus.core.observation.NexusObservation;
import io.nexus.core.saga.SagaDefinition;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.EventStore;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.StreamQuery;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Where saga instances live: each is event-sourced in its own stream {@code saga-<name>-<id>} (aggregate
 * type {@code saga}) of the event store, folded into a {@link SagaInstance} and kept in a bounded cache
 * that only reads the events appended since. Appends carry the expected version that was read, so two
 * coordinators over one store never both record a decision for one instance.
 *
 * <p>{@link #load} and {@link #append} are not thread-safe (the coordinator calls them under its lock);
 * {@link #status} builds a fresh instance and may be called from any thread.
 */
final class SagaInstances<E> {

    static final String AGGREGATE_TYPE = "saga";
    private static final int CACHE_SIZE = 10_000;

    private final SagaDefinition<E> definition;
    private final EventStore store;
    private final EventCodec codec;
    private final SagaMeters meters;
    private final ObservationRegistry observations;
    private final Map<String, SagaInstance> cache = new LinkedHashMap<>(256, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SagaInstance> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    SagaInstances(SagaDefinition<E> definition, EventStore store, EventCodec codec, SagaMeters meters, ObservationRegistry observations) {
        this.definition = definition;
        this.store = store;
        this.codec = codec;
        this.meters = meters;
        this.observations = observations;
    }

    String streamIdOf(String sagaId) {
        return "saga-" + definition.name() + "-" + sagaId;
    }

    /** The current state of {@code sagaId}, with its starting event decoded; a fresh, non-existing one if it never started. */
    SagaInstance load(String sagaId) {
        SagaInstance s = cache.get(sagaId);
        if (s == null) {
            s = new SagaInstance(definition.name(), sagaId, streamIdOf(sagaId));
        }
        try {
            store.read(StreamQuery.stream(s.streamId).fromVersion(s.version + 1)).forEach(s::apply);
            if (s.started != null && s.startEvent == null) {
                s.startEvent = decodeStart(s.started);
            }
        } catch (RuntimeException e) {
            cache.remove(sagaId);
            throw e;
        }
        cache.put(sagaId, s);
        meters.state(sagaId, s.state);
        return s;
    }

    /**
     * Stores the decision's emitted events, then its saga events, in one append at the version {@code s}
     * was read at, and folds them into {@code s}.
     *
     * @throws io.nexus.core.store.ConcurrencyConflictException if the instance changed since it was read
     */
    void append(SagaInstance s, SagaDecider.Decision decision) {
        List<NewEvent> batch = new ArrayList<>(decision.emitted().size() + decision.events().size());
        batch.addAll(decision.emitted());
        String correlation = s.started != null ? s.started.correlationId()
                : decision.events().get(0) instanceof SagaEvent.Started st ? st.correlationId() : null;
        for (SagaEvent event : decision.events()) {
            batch.add(event.toNewEvent(correlation));
            meters.event(event);
        }
        AppendResult result = append(s, batch, correlation);
        result.events().forEach(s::apply);
        meters.state(s.sagaId, s.state);
        if (s.started != null && s.startEvent == null) {
            s.startEvent = decodeStart(s.started);
        }
    }

    /**
     * Appends as an observed sender, so every event of the decision carries the trace context of the step that
     * made it (the saga's handling of an event is the current observation), as a command's events do.
     */
    private AppendResult append(SagaInstance s, List<NewEvent> batch, @Nullable String correlation) {
        if (observations.isNoop()) {
            return store.append(s.streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(s.version), batch);
        }
        EventAppendContext context = new EventAppendContext(AGGREGATE_TYPE, s.streamId, Map.of());
        Observation observation = Observation.createNotStarted(NexusObservation.SAGA_APPEND.getName(), () -> context, observations)
                .contextualName(NexusObservation.contextualName("append", AGGREGATE_TYPE))
                .lowCardinalityKeyValue(NexusObservation.KeyNames.CONSUMER.asString(), SagaCoordinator.consumerName(definition.name()))
                .highCardinalityKeyValue(NexusObservation.KeyNames.AGGREGATE_ID.asString(), s.streamId)
                .highCardinalityKeyValue(NexusObservation.KeyNames.CORRELATION_ID.asString(), String.valueOf(correlation))
                .start();
        try (Observation.Scope ignored = observation.openScope()) {
            Map<String, String> trace = context.getCarrier();
            List<NewEvent> traced = trace.isEmpty() ? batch : batch.stream().map(e -> withTrace(e, trace)).toList();
            return store.append(s.streamId, AGGREGATE_TYPE, ExpectedVersion.exactly(s.version), traced);
        } catch (RuntimeException | Error e) {
            observation.error(e);
            throw e;
        } finally {
            observation.stop();
        }
    }

    private static NewEvent withTrace(NewEvent event, Map<String, String> trace) {
        Map<String, String> metadata = new HashMap<>(event.metadata());
        metadata.putAll(trace);
        return new NewEvent(event.eventId(), event.eventType(), event.schemaVersion(), event.payload(), event.correlationId(),
                event.causationId(), metadata);
    }

    /** The status of {@code sagaId} read from its stream; empty when it never started. Reads one short stream. */
    Optional<SagaStatus> status(String sagaId) {
        SagaInstance instance = new SagaInstance(definition.name(), sagaId, streamIdOf(sagaId));
        store.read(StreamQuery.stream(instance.streamId)).forEach(instance::apply);
        return instance.exists() ? Optional.of(instance.toStatus()) : Optional.empty();
    }

    /** The record of a start by {@code envelope}: its payload is kept so that commands can be built after a restart. */
    SagaEvent.Started started(String sagaId, EventEnvelope envelope) {
        return new SagaEvent.Started(definition.name(), sagaId, envelope.eventId().toString(), envelope.streamId(),
                envelope.eventType(), envelope.schemaVersion(), Base64.getEncoder().encodeToString(envelope.payload().unsafeBytes()),
                envelope.correlationId());
    }

    private E decodeStart(SagaEvent.Started st) {
        // The trigger's aggregate type is not recorded; decoding does not read it.
        EventEnvelope trigger = new EventEnvelope(UUID.fromString(st.triggerEventId()), st.triggerStreamId(), "", 1,
                EventEnvelope.NO_POSITION, st.triggerType(), st.triggerSchemaVersion(), Instant.EPOCH, null, null, Map.of(),
                EventPayload.ofBytes(Base64.getDecoder().decode(st.triggerPayload())));
        return definition.startEvent().cast(codec.decode(trigger));
    }
}
