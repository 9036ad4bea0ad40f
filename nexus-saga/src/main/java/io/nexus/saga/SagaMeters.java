package io.nexus.saga;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The saga meters, declared once with their descriptions; every name lives here. With no registry every
 * call does nothing. Thread-safe.
 */
final class SagaMeters {

    static final String EVENTS = "nexus.saga.events";
    static final String COMMANDS = "nexus.saga.commands";
    static final String COMPENSATIONS = "nexus.saga.compensations";

    private final MeterRegistry registry;
    private final String saga;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    SagaMeters(MeterRegistry registry, String saga) {
        this.registry = registry;
        this.saga = saga;
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
