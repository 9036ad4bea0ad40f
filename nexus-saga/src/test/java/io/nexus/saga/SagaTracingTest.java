package io.nexus.saga;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.observation.EventAppendContext;
import io.nexus.core.observation.EventHandlingContext;
import io.nexus.core.observation.EventTraceContext;
import io.nexus.core.saga.SagaDefinition;
import io.nexus.core.store.StreamQuery;
import io.nexus.saga.Task.Outcome;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The events a saga records and emits are appended as an observed sender, a child of the saga's handling of the event
 * that moved it: a tracer writes the step's trace context into their metadata, as it does for a command's events.
 */
class SagaTracingTest {

    /** A first step that emits an event, then one that sends a command. */
    private static SagaDefinition<Task.Begin> definition() {
        return SagaDefinition.startedBy("work", Task.Begin.class, Task.Begin::sagaId)
                .step("announce", step -> step.emits(b -> new Task.Announced(b.sagaId())))
                .step("s0", step -> step
                        .sends(b -> new Task.Perform(b.sagaId(), 0, Outcome.SUCCEED))
                        .compensatedBy(b -> new Task.Undo(b.sagaId(), 0))
                        .timeout(SagaHarness.STEP_TIMEOUT)
                        .succeedsOn(Task.Performed.class, Task.Performed::sagaId, p -> p.step() == 0)
                        .failsOn(Task.PerformFailed.class, Task.PerformFailed::sagaId, p -> p.step() == 0, Task.PerformFailed::reason))
                .build();
    }

    @Test
    void theEventsASagaRecordsAndEmitsCarryTheContextOfTheStepThatMadeThem() {
        ObservationRegistry registry = ObservationRegistry.create();
        // Stands in for a tracer's propagating sender handler: it writes which observation the append is a child of.
        registry.observationConfig().observationHandler(new ObservationHandler<EventAppendContext>() {
            @Override
            public void onStart(EventAppendContext context) {
                Observation parent = (Observation) context.getParentObservation();
                context.getSetter().set(context.getCarrier(), EventTraceContext.TRACEPARENT,
                        "child of " + (parent == null ? "nothing" : parent.getContext().getContextualName()));
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return context instanceof EventAppendContext;
            }
        });
        SagaHarness app = new SagaHarness(definition());
        SagaCoordinator<Task.Begin> coordinator = app.coordinatorBuilder().observationRegistry(registry).build();
        app.begin("w1", -1, Outcome.SUCCEED);
        coordinator.poll();
        assertEquals(SagaState.COMPLETED, coordinator.status("w1").orElseThrow().state());

        List<EventEnvelope> saga = app.store.read(StreamQuery.stream(coordinator.streamIdOf("w1")));
        assertTrue(saga.stream().anyMatch(e -> e.eventType().equals("test.Announced")), "the emitted event is in the saga's stream");
        for (EventEnvelope e : saga) {
            assertTrue(EventTraceContext.traceparent(e) != null && EventTraceContext.traceparent(e).startsWith("child of saga test."),
                    e.eventType() + " was appended inside the saga's handling, but carries " + EventTraceContext.traceparent(e));
        }
        assertEquals("child of saga test.begin", EventTraceContext.traceparent(saga.get(0)), "the start, handling the starting event");
        assertEquals("child of saga test.performed", EventTraceContext.traceparent(saga.get(saga.size() - 1)),
                "the completion, handling the reply");
    }

    @Test
    void aStepATimerFiresContinuesTheContextOfTheSagasLastEvent() {
        ObservationRegistry registry = ObservationRegistry.create();
        List<String> continued = new ArrayList<>();
        registry.observationConfig().observationHandler(new ObservationHandler<EventAppendContext>() {
            @Override
            public void onStart(EventAppendContext context) {
                Observation parent = (Observation) context.getParentObservation();
                context.getSetter().set(context.getCarrier(), EventTraceContext.TRACEPARENT,
                        "child of " + (parent == null ? "nothing" : parent.getContext().getContextualName()));
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return context instanceof EventAppendContext;
            }
        }).observationHandler(new ObservationHandler<EventHandlingContext>() {
            // Stands in for a tracer's propagating receiver handler: it records the context each handling continues.
            @Override
            public void onStart(EventHandlingContext context) {
                continued.add(context.getContextualName() + " <- " + context.getGetter().get(context.getCarrier(), EventTraceContext.TRACEPARENT));
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return context instanceof EventHandlingContext;
            }
        });
        SagaHarness app = new SagaHarness(2);
        SagaCoordinator<Task.Begin> coordinator = app.coordinatorBuilder().observationRegistry(registry).build();
        app.begin("w1", 1, Outcome.SILENT);
        coordinator.poll();
        int before = app.store.read(StreamQuery.stream(coordinator.streamIdOf("w1"))).size();
        app.clock.advance(SagaHarness.STEP_TIMEOUT);
        coordinator.poll();
        assertEquals(SagaState.COMPENSATED, coordinator.status("w1").orElseThrow().state());

        assertTrue(continued.contains("saga timer step-timeout <- child of saga test.performed"),
                "the timeout continues the context of the last event the saga recorded (after the reply of s0): " + continued);
        List<EventEnvelope> saga = app.store.read(StreamQuery.stream(coordinator.streamIdOf("w1")));
        assertEquals("child of saga timer step-timeout", EventTraceContext.traceparent(saga.get(before)),
                "the events of the timed-out step are appended inside the timer's handling");
    }

    @Test
    void withoutARegistryTheSagasEventsCarryNoTraceContext() {
        SagaHarness app = new SagaHarness(definition());
        SagaCoordinator<Task.Begin> coordinator = app.coordinator();
        app.begin("w1", -1, Outcome.SUCCEED);
        coordinator.poll();
        List<EventEnvelope> saga = app.store.read(StreamQuery.stream(coordinator.streamIdOf("w1")));
        assertTrue(saga.size() > 3);
        assertTrue(saga.stream().allMatch(e -> EventTraceContext.traceparent(e) == null));
    }
}
