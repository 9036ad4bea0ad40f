package io.nexus.saga;

import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.event.EventEnvelope;
import io.nexus.saga.Task.Outcome;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The compensation law: whichever step fails (by a failure reply, a command the bus refuses, or a
 * timeout), the compensations executed are exactly the steps completed before it, in reverse order,
 * each once, and the saga ends compensated. Also with duplicated deliveries and restarts.
 */
class SagaCompensationProperties {

    private static final List<Outcome> FAILURES = List.of(Outcome.FAIL_REPLY, Outcome.REJECT, Outcome.SILENT);

    @Property(tries = 80)
    void compensatesExactlyTheCompletedStepsInReverseOrder(@ForAll @IntRange(min = 1, max = 6) int steps,
                                                          @ForAll @IntRange(min = 0, max = 5) int failAtSeed,
                                                          @ForAll @IntRange(min = 0, max = 2) int failureKind) {
        int failAt = failAtSeed % steps;
        Outcome outcome = FAILURES.get(failureKind);
        SagaHarness app = new SagaHarness(steps);
        SagaCoordinator<Task.Begin> coordinator = app.coordinator();

        app.begin("w1", failAt, outcome);
        coordinator.poll();
        if (outcome == Outcome.SILENT) {
            app.clock.advance(SagaHarness.STEP_TIMEOUT.plusSeconds(1));
            coordinator.poll();
        }

        assertCompensated(app, coordinator, steps, failAt);
    }

    @Property(tries = 50)
    void duplicatedDeliveriesChangeNothing(@ForAll @IntRange(min = 1, max = 5) int steps,
                                           @ForAll @IntRange(min = 0, max = 4) int failAtSeed,
                                           @ForAll @IntRange(min = 0, max = 2) int failureKind) {
        int failAt = failAtSeed % steps;
        Outcome outcome = FAILURES.get(failureKind);
        SagaHarness app = new SagaHarness(steps);
        SagaCoordinator<Task.Begin> coordinator = app.coordinator();
        app.begin("w1", failAt, outcome);
        coordinator.poll();
        if (outcome == Outcome.SILENT) {
            app.clock.advance(SagaHarness.STEP_TIMEOUT.plusSeconds(1));
        }
        coordinator.poll();
        long sagaVersion = coordinator.status("w1").orElseThrow().version();

        // every event pushed again, then the whole log read again by a coordinator with a fresh position
        for (EventEnvelope event : new ArrayList<>(app.all())) {
            coordinator.accept(event);
        }
        app.coordinatorBuilder().checkpoints(new InMemoryCheckpointStore()).build().poll();

        assertCompensated(app, coordinator, steps, failAt);
        assertEquals(sagaVersion, coordinator.status("w1").orElseThrow().version(), "redelivery must not add saga events");
    }

    @Property(tries = 50)
    void aFreshCoordinatorForEveryEventGivesTheSameOutcome(@ForAll @IntRange(min = 1, max = 5) int steps,
                                                          @ForAll @IntRange(min = 0, max = 4) int failAtSeed,
                                                          @ForAll @IntRange(min = 0, max = 2) int failureKind) {
        int failAt = failAtSeed % steps;
        Outcome outcome = FAILURES.get(failureKind);
        SagaHarness app = new SagaHarness(steps);
        app.begin("w1", failAt, outcome);
        // push mode, restarted before each event: nothing survives between events but the store
        for (long position = 1; position <= app.store.headPosition(); position++) {
            app.coordinator().accept(app.store.readAll(position, 1).get(0));
        }
        app.clock.advance(SagaHarness.STEP_TIMEOUT.plusSeconds(1));
        SagaCoordinator<Task.Begin> restarted = app.coordinator();
        restarted.poll();

        assertCompensated(app, restarted, steps, failAt);
    }

    /**
     * The law for unknown outcomes: a send whose outcome is unknown (the bus throws after the command took effect, or
     * before it reached the aggregate) never fails its step. Whatever step it hits and however often, the
     * saga ends as if the bus had never thrown: completed, or compensated for exactly the steps completed
     * before the failing one (the uncertain step among them once it took effect), each step performed once.
     */
    @Property(tries = 80)
    void aSendWithAnUnknownOutcomeNeverFailsItsStep(@ForAll @IntRange(min = 1, max = 5) int steps,
                                                   @ForAll @IntRange(min = 0, max = 4) int uncertainSeed,
                                                   @ForAll @IntRange(min = 1, max = 3) int failures,
                                                   @ForAll boolean afterEffect,
                                                   @ForAll @IntRange(min = -1, max = 4) int failAtSeed) {
        int uncertainAt = uncertainSeed % steps;
        int failAt = failAtSeed < 0 ? -1 : failAtSeed % steps;
        SagaHarness app = new SagaHarness(steps);
        if (afterEffect) {
            app.bus.afterEffect(uncertainAt, failures);
        } else {
            app.bus.beforeEffect(uncertainAt, failures);
        }
        SagaCoordinator<Task.Begin> coordinator = app.coordinator();
        app.begin("w1", failAt, Outcome.FAIL_REPLY);
        coordinator.poll();
        // re-sends back off 1, 2, 4 minutes: move in small steps so they come before the 10-minute step timeout
        for (int minute = 0; minute < 30 && !coordinator.status("w1").orElseThrow().state().isTerminal(); minute++) {
            app.clock.advance(Duration.ofMinutes(1));
            coordinator.poll();
        }

        if (failAt < 0) {
            SagaStatus status = coordinator.status("w1").orElseThrow();
            assertEquals(SagaState.COMPLETED, status.state(), () -> "history: " + status.history());
            assertEquals(List.of(), app.undone("w1"));
            for (int i = 0; i < steps; i++) {
                assertEquals(1, app.count("test.Performed", "w1", i), "step " + i + " performed once");
            }
            assertEquals(List.of(), app.pendingTimers(), "pending timers");
        } else {
            assertCompensated(app, coordinator, steps, failAt);
        }
    }

    private static void assertCompensated(SagaHarness app, SagaCoordinator<Task.Begin> coordinator, int steps, int failAt) {
        List<Integer> expectedUndone = IntStream.iterate(failAt - 1, i -> i >= 0, i -> i - 1).boxed().toList();
        SagaStatus status = coordinator.status("w1").orElseThrow();
        assertEquals(SagaState.COMPENSATED, status.state(), () -> "history: " + status.history());
        assertEquals(expectedUndone, app.undone("w1"), "compensations executed");
        assertEquals(expectedUndone.stream().map(i -> "s" + i).toList(), status.compensatedSteps());
        assertEquals(IntStream.range(0, failAt).mapToObj(i -> "s" + i).toList(), status.completedSteps());
        assertEquals(List.of(), status.pendingTimeouts());
        for (int i = 0; i < steps; i++) {
            assertEquals(i < failAt ? 1 : 0, app.count("test.Performed", "w1", i), "step " + i + " performed");
        }
        assertEquals(List.of(), pendingTimers(app, coordinator), "pending timers");
    }

    private static List<?> pendingTimers(SagaHarness app, SagaCoordinator<Task.Begin> coordinator) {
        return app.pendingTimers();
    }
}
