package io.nexus.saga;

import io.nexus.core.Nexus;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.command.CommandBus;
import io.nexus.core.command.CommandMetadata;
import io.nexus.core.command.CommandResult;
import io.nexus.core.aggregate.AggregateDefinition;
import io.nexus.core.command.CommandRejectedException;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.NewEvent;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.saga.SagaDefinition;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.saga.Task.Outcome;

import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A real application for saga tests: the in-memory event store, the real command bus with the
 * {@link Task} aggregate, and a test clock. Undo commands can be made to fail a number of times.
 */
final class SagaHarness {

    static final Duration STEP_TIMEOUT = Duration.ofMinutes(10);

    final TestClock clock = new TestClock();
    final InMemoryEventStore store = InMemoryEventStore.builder().clock(clock).build();
    final AtomicInteger undoFailuresLeft = new AtomicInteger();
    final AtomicInteger undoAttempts = new AtomicInteger();
    final Nexus nexus;
    final SagaDefinition<Task.Begin> definition;
    final CheckpointStore checkpoints;
    final FlakyBus bus;
    RetryPolicy compensationRetry = RetryPolicy.custom().maxAttempts(3).initialDelay(Duration.ofMinutes(1))
            .maxDelay(Duration.ofMinutes(10)).jitter(0).build();
    RetryPolicy commandRetry = RetryPolicy.custom().maxAttempts(5).initialDelay(Duration.ofMinutes(1))
            .maxDelay(Duration.ofMinutes(10)).jitter(0).build();

    SagaHarness(int steps) {
        this(definition(steps));
    }

    SagaHarness(SagaDefinition<Task.Begin> definition) {
        this(definition, builder -> { });
    }

    /** With {@code more} applied to the application's builder (components, a policy, ...). */
    SagaHarness(SagaDefinition<Task.Begin> definition, Consumer<Nexus.Builder> more) {
        this.definition = definition;
        Nexus.Builder builder = Nexus.builder();
        more.accept(builder);
        this.nexus = builder.eventStore(store).clock(clock).eventTypes(Task.eventTypes()).snapshotExecutor(Runnable::run)
                .aggregate(AggregateDefinition.of(Task.class, Task::new), routes -> routes
                        .createOrUpdate(Task.Perform.class, Task.Perform::taskId, (task, cmd, ctx) -> task.perform(cmd))
                        .update(Task.Undo.class, Task.Undo::taskId, (task, cmd, ctx) -> {
                            undoAttempts.incrementAndGet();
                            if (undoFailuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                                throw new CommandRejectedException("undo refused for '" + cmd.taskId() + "'");
                            }
                            task.undo(cmd);
                        }))
                .build();
        this.bus = new FlakyBus(nexus.commands());
        this.checkpoints = nexus.checkpoints();
    }

    /** Steps s0..s(n-1); step i sends Perform(i) (with the starting event's outcome at failAt), undone by Undo(i). */
    static SagaDefinition<Task.Begin> definition(int steps) {
        SagaDefinition.Builder<Task.Begin> builder = SagaDefinition.startedBy("work", Task.Begin.class, Task.Begin::sagaId);
        for (int i = 0; i < steps; i++) {
            int index = i;
            builder.step("s" + i, step -> step
                    .sends(b -> new Task.Perform(b.sagaId(), index, b.failAt() == index ? b.outcome() : Outcome.SUCCEED))
                    .compensatedBy(b -> new Task.Undo(b.sagaId(), index))
                    .timeout(STEP_TIMEOUT)
                    .succeedsOn(Task.Performed.class, Task.Performed::sagaId, p -> p.step() == index)
                    .failsOn(Task.PerformFailed.class, Task.PerformFailed::sagaId, p -> p.step() == index, Task.PerformFailed::reason));
        }
        return builder.build();
    }

    SagaCoordinator<Task.Begin> coordinator() {
        return coordinatorBuilder().build();
    }

    SagaCoordinator.Builder<Task.Begin> coordinatorBuilder() {
        return SagaCoordinator.builder(definition).from(nexus).commandBus(bus)
                .compensationRetry(compensationRetry).commandRetry(commandRetry).randomSeed(7);
    }

    /** Appends the starting event, as another part of the application would. */
    EventEnvelope begin(String sagaId, int failAt, Outcome outcome) {
        return publish("begin-" + sagaId, new Task.Begin(sagaId, failAt, outcome));
    }

    /** Appends {@code event} to {@code streamId}, as an outside service would. */
    EventEnvelope publish(String streamId, Object event) {
        NewEvent encoded = nexus.codec().encode(event, UUID.randomUUID(), null, null, java.util.Map.of());
        return store.append(streamId, "outside", ExpectedVersion.any(), List.of(encoded)).events().get(0);
    }

    /** The steps undone for {@code sagaId}, in the order the Undone events were stored. */
    List<Integer> undone(String sagaId) {
        List<Integer> steps = new ArrayList<>();
        for (EventEnvelope e : store.readAll(1, Integer.MAX_VALUE)) {
            if (e.eventType().equals("test.Undone")) {
                Task.Undone undone = (Task.Undone) nexus.codec().decode(e);
                if (undone.sagaId().equals(sagaId)) {
                    steps.add(undone.step());
                }
            }
        }
        return steps;
    }

    /** How many events of {@code type} the store holds for {@code sagaId}'s task {@code step}. */
    long count(String type, String sagaId, int step) {
        return store.readAll(1, Integer.MAX_VALUE).stream()
                .filter(e -> e.eventType().equals(type) && e.streamId().equals("task-" + sagaId + "-" + step)).count();
    }

    /**
     * The application's command bus, with failures that leave the outcome unknown: the next sends of
     * {@code Perform} for a step can throw after the command took effect (a reply lost on the way back),
     * or before it reached the aggregate (a connection that failed).
     */
    static final class FlakyBus implements CommandBus {
        private final CommandBus delegate;
        final Map<Integer, AtomicInteger> failAfterEffect = new ConcurrentHashMap<>();
        final Map<Integer, AtomicInteger> failBeforeEffect = new ConcurrentHashMap<>();
        final AtomicInteger sends = new AtomicInteger();

        FlakyBus(CommandBus delegate) {
            this.delegate = delegate;
        }

        FlakyBus afterEffect(int step, int times) {
            failAfterEffect.put(step, new AtomicInteger(times));
            return this;
        }

        FlakyBus beforeEffect(int step, int times) {
            failBeforeEffect.put(step, new AtomicInteger(times));
            return this;
        }

        @Override
        public CommandResult send(Object command, CommandMetadata metadata) {
            sends.incrementAndGet();
            int step = command instanceof Task.Perform perform ? perform.step() : -1;
            if (take(failBeforeEffect, step)) {
                throw new IllegalStateException("connection reset before 'task-" + step + "' was reached");
            }
            CommandResult result = delegate.send(command, metadata);
            if (take(failAfterEffect, step)) {
                throw new UncheckedIOException(new SocketTimeoutException("timed out waiting for the answer of '" + result.aggregateId() + "'"));
            }
            return result;
        }

        private static boolean take(Map<Integer, AtomicInteger> failures, int step) {
            AtomicInteger left = failures.get(step);
            return left != null && left.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        }
    }

    /** The timers the saga 'work' waits for, in the application's timer store. */
    List<io.nexus.core.scheduler.ScheduledTimer> pendingTimers() {
        return nexus.timers().pending("work");
    }

    List<EventEnvelope> all() {
        return store.readAll(1, Integer.MAX_VALUE);
    }
}
