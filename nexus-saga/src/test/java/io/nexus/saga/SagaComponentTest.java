package io.nexus.saga;

import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.saga.SagaDefinition;
import io.nexus.saga.Task.Outcome;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A saga registered on the application builder in one line, run by nexus.start() with the application's ports. */
class SagaComponentTest {

    @Test
    void registeredInOneLineItRunsOnTheApplicationsPortsUntilTheApplicationCloses() throws InterruptedException {
        SagaDefinition<Task.Begin> definition = SagaHarness.definition(2);
        SagaComponent<Task.Begin> saga = SagaComponent.of(definition, (coordinator, context) -> coordinator.pollInterval(Duration.ofMillis(20)));
        SagaHarness app = new SagaHarness(definition, builder -> builder.component(saga));
        assertEquals("saga/work", saga.name());
        IllegalStateException early = assertThrows(IllegalStateException.class, () -> saga.status("w1"));
        assertTrue(early.getMessage().contains("saga component 'saga/work' is not started"), early.getMessage());

        app.nexus.start();
        assertSame(saga, app.nexus.component(SagaComponent.class).orElseThrow());
        assertTrue(saga.coordinator().isRunning());
        app.begin("w1", -1, Outcome.SUCCEED);
        app.begin("w2", 1, Outcome.SILENT);
        awaitState(saga, "w1", SagaState.COMPLETED);
        awaitState(saga, "w2", SagaState.RUNNING);
        assertEquals(List.of("w2/timeout/s1"), app.nexus.timers().pending("work").stream().map(t -> t.id()).toList(),
                "the step timeout is a timer of the application's timer port");

        app.clock.advance(SagaHarness.STEP_TIMEOUT);
        awaitState(saga, "w2", SagaState.COMPENSATED);
        assertEquals(List.of(0), app.undone("w2"));
        // the timer is removed once its handling is recorded, just after the state the wait above saw
        awaitNoPendingTimers(app);
        awaitCheckpoint(app);

        app.nexus.close();
        assertTrue(!saga.coordinator().isRunning(), "closed with the application");
        assertEquals(app.store.headPosition(), app.nexus.checkpoints().load("saga/work", Checkpoint.GLOBAL).orElseThrow().positionAsLong());
    }

    @Test
    void anUnregisteredEventClassFailsTheApplicationsStart() {
        SagaDefinition<String> wrong = SagaDefinition.startedBy("wrong", String.class, s -> s)
                .step("only", step -> step.emits(s -> new Task.Announced(s))).build();
        SagaHarness app = new SagaHarness(SagaHarness.definition(1), builder -> builder.component(SagaComponent.of(wrong)));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, app.nexus::start);
        assertTrue(e.getMessage().contains("saga 'wrong' listens to event classes that are not registered: [java.lang.String]"), e.getMessage());
    }

    private static void awaitState(SagaComponent<Task.Begin> saga, String sagaId, SagaState state) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<SagaStatus> status = saga.status(sagaId);
            if (status.isPresent() && status.get().state() == state
                    && (state != SagaState.RUNNING || !status.get().pendingTimeouts().isEmpty())) {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
        }
        throw new AssertionError("saga " + sagaId + " did not reach " + state + " within 10 s: " + saga.status(sagaId));
    }

    private static void awaitNoPendingTimers(SagaHarness app) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!app.nexus.timers().pending("work").isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timers still pending after 10 s: " + app.nexus.timers().pending("work"));
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
        }
    }

    private static void awaitCheckpoint(SagaHarness app) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (app.nexus.checkpoints().load("saga/work", Checkpoint.GLOBAL).map(Checkpoint::positionAsLong).orElse(0L)
                    == app.store.headPosition()) {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
        }
        throw new AssertionError("the checkpoint of 'saga/work' did not reach the head " + app.store.headPosition());
    }
}
