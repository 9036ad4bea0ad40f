package io.nexus.saga;

import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.saga.SagaDefinition;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.serialization.EventTypes;
import io.nexus.saga.SagaStatus.PendingTimeout;
import io.nexus.saga.SagaStatus.TimeoutKind;
import io.nexus.saga.Task.Outcome;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SagaCoordinatorTest {

    private static List<String> types(SagaStatus status) {
        return status.history().stream().map(SagaStatus.HistoryEntry::type).map(t -> t.replace("nexus.saga.", "")).toList();
    }

    @Nested
    class Forward {

        @Test
        void completesWhenEveryStepSucceedsAndRecordsItsHistory() {
            SagaHarness app = new SagaHarness(3);
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            app.begin("w1", -1, Outcome.SUCCEED);

            assertTrue(coordinator.poll() > 0);

            SagaStatus status = coordinator.status("w1").orElseThrow();
            assertEquals(SagaState.COMPLETED, status.state());
            assertEquals(List.of("s0", "s1", "s2"), status.completedSteps());
            assertEquals(List.of(), status.compensatedSteps());
            assertEquals(List.of(), status.pendingTimeouts());
            assertEquals(Optional.empty(), status.currentStep());
            assertEquals(List.of("Started",
                    "StepRequested", "StepDispatched", "StepSucceeded",
                    "StepRequested", "StepDispatched", "StepSucceeded",
                    "StepRequested", "StepDispatched", "StepSucceeded",
                    "Completed"), types(status));
            assertEquals(List.of(), app.undone("w1"));
            assertEquals(List.of(), app.pendingTimers(), "step timeouts are cancelled on success");
        }

        @Test
        void sagaStateLivesInItsOwnStreamOfTheEventStore() {
            SagaHarness app = new SagaHarness(1);
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            app.begin("w1", -1, Outcome.SUCCEED);
            coordinator.poll();

            assertEquals("saga-work-w1", coordinator.streamIdOf("w1"));
            assertEquals(coordinator.status("w1").orElseThrow().version(), app.store.currentVersion("saga-work-w1"));
            assertEquals(Optional.empty(), coordinator.status("unknown"));
        }

        @Test
        void showsTheAwaitedStepAndItsPendingTimeout() {
            SagaHarness app = new SagaHarness(3);
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            app.begin("w1", 1, Outcome.SILENT);
            coordinator.poll();

            SagaStatus status = coordinator.status("w1").orElseThrow();
            assertEquals(SagaState.RUNNING, status.state());
            assertEquals(Optional.of("s1"), status.currentStep());
            assertEquals(List.of("s0"), status.completedSteps());
            Instant deadline = app.clock.instant().plus(SagaHarness.STEP_TIMEOUT);
            assertEquals(List.of(new PendingTimeout("s1", TimeoutKind.STEP_TIMEOUT, deadline)), status.pendingTimeouts());
            assertEquals(deadline, app.pendingTimers().get(0).dueAt());
        }

        @Test
        void aTimeoutDoesNotFireBeforeItsDeadline() {
            SagaHarness app = new SagaHarness(2);
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            app.begin("w1", 1, Outcome.SILENT);
            coordinator.poll();
            app.clock.advance(SagaHarness.STEP_TIMEOUT.minusSeconds(1));
            coordinator.poll();
            assertEquals(SagaState.RUNNING, coordinator.status("w1").orElseThrow().state());

            app.clock.advance(Duration.ofSeconds(1));
            coordinator.poll();
            SagaStatus status = coordinator.status("w1").orElseThrow();
            assertEquals(SagaState.COMPENSATED, status.state());
            assertTrue(status.failure().orElseThrow().contains("step 's1' timed out"), status.failure().toString());
        }

        @Test
        void aStepRefusedByTheCommandBusFailsWithTheBusMessage() {
            SagaHarness app = new SagaHarness(2);
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            app.begin("w1", 1, Outcome.REJECT);
            coordinator.poll();

            SagaStatus status = coordinator.status("w1").orElseThrow();
            assertEquals(SagaState.COMPENSATED, status.state());
            assertTrue(status.failure().orElseThrow().contains("Task 'task-w1-1' refuses the work"), status.failure().toString());
            assertEquals(List.of(0), app.undone("w1"));
        }

        @Test
        void aFailureReplyRecordsItsReason() {
            SagaHarness app = new SagaHarness(2);
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            app.begin("w1", 1, Outcome.FAIL_REPLY);
            coordinator.poll();

            assertEquals(Optional.of("step 's1' failed: no capacity for step 1"), coordinator.status("w1").orElseThrow().failure());
        }

        @Test
        void repliesOfOtherSagasAndUnexpectedRepliesAreIgnored() {
            SagaHarness app = new SagaHarness(2);
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            app.begin("w1", 1, Outcome.SILENT);
            coordinator.poll();
            long version = coordinator.status("w1").orElseThrow().version();

            app.publish("elsewhere", new Task.Performed("w2", 1));      // another saga id
            app.publish("elsewhere", new Task.PerformFailed("w1", 0, "late"));  // a step that is already done
            coordinator.poll();

            assertEquals(version, coordinator.status("w1").orElseThrow().version());
        }

        @Test
        void aReplyFromAnotherServiceCompletesTheAwaitedStep() {
            SagaHarness app = new SagaHarness(2);
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            app.begin("w1", 1, Outcome.SILENT);
            coordinator.poll();

            app.publish("payment-service", new Task.Performed("w1", 1));
            coordinator.poll();

            assertEquals(SagaState.COMPLETED, coordinator.status("w1").orElseThrow().state());
            assertEquals(List.of(), app.pendingTimers(), "the step timeout is cancelled");
        }

        @Test
        void aLateReplyAfterTheTimeoutChangesNothing() {
            SagaHarness app = new SagaHarness(2);
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            app.begin("w1", 1, Outcome.SILENT);
            coordinator.poll();
            app.clock.advance(SagaHarness.STEP_TIMEOUT);
            coordinator.poll();
            SagaStatus compensated = coordinator.status("w1").orElseThrow();

            app.publish("payment-service", new Task.Performed("w1", 1));
            coordinator.poll();

            assertEquals(compensated, coordinator.status("w1").orElseThrow());
            assertEquals(List.of(0), app.undone("w1"));
        }
    }

    @Nested
    class Idempotency {

        @Test
        void aReplyDeliveredTwiceDoesNotRunTheNextStepTwice() {
            SagaHarness app = new SagaHarness(3);
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            app.begin("w1", 1, Outcome.SILENT);
            coordinator.poll();
            EventEnvelope reply = app.publish("payment-service", new Task.Performed("w1", 1));
            coordinator.poll();
            long version = coordinator.status("w1").orElseThrow().version();

            assertTrue(coordinator.accept(reply));
            assertTrue(coordinator.accept(reply));

            assertEquals(version, coordinator.status("w1").orElseThrow().version());
            assertEquals(1, app.count("test.Performed", "w1", 2));
            assertEquals(SagaState.COMPLETED, coordinator.status("w1").orElseThrow().state());
        }

        @Test
        void aSecondReplyWithAnotherIdForTheSameStepIsIgnored() {
            SagaHarness app = new SagaHarness(3);
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            app.begin("w1", 1, Outcome.SILENT);
            coordinator.poll();
            app.publish("payment-service", new Task.Performed("w1", 1));
            app.publish("payment-service", new Task.Performed("w1", 1));
            coordinator.poll();

            SagaStatus status = coordinator.status("w1").orElseThrow();
            assertEquals(List.of("s0", "s1", "s2"), status.completedSteps());
            assertEquals(1, status.history().stream().filter(h -> h.type().endsWith("StepSucceeded") && h.step().equals(Optional.of("s1"))).count());
        }

        @Test
        void theStartingEventDeliveredTwiceStartsOneSaga() {
            SagaHarness app = new SagaHarness(2);
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            EventEnvelope begin = app.begin("w1", -1, Outcome.SUCCEED);
            coordinator.poll();
            long version = coordinator.status("w1").orElseThrow().version();

            coordinator.accept(begin);
            app.publish("begin-w1", new Task.Begin("w1", -1, Outcome.SUCCEED));   // another start for the same id
            coordinator.poll();

            assertEquals(version, coordinator.status("w1").orElseThrow().version());
            assertEquals(1, app.count("test.Performed", "w1", 0));
        }

        @Test
        void aStepCommandRedoneAfterACrashIsNotAppliedTwice() {
            SagaHarness app = new SagaHarness(2);
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            app.begin("w1", 1, Outcome.SILENT);
            coordinator.poll();
            // the crash: the step was requested and its command sent, but "dispatched" was never recorded.
            // Rewind by replaying the saga's history without the StepDispatched of s1 into a fresh store.
            SagaHarness replay = new SagaHarness(2);
            for (EventEnvelope e : app.all()) {
                boolean lostDispatch = e.streamId().equals("saga-work-w1") && e.version() == app.store.currentVersion("saga-work-w1");
                if (!lostDispatch && !e.streamId().startsWith("nexus-")) {
                    replay.store.append(e.streamId(), e.aggregateType(), io.nexus.core.store.ExpectedVersion.any(),
                            List.of(new io.nexus.core.event.NewEvent(e.eventId(), e.eventType(), e.schemaVersion(), e.payload(),
                                    e.correlationId(), e.causationId(), e.metadata())));
                }
            }
            assertEquals("nexus.saga.StepRequested", replay.store.read(io.nexus.core.store.StreamQuery.stream("saga-work-w1"))
                    .get((int) replay.store.currentVersion("saga-work-w1") - 1).eventType());

            replay.coordinator().poll();

            assertEquals(1, replay.count("test.Accepted", "w1", 1), "the re-sent command met its own events");
            SagaStatus status = replay.coordinator().status("w1").orElseThrow();
            assertEquals(SagaState.RUNNING, status.state());
            assertEquals("nexus.saga.StepDispatched", status.history().get(status.history().size() - 1).type());
        }
    }

    @Nested
    class Restart {

        @Test
        void aNewCoordinatorReArmsThePendingTimeoutAndCompensates() {
            SagaHarness app = new SagaHarness(3);
            app.coordinator().poll();
            app.begin("w1", 2, Outcome.SILENT);
            app.coordinator().poll();

            app.clock.advance(SagaHarness.STEP_TIMEOUT);
            SagaCoordinator<Task.Begin> restarted = app.coordinator();
            restarted.poll();

            SagaStatus status = restarted.status("w1").orElseThrow();
            assertEquals(SagaState.COMPENSATED, status.state());
            assertEquals(List.of(1, 0), app.undone("w1"));
        }

        @Test
        void aNewCoordinatorContinuesFromTheStoredPosition() {
            SagaHarness app = new SagaHarness(2);
            SagaCoordinator<Task.Begin> first = app.coordinator();
            app.begin("w1", 1, Outcome.SILENT);
            first.poll();
            long position = first.position();

            app.publish("payment-service", new Task.Performed("w1", 1));
            SagaCoordinator<Task.Begin> restarted = app.coordinator();
            assertTrue(restarted.position() > 0 && restarted.position() <= position, "resumes from the stored position");
            restarted.poll();

            assertEquals(SagaState.COMPLETED, restarted.status("w1").orElseThrow().state());
            assertEquals(1, app.count("test.Performed", "w1", 0), "nothing before the stored position is redone");
        }

        @Test
        void aCompensationRetryIsRememberedAcrossARestart() {
            SagaHarness app = new SagaHarness(2);
            app.undoFailuresLeft.set(1);
            app.begin("w1", 1, Outcome.FAIL_REPLY);
            app.coordinator().poll();
            assertEquals(SagaState.COMPENSATING, app.coordinator().status("w1").orElseThrow().state());

            app.clock.advance(Duration.ofMinutes(1));
            SagaCoordinator<Task.Begin> restarted = app.coordinator();
            restarted.poll();

            assertEquals(SagaState.COMPENSATED, restarted.status("w1").orElseThrow().state());
            assertEquals(2, app.undoAttempts.get());
        }
    }

    @Nested
    class Compensation {

        @Test
        void aFailingCompensationIsRetriedWithBackoffOnTheClock() {
            SagaHarness app = new SagaHarness(3);
            app.undoFailuresLeft.set(2);
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            app.begin("w1", 2, Outcome.FAIL_REPLY);
            coordinator.poll();

            SagaStatus afterFirst = coordinator.status("w1").orElseThrow();
            assertEquals(SagaState.COMPENSATING, afterFirst.state());
            assertEquals(1, app.undoAttempts.get());
            Instant firstRetry = app.clock.instant().plus(Duration.ofMinutes(1));
            assertEquals(List.of(new PendingTimeout("s1", TimeoutKind.COMPENSATION_RETRY, firstRetry)), afterFirst.pendingTimeouts());

            app.clock.advance(Duration.ofSeconds(59));
            coordinator.poll();
            assertEquals(1, app.undoAttempts.get(), "no retry before the backoff elapsed");

            app.clock.advance(Duration.ofSeconds(1));
            coordinator.poll();
            assertEquals(2, app.undoAttempts.get());
            assertEquals(List.of(new PendingTimeout("s1", TimeoutKind.COMPENSATION_RETRY, app.clock.instant().plus(Duration.ofMinutes(2)))),
                    coordinator.status("w1").orElseThrow().pendingTimeouts(), "the backoff doubles");

            app.clock.advance(Duration.ofMinutes(2));
            coordinator.poll();

            SagaStatus status = coordinator.status("w1").orElseThrow();
            assertEquals(SagaState.COMPENSATED, status.state());
            assertEquals(List.of(1, 0), app.undone("w1"));
            assertEquals(List.of("s1", "s0"), status.compensatedSteps());
            assertEquals(List.of(), app.pendingTimers());
        }

        @Test
        void pastTheRetryLimitTheSagaIsParkedWithTheCauseAndCanBeResumed() {
            SagaHarness app = new SagaHarness(3);
            app.compensationRetry = RetryPolicy.custom().maxAttempts(2).initialDelay(Duration.ofSeconds(10)).jitter(0).build();
            app.undoFailuresLeft.set(100);
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            app.begin("w1", 2, Outcome.FAIL_REPLY);
            coordinator.poll();
            app.clock.advance(Duration.ofSeconds(10));
            coordinator.poll();
            app.clock.advance(Duration.ofDays(1));
            coordinator.poll();

            SagaStatus parked = coordinator.status("w1").orElseThrow();
            assertEquals(SagaState.NEEDS_ATTENTION, parked.state());
            assertEquals(Optional.of("s1"), parked.currentStep());
            assertTrue(parked.failure().orElseThrow().contains("compensation of step 's1' failed 2 times"), parked.failure().toString());
            assertTrue(parked.failure().orElseThrow().contains("undo refused for 'task-w1-1'"), parked.failure().toString());
            assertEquals(2, app.undoAttempts.get());
            assertEquals(List.of(), app.undone("w1"), "s0 is not compensated before s1");
            assertEquals(List.of(), parked.pendingTimeouts());

            app.undoFailuresLeft.set(0);
            SagaStatus resumed = coordinator.resume("w1");

            assertEquals(SagaState.COMPENSATED, resumed.state());
            assertEquals(List.of(1, 0), app.undone("w1"));
        }

        @Test
        void resumeRefusesASagaThatIsNotParked() {
            SagaHarness app = new SagaHarness(1);
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            app.begin("w1", -1, Outcome.SUCCEED);
            coordinator.poll();

            IllegalStateException e = assertThrows(IllegalStateException.class, () -> coordinator.resume("w1"));
            assertTrue(e.getMessage().contains("'w1' is COMPLETED, not NEEDS_ATTENTION"), e.getMessage());
            SagaNotFoundException missing = assertThrows(SagaNotFoundException.class, () -> coordinator.resume("nope"));
            assertTrue(missing.getMessage().contains("Saga 'work' has no instance 'nope'"), missing.getMessage());
        }

        @Test
        void stepsWithoutActionOrCompensationAndEmittedEvents() {
            SagaDefinition<Task.Begin> definition = SagaDefinition.startedBy("announce", Task.Begin.class, Task.Begin::sagaId)
                    .step("accept", step -> step.compensatedByEvent(b -> new Task.Retracted(b.sagaId())))
                    .step("announce", step -> step.emits(b -> new Task.Announced(b.sagaId())))
                    .step("work", step -> step.sends(b -> new Task.Perform(b.sagaId(), 0, b.outcome()))
                            .succeedsOn(Task.Performed.class, Task.Performed::sagaId)
                            .failsOn(Task.PerformFailed.class, Task.PerformFailed::sagaId, Task.PerformFailed::reason))
                    .build();
            SagaHarness app = new SagaHarness(definition);
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            app.begin("w1", 0, Outcome.FAIL_REPLY);
            coordinator.poll();

            SagaStatus status = coordinator.status("w1").orElseThrow();
            assertEquals(SagaState.COMPENSATED, status.state());
            assertEquals(List.of("accept", "announce"), status.completedSteps());
            assertEquals(List.of("accept"), status.compensatedSteps(), "a step without compensation is not compensated");
            List<String> sagaStream = app.store.read(io.nexus.core.store.StreamQuery.stream("saga-announce-w1")).stream()
                    .map(EventEnvelope::eventType).filter(t -> t.startsWith("test.")).toList();
            assertEquals(List.of("test.Announced", "test.Retracted"), sagaStream);
        }

        @Test
        void anEmittedEventTheApplicationsPolicyDeniesIsNeverStoredAndFailsItsStep() {
            SagaDefinition<Task.Begin> definition = SagaDefinition.startedBy("announce", Task.Begin.class, Task.Begin::sagaId)
                    .step("accept", step -> step.compensatedByEvent(b -> new Task.Retracted(b.sagaId())))
                    .step("announce", step -> step.emits(b -> new Task.Announced(b.sagaId())))
                    .build();
            java.util.List<io.nexus.core.policy.PolicyRequest> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
            SagaHarness app = new SagaHarness(definition, builder -> builder.policyEngine(request -> {
                asked.add(request);
                return "test.Announced".equals(request.eventType()) ? io.nexus.core.policy.PolicyDecision.deny("no announcements on Sundays")
                        : io.nexus.core.policy.PolicyDecision.allow();
            }));
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            app.begin("w1", 0, Outcome.SUCCEED);
            coordinator.poll();

            SagaStatus status = coordinator.status("w1").orElseThrow();
            assertEquals(SagaState.COMPENSATED, status.state());
            assertTrue(status.failure().orElseThrow().contains("no announcements on Sundays"), status.failure().toString());
            List<String> sagaStream = app.store.read(io.nexus.core.store.StreamQuery.stream("saga-announce-w1")).stream()
                    .map(EventEnvelope::eventType).filter(t -> t.startsWith("test.")).toList();
            assertEquals(List.of("test.Retracted"), sagaStream);
            io.nexus.core.policy.PolicyRequest request = asked.stream().filter(r -> "test.Announced".equals(r.eventType())).findFirst().orElseThrow();
            assertEquals("saga", request.aggregateType());
            assertEquals("saga-announce-w1", request.aggregateId());
            assertEquals(java.util.Map.of("saga", "announce"), request.principal());
        }

        @Test
        void anEmittedEventThatFailsValidationIsNeverStoredAndFailsItsStep() {
            SagaDefinition<Task.Begin> definition = SagaDefinition.startedBy("announce", Task.Begin.class, Task.Begin::sagaId)
                    .step("accept", step -> step.compensatedByEvent(b -> new Task.Retracted(b.sagaId())))
                    .step("announce", step -> step.emits(b -> new Task.Announced(b.sagaId())))
                    .build();
            SagaHarness app = new SagaHarness(definition);
            SagaCoordinator<Task.Begin> coordinator = app.coordinatorBuilder()
                    .validator((stream, event) -> {
                        if (event.eventType().equals("test.Announced")) {
                            throw new io.nexus.core.schema.SchemaViolationException(event.eventType(), event.schemaVersion(),
                                    List.of(new io.nexus.core.schema.Violation("/sagaId", "announcements are not allowed")));
                        }
                    }).build();
            app.begin("w1", 0, Outcome.SUCCEED);
            coordinator.poll();

            SagaStatus status = coordinator.status("w1").orElseThrow();
            assertEquals(SagaState.COMPENSATED, status.state());
            assertTrue(status.failure().orElseThrow().contains("announcements are not allowed"), status.failure().toString());
            List<String> sagaStream = app.store.read(io.nexus.core.store.StreamQuery.stream("saga-announce-w1")).stream()
                    .map(EventEnvelope::eventType).filter(t -> t.startsWith("test.")).toList();
            assertEquals(List.of("test.Retracted"), sagaStream);
        }
    }

    @Nested
    class UnknownOutcome {

        @Test
        void aSendThatFailsAfterTheCommandTookEffectIsNotAFailedStepAndIsCompensatedLater() {
            // s0 succeeds; sending s1 throws although s1 took effect; s2 fails: s1 and s0 must both be undone
            SagaHarness app = new SagaHarness(3);
            app.bus.afterEffect(1, 1);
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            app.begin("w1", 2, Outcome.FAIL_REPLY);

            coordinator.poll();

            SagaStatus status = coordinator.status("w1").orElseThrow();
            assertEquals(SagaState.COMPENSATED, status.state(), () -> "history: " + status.history());
            assertEquals(List.of("s0", "s1"), status.completedSteps(), "the reply of s1 ended it, although its send threw");
            assertEquals(List.of(1, 0), app.undone("w1"), "the step whose send threw is compensated too");
            assertTrue(types(status).contains("StepOutcomeUnknown"), types(status).toString());
            assertTrue(status.history().stream().noneMatch(h -> h.type().endsWith("StepFailed") && h.step().equals(Optional.of("s1"))));
            assertEquals(List.of(), app.pendingTimers(), "the re-send became moot and was disarmed");
        }

        @Test
        void aSendThatNeverReachedTheAggregateIsResentWithTheSameCommandIdAfterTheBackoff() {
            SagaHarness app = new SagaHarness(2);
            app.bus.beforeEffect(1, 2);
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            app.begin("w1", -1, Outcome.SUCCEED);
            coordinator.poll();

            SagaStatus waiting = coordinator.status("w1").orElseThrow();
            assertEquals(SagaState.RUNNING, waiting.state());
            assertEquals(Optional.of("s1"), waiting.currentStep());
            Instant resendAt = app.clock.instant().plus(Duration.ofMinutes(1));
            assertTrue(waiting.pendingTimeouts().contains(new PendingTimeout("s1", TimeoutKind.COMMAND_RESEND, resendAt)),
                    waiting.pendingTimeouts().toString());

            app.clock.advance(Duration.ofSeconds(59));
            coordinator.poll();
            assertEquals(2, app.bus.sends.get(), "no re-send before the backoff elapsed");
            app.clock.advance(Duration.ofSeconds(1));
            coordinator.poll();
            assertEquals(3, app.bus.sends.get());
            assertEquals(SagaState.RUNNING, coordinator.status("w1").orElseThrow().state(), "the second attempt failed too");
            app.clock.advance(Duration.ofMinutes(2));
            coordinator.poll();

            SagaStatus done = coordinator.status("w1").orElseThrow();
            assertEquals(SagaState.COMPLETED, done.state(), () -> "history: " + done.history());
            assertEquals(1, app.count("test.Performed", "w1", 1));
            assertEquals(List.of(), app.pendingTimers());
        }

        @Test
        void aResendOfACommandThatHadTakenEffectMeetsItsOwnEventsAndTheStepGoesOn() {
            // SILENT: the command's own event is no reply, so only the re-send can resolve the outcome
            SagaHarness app = new SagaHarness(2);
            app.bus.afterEffect(1, 1);
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            app.begin("w1", 1, Outcome.SILENT);
            coordinator.poll();
            assertEquals(1, app.count("test.Accepted", "w1", 1));

            app.clock.advance(Duration.ofMinutes(1));
            coordinator.poll();

            SagaStatus status = coordinator.status("w1").orElseThrow();
            assertEquals(SagaState.RUNNING, status.state());
            assertEquals("nexus.saga.StepDispatched", status.history().get(status.history().size() - 1).type());
            assertEquals(1, app.count("test.Accepted", "w1", 1), "the re-sent command id was recognised, not applied twice");
            app.publish("payment-service", new Task.Performed("w1", 1));
            coordinator.poll();
            assertEquals(SagaState.COMPLETED, coordinator.status("w1").orElseThrow().state());
        }

        @Test
        void anOutcomeThatStaysUnknownParksTheSagaUntilResumed() {
            SagaHarness app = new SagaHarness(2);
            app.commandRetry = RetryPolicy.custom().maxAttempts(2).initialDelay(Duration.ofSeconds(10)).jitter(0).build();
            app.bus.beforeEffect(1, 100);
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            app.begin("w1", -1, Outcome.SUCCEED);
            coordinator.poll();
            app.clock.advance(Duration.ofSeconds(10));
            coordinator.poll();

            SagaStatus parked = coordinator.status("w1").orElseThrow();
            assertEquals(SagaState.NEEDS_ATTENTION, parked.state());
            assertEquals(Optional.of("s1"), parked.currentStep());
            assertTrue(parked.failure().orElseThrow().contains("the outcome of step 's1' stayed unknown after 2 attempts"), parked.failure().toString());
            assertTrue(parked.failure().orElseThrow().contains("connection reset"), parked.failure().toString());
            assertEquals(List.of(new PendingTimeout("s1", TimeoutKind.STEP_TIMEOUT, parked.pendingTimeouts().get(0).dueAt())),
                    parked.pendingTimeouts(), "only the step's own timeout remains");
            assertEquals(List.of(), app.undone("w1"), "nothing is compensated while the outcome is unknown");

            app.bus.failBeforeEffect.clear();
            SagaStatus resumed = coordinator.resume("w1");
            assertEquals(SagaState.RUNNING, resumed.state(), "re-sent, now waiting for the reply");
            coordinator.poll();

            SagaStatus done = coordinator.status("w1").orElseThrow();
            assertEquals(SagaState.COMPLETED, done.state(), () -> "history: " + done.history());
            assertEquals(1, app.count("test.Performed", "w1", 1));
        }

        @Test
        void aReplyEndsAStepParkedWithAnUnknownOutcome() {
            SagaHarness app = new SagaHarness(2);
            app.commandRetry = RetryPolicy.none();
            app.bus.beforeEffect(1, 100);
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            app.begin("w1", -1, Outcome.SUCCEED);
            coordinator.poll();
            assertEquals(SagaState.NEEDS_ATTENTION, coordinator.status("w1").orElseThrow().state());

            app.publish("payment-service", new Task.Performed("w1", 1));
            coordinator.poll();

            SagaStatus status = coordinator.status("w1").orElseThrow();
            assertEquals(SagaState.COMPLETED, status.state(), () -> "history: " + status.history());
            assertEquals(Optional.empty(), status.failure());
        }

        @Test
        void aStepThatTimesOutWithItsOutcomeUnknownIsCompensatedToo() {
            SagaHarness app = new SagaHarness(2);
            app.commandRetry = RetryPolicy.custom().maxAttempts(5).initialDelay(Duration.ofHours(1)).maxDelay(Duration.ofHours(1)).jitter(0).build();
            app.bus.afterEffect(1, 100);
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            app.begin("w1", 1, Outcome.SILENT);
            coordinator.poll();
            app.clock.advance(SagaHarness.STEP_TIMEOUT);
            coordinator.poll();

            SagaStatus status = coordinator.status("w1").orElseThrow();
            assertEquals(SagaState.COMPENSATED, status.state(), () -> "history: " + status.history());
            assertEquals(List.of("s0"), status.completedSteps());
            assertEquals(List.of("s1", "s0"), status.compensatedSteps(), "s1 may have taken effect: it is undone first");
            assertEquals(2, app.undoAttempts.get());
            assertEquals(List.of(), app.pendingTimers(), "the pending re-send was disarmed");
        }

        @Test
        void aStepThatTimesOutAfterItsCommandWasAcceptedIsNotCompensated() {
            SagaHarness app = new SagaHarness(2);
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            app.begin("w1", 1, Outcome.SILENT);
            coordinator.poll();
            app.clock.advance(SagaHarness.STEP_TIMEOUT);
            coordinator.poll();

            assertEquals(List.of("s0"), coordinator.status("w1").orElseThrow().compensatedSteps());
            assertEquals(1, app.undoAttempts.get());
        }

        @Test
        void onlyRefusalsThatProveTheCommandHadNoEffectFailAStep() {
            assertTrue(SagaEffects.provesNoEffect(new io.nexus.core.command.CommandRejectedException("no")));
            assertTrue(SagaEffects.provesNoEffect(new io.nexus.core.command.InvalidCommandException("no")));
            assertTrue(SagaEffects.provesNoEffect(new io.nexus.core.command.UnknownCommandException(String.class)));
            assertTrue(!SagaEffects.provesNoEffect(new io.nexus.core.store.EventStoreUnavailableException("down", null, true)));
            assertTrue(!SagaEffects.provesNoEffect(new IllegalStateException("connection reset")));
            assertTrue(!SagaEffects.provesNoEffect(new io.nexus.core.NexusException("timed out", null, false)));
        }
    }

    @Nested
    class Running {

        @Test
        void inTheBackgroundItIsWokenByAppendsAndTheClock() throws InterruptedException {
            SagaHarness app = new SagaHarness(2);
            try (SagaCoordinator<Task.Begin> coordinator = app.coordinatorBuilder().pollInterval(Duration.ofMillis(20)).build()) {
                coordinator.start();
                app.begin("w1", -1, Outcome.SUCCEED);
                app.begin("w2", 1, Outcome.SILENT);
                awaitState(coordinator, "w1", SagaState.COMPLETED);
                awaitState(coordinator, "w2", SagaState.RUNNING);

                app.clock.advance(SagaHarness.STEP_TIMEOUT);
                awaitState(coordinator, "w2", SagaState.COMPENSATED);
                assertThrows(IllegalStateException.class, coordinator::start);
            }
        }

        @Test
        void twoCoordinatorsOverOneStoreRunEachStepAndCompensationOnce() throws InterruptedException {
            SagaHarness app = new SagaHarness(3);
            try (SagaCoordinator<Task.Begin> first = app.coordinatorBuilder().pollInterval(Duration.ofMillis(5)).build();
                 SagaCoordinator<Task.Begin> second = app.coordinatorBuilder().pollInterval(Duration.ofMillis(5))
                         .checkpoints(new io.nexus.core.checkpoint.InMemoryCheckpointStore()).build()) {
                first.start();
                second.start();
                for (int i = 0; i < 20; i++) {
                    app.begin("w" + i, i % 4 == 3 ? -1 : i % 4, i % 2 == 0 ? Outcome.FAIL_REPLY : Outcome.REJECT);
                }
                for (int i = 0; i < 20; i++) {
                    awaitState(first, "w" + i, i % 4 == 3 ? SagaState.COMPLETED : SagaState.COMPENSATED);
                }
            }
            for (int i = 0; i < 20; i++) {
                int failAt = i % 4 == 3 ? 3 : i % 4;
                for (int step = 0; step < 3; step++) {
                    assertEquals(step < failAt ? 1 : 0, app.count("test.Performed", "w" + i, step), "w" + i + " step " + step);
                }
                List<Integer> expectedUndone = failAt == 3 ? List.of() : java.util.stream.IntStream.iterate(failAt - 1, k -> k >= 0, k -> k - 1).boxed().toList();
                assertEquals(expectedUndone, app.undone("w" + i), "w" + i);
                List<String> history = app.coordinator().status("w" + i).orElseThrow().history().stream()
                        .map(h -> h.type() + h.step().map(st -> "/" + st).orElse("")).toList();
                assertEquals(history.size(), history.stream().distinct().count(), "no decision recorded twice: " + history);
            }
        }

        @Test
        void positionsLiveInTheCheckpointStoreAndIdleCoordinatorsAppendNothing() {
            SagaHarness app = new SagaHarness(1);
            SagaDefinition<Task.Begin> other = SagaDefinition.startedBy("other", Task.Begin.class, Task.Begin::sagaId)
                    .step("only", step -> step.emits(b -> new Task.Announced(b.sagaId()))).build();
            SagaCoordinator<Task.Begin> first = app.coordinator();
            SagaCoordinator<Task.Begin> second = SagaCoordinator.builder(other).from(app.nexus).checkpoints(app.checkpoints).build();
            app.begin("w1", -1, Outcome.SUCCEED);
            first.poll();
            second.poll();
            first.poll();
            assertEquals(SagaState.COMPLETED, first.status("w1").orElseThrow().state());
            assertEquals(SagaState.COMPLETED, second.status("w1").orElseThrow().state());

            long head = app.store.headPosition();
            assertEquals(Optional.of(String.valueOf(head)), app.checkpoints.load("saga/work", Checkpoint.GLOBAL).map(Checkpoint::position),
                    "the position of 'work' is in the checkpoint store, at the head");
            assertTrue(app.checkpoints.load("saga/other", Checkpoint.GLOBAL).orElseThrow().positionAsLong() > 0);
            assertEquals(List.of(), app.all().stream().map(EventEnvelope::streamId).filter(id -> id.contains("checkpoint")).distinct().toList(),
                    "no position is written to the event log");

            second.poll();
            assertEquals(0, first.poll(), "nothing new concerned the saga");
            assertEquals(head, app.store.headPosition(), "idle coordinators append nothing");
            assertEquals(head, app.checkpoints.load("saga/other", Checkpoint.GLOBAL).orElseThrow().positionAsLong());
        }

        private void awaitState(SagaCoordinator<Task.Begin> coordinator, String sagaId, SagaState state) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline) {
                Optional<SagaStatus> status = coordinator.status(sagaId);
                if (status.isPresent() && status.get().state() == state
                        && (state != SagaState.RUNNING || !status.get().pendingTimeouts().isEmpty())) {
                    return;
                }
                Thread.sleep(5);
            }
            throw new AssertionError("saga " + sagaId + " did not reach " + state + " within 10 s: " + coordinator.status(sagaId));
        }
    }

    @Nested
    class Configuration {

        @Test
        void missingSettingsAreNamedTogether() {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> SagaCoordinator.builder(SagaHarness.definition(1)).build());
            assertTrue(e.getMessage().contains("is missing [eventStore, codec, commandBus]"), e.getMessage());
        }

        @Test
        void unregisteredEventClassesAreAStartupError() {
            SagaHarness app = new SagaHarness(1);
            EventCodec partial = EventCodec.jackson(EventTypes.builder().register(Task.Begin.class).build());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SagaCoordinator.builder(SagaHarness.definition(1))
                    .eventStore(app.store).commandBus(app.nexus.commands()).codec(partial).build());
            assertTrue(e.getMessage().contains(Task.Performed.class.getName()), e.getMessage());
            assertTrue(e.getMessage().contains(Task.PerformFailed.class.getName()), e.getMessage());
        }

        @Test
        void anUndecodableStartingEventStopsTheCoordinatorAtThatEvent() {
            SagaHarness app = new SagaHarness(1);
            SagaCoordinator<Task.Begin> coordinator = app.coordinator();
            app.store.append("begin-bad", "outside", io.nexus.core.store.ExpectedVersion.any(), List.of(
                    io.nexus.core.event.NewEvent.of("test.Begin", 1, io.nexus.core.event.EventPayload.ofJson("{not json"))));

            assertThrows(io.nexus.core.serialization.EventSerializationException.class, coordinator::poll);
            assertEquals(0, coordinator.position(), "the event is not skipped");
            assertThrows(io.nexus.core.serialization.EventSerializationException.class, coordinator::poll, "nor on the next poll");
        }
    }
}
