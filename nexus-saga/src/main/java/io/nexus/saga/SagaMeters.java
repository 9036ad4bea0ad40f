package io.nexus.saga;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.nexus.core.observation.NexusMeters;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The saga meters; their names and descriptions are declared in {@link NexusMeters}. With no registry
 * every call does nothing. The instances-by-status gauge counts the instances this process has loaded
 * or changed since it started (a restarted process counts an instance again once it handles it). Thread-safe.
 */
final class SagaMeters {

    static final String EVENTS = NexusMeters.SAGA_EVENTS;
    static final String COMMANDS = NexusMeters.SAGA_COMMANDS;
    static final String COMPENSATIONS = NexusMeters.SAGA_COMPENSATIONS;

    private final @Nullable MeterRegistry registry;
    private final String saga;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, SagaState> states = new ConcurrentHashMap<>();

    SagaMeters(@Nullable MeterRegistry registry, String saga) {
        this.registry = registry;
        this.saga = saga;
        if (registry != null) {
            String description = NexusMeters.require(NexusMeters.SAGA_INSTANCES).description();
            for (SagaState status : SagaState.values()) {
                Gauge.builder(NexusMeters.SAGA_INSTANCES, states, m -> m.values().stream().filter(status::equals).count())
                        .description(description).tag("saga", saga).tag("status", status.name())
                        .strongReference(true).register(registry);
            }
        }
    }

    /** Where instance {@code sagaId} stands now (null: it does not exist). */
    void state(String sagaId, @Nullable SagaState state) {
        if (registry != null && state != null) {
            states.put(sagaId, state);
        }
    }

    /** A saga event was recorded. */
    void event(SagaEvent event) {
        count(EVENTS, "Saga events recorded, by type", "type", event.getClass().getSimpleName());
    }

    /** A step or compensation command was sent and handled. */
    void commandSent(SagaEffect.Purpose purpose) {
        count(COMMANDS, "Saga commands the command bus handled, by purpose (step or compensation)", "purpose", purpose.code);
    }

    /** A compensation attempt ended: {@code done} or {@code failed}. */
    void compensation(String outcome) {
        count(COMPENSATIONS, "Saga compensation attempts, by outcome (done or failed)", "outcome", outcome);
    }

    private void count(String name, String description, String tag, String value) {
        if (registry == null) {
            return;
        }
        counters.computeIfAbsent(name + '\u0000' + value, k -> Counter.builder(name).description(description)
                .tag("saga", saga).tag(tag, value).register(registry)).increment();
    }
}
