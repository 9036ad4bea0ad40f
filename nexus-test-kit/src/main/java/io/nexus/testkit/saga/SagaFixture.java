package io.nexus.testkit.saga;

import io.nexus.core.command.CommandBus;
import io.nexus.core.command.CommandMetadata;
import io.nexus.core.command.CommandRejectedException;
import io.nexus.core.command.CommandResult;
import io.nexus.core.event.NewEvent;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.saga.SagaDefinition;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.saga.SagaCoordinator;
import io.nexus.saga.SagaState;
import io.nexus.saga.SagaStatus;
import io.nexus.testkit.ControllableClock;
import io.nexus.testkit.internal.Differences;
import org.opentest4j.AssertionFailedError;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Given/when/then tests for one saga, with time travel. The saga runs on the real {@link SagaCoordinator}
 * over an in-memory event store and a {@link ControllableClock}; the commands it sends go to a recording
 * command bus that accepts them (or refuses them, see {@link #refuse}, or loses the answer after
 * applying them, see {@link #loseAnswer}), so the test plays the other services by giving their reply
 * events. Timers are kept in the event store ({@link io.nexus.saga.EventStoreScheduler}).
 *
 * <pre>{@code
 * SagaFixture<OrderConfirmed> saga = SagaFixture.forSaga(Fulfilment.definition(Duration.ofMinutes(30)), OrderEvents.TYPES);
 * saga.given(new OrderConfirmed("o-1", ...))
 *     .expectCommands(new ReserveInventory("o-1", ...))
 *     .when(new InventoryReserved("o-1"))
 *     .expectCommands(new ChargePayment("o-1", ...))
 *     .whenTimeElapses(Duration.ofMinutes(31))
 *     .expectCompensations(new ReleaseInventory("o-1"), new CancelOrder("o-1", ...))
 *     .expectState("o-1", SagaState.COMPENSATED);
 * }</pre>
 *
 * <p>{@link #expectCommands} checks the commands sent since the previous {@code given}, {@code when} or
 * {@code whenTimeElapses}; {@link #expectAllCommands} and {@link #expectCompensations} check everything
 * since the fixture was created. A command re-sent with the same command id counts once, as the real
 * command bus applies it once. Not thread-safe: one fixture per test.
 *
 * @param <E> the class of the starting event
 */
public final class SagaFixture<E> {

    private final SagaDefinition<E> definition;
    private final ControllableClock clock = ControllableClock.standard();
    private final InMemoryEventStore store = InMemoryEventStore.builder().clock(clock).build();
    private final EventCodec codec;
    private final RecordingBus bus = new RecordingBus();
    private final AtomicInteger streams = new AtomicInteger();
    private RetryPolicy compensationRetry = RetryPolicy.custom().maxAttempts(3).initialDelay(Duration.ofSeconds(1))
            .maxDelay(Duration.ofMinutes(1)).jitter(0).build();
    private RetryPolicy commandRetry = RetryPolicy.custom().maxAttempts(3).initialDelay(Duration.ofSeconds(1))
            .maxDelay(Duration.ofMinutes(1)).jitter(0).build();
    private @Nullable SagaCoordinator<E> coordinator;
    private int windowStart;

    private SagaFixture(SagaDefinition<E> definition, EventTypes types) {
        this.definition = Objects.requireNonNull(definition, "definition");
        this.codec = EventCodec.jackson(Objects.requireNonNull(types, "types"));
    }

    /**
     * A fixture for {@code definition}; {@code types} must register the starting event, every reply event
     * and every event a step emits.
     */
    public static <E> SagaFixture<E> forSaga(SagaDefinition<E> definition, EventTypes types) {
        return new SagaFixture<>(definition, types);
    }

    /** How failing compensations are retried; by default 3 attempts, 1 s doubling, no jitter. Set before {@code given}. */
    public SagaFixture<E> compensationRetry(RetryPolicy value) {
        requireNotStarted("compensationRetry");
        this.compensationRetry = Objects.requireNonNull(value, "compensationRetry");
        return this;
    }

    /**
     * How step commands whose outcome is unknown are re-sent; by default 3 attempts, 1 s doubling, no
     * jitter. Set before {@code given}.
     */
    public SagaFixture<E> commandRetry(RetryPolicy value) {
        requireNotStarted("commandRetry");
        this.commandRetry = Objects.requireNonNull(value, "commandRetry");
        return this;
    }

    /**
     * The next {@code times} commands of class {@code commandType} take effect, then their sending fails
     * with an {@link java.io.UncheckedIOException} carrying {@code message}: the answer was lost, so the
     * saga cannot know the command took effect (it re-sends it with the same command id, which the
     * fixture, like the real command bus, applies once).
     */
    public SagaFixture<E> loseAnswer(Class<?> commandType, int times, String message) {
        Objects.requireNonNull(commandType, "commandType");
        if (times < 1) {
            throw new IllegalArgumentException("times must be >= 1, but was " + times);
        }
        bus.lostAnswers.put(commandType, new Refusal(times, message));
        return this;
    }

    /** The next {@code times} commands of class {@code commandType} are refused with {@code message}. */
    public SagaFixture<E> refuse(Class<?> commandType, int times, String message) {
        Objects.requireNonNull(commandType, "commandType");
        if (times < 1) {
            throw new IllegalArgumentException("times must be >= 1, but was " + times);
        }
        bus.refusals.put(commandType, new Refusal(times, message));
        return this;
    }

    /** The clock the saga runs on. */
    public ControllableClock clock() {
        return clock;
    }

    /** Events that happened (each appended to the store and handled by the saga), opening a new command window. */
    public SagaFixture<E> given(Object... events) {
        return publish(events);
    }

    /** The event under test (a start, a reply), handled by the saga, opening a new command window. */
    public SagaFixture<E> when(Object event) {
        return publish(event);
    }

    /** Moves the clock forward and lets the saga handle whatever became due, opening a new command window. */
    public SagaFixture<E> whenTimeElapses(Duration duration) {
        SagaCoordinator<E> started = coordinator();
        clock.advance(duration);
        windowStart = bus.sent.size();
        started.poll();
        return this;
    }

    /** Exactly these commands were sent since the last given/when/whenTimeElapses, in order (compared with equals). */
    public SagaFixture<E> expectCommands(Object... expected) {
        List<Object> actual = commands(bus.sent.subList(windowStart, bus.sent.size()), null);
        if (!actual.equals(Arrays.asList(expected))) {
            throw listsDiffer("The saga sent other commands than expected since the last step", Arrays.asList(expected), actual,
                    "Check the saga's reaction to the last event or elapsed time.");
        }
        return this;
    }

    /** No command was sent since the last given/when/whenTimeElapses. */
    public SagaFixture<E> expectNoCommands() {
        return expectCommands();
    }

    /** Exactly these commands were sent since the fixture was created, in order. */
    public SagaFixture<E> expectAllCommands(Object... expected) {
        List<Object> actual = commands(bus.sent, null);
        if (!actual.equals(Arrays.asList(expected))) {
            throw listsDiffer("The saga sent other commands than expected since the fixture was created", Arrays.asList(expected), actual,
                    "Check the saga's steps for the events given.");
        }
        return this;
    }

    private static AssertionFailedError listsDiffer(String what, List<Object> expected, List<Object> actual, String hint) {
        return new AssertionFailedError(what + ".\n  expected " + expected.size() + ":" + Differences.numbered(expected)
                + "\n  actual " + actual.size() + ":" + Differences.numbered(actual)
                + "\n  differences:" + Differences.block(expected, actual) + "\n" + hint, expected, actual);
    }

    /** Exactly these compensation commands were accepted since the fixture was created, in order. */
    public SagaFixture<E> expectCompensations(Object... expected) {
        List<Object> actual = commands(bus.sent, "compensation");
        if (!actual.equals(Arrays.asList(expected))) {
            throw listsDiffer("The saga ran other compensations than expected", Arrays.asList(expected), actual,
                    "Compensations run for the completed steps, in reverse order; check which steps completed.");
        }
        return this;
    }

    /** Saga {@code sagaId} is in {@code expected} state. */
    public SagaFixture<E> expectState(String sagaId, SagaState expected) {
        SagaStatus status = status(sagaId);
        if (status.state() != expected) {
            throw new AssertionFailedError("Saga '" + definition.name() + "' instance '" + sagaId + "' is " + status.state() + ", not "
                    + expected + "; its history:" + Differences.numbered(status.history()), expected, status.state());
        }
        return this;
    }

    /** Saga {@code sagaId} waits for a deadline of {@code step} at {@code dueAt}. */
    public SagaFixture<E> expectPendingTimeout(String sagaId, String step, Instant dueAt) {
        List<Instant> actual = status(sagaId).pendingTimeouts().stream().filter(t -> t.step().equals(step))
                .map(SagaStatus.PendingTimeout::dueAt).toList();
        if (!actual.equals(List.of(dueAt))) {
            throw new AssertionFailedError("Saga instance '" + sagaId + "' should wait for step '" + step + "' until " + dueAt
                    + ", but its deadlines for that step are " + actual + "; all its pending timeouts: " + status(sagaId).pendingTimeouts(),
                    List.of(dueAt), actual);
        }
        return this;
    }

    /** Saga {@code sagaId} waits for no deadline. */
    public SagaFixture<E> expectNoPendingTimeouts(String sagaId) {
        List<SagaStatus.PendingTimeout> actual = status(sagaId).pendingTimeouts();
        if (!actual.isEmpty()) {
            throw new AssertionFailedError("Saga instance '" + sagaId + "' should wait for no deadline, but waits for " + actual
                    + "; a step that completed or failed cancels its deadline.", List.of(), actual);
        }
        return this;
    }

    /**
     * The status of {@code sagaId}.
     *
     * @throws AssertionFailedError if the saga never started
     */
    public SagaStatus status(String sagaId) {
        return coordinator().status(sagaId).orElseThrow(() -> new AssertionFailedError("Saga '" + definition.name()
                + "' has no instance '" + sagaId + "'; did a given event start it?"));
    }

    /** The coordinator under test (created on first use), for anything the fixture does not cover. */
    public SagaCoordinator<E> coordinator() {
        if (coordinator == null) {
            coordinator = SagaCoordinator.builder(definition).eventStore(store).codec(codec).commandBus(bus).clock(clock)
                    .compensationRetry(compensationRetry).commandRetry(commandRetry).randomSeed(1).build();
        }
        return coordinator;
    }

    /** The store the saga runs on. */
    public InMemoryEventStore eventStore() {
        return store;
    }

    private SagaFixture<E> publish(Object... events) {
        SagaCoordinator<E> started = coordinator();
        windowStart = bus.sent.size();
        for (Object event : events) {
            NewEvent encoded = codec.encode(Objects.requireNonNull(event, "event"), UUID.randomUUID(), null, null, Map.of());
            store.append("fixture-" + streams.incrementAndGet(), "fixture", ExpectedVersion.noStream(), List.of(encoded));
        }
        started.poll();
        return this;
    }

    private static List<Object> commands(List<Sent> sent, @Nullable String purpose) {
        List<Object> out = new ArrayList<>();
        for (Sent s : sent) {
            if (purpose == null || purpose.equals(s.metadata().attributes().get("sagaAction"))) {
                out.add(s.command());
            }
        }
        return out;
    }

    private void requireNotStarted(String what) {
        if (coordinator != null) {
            throw new IllegalStateException(what + " must be set before the first given/when");
        }
    }

    private record Sent(Object command, CommandMetadata metadata) { }

    private static final class Refusal {
        int left;
        final String message;

        Refusal(int left, String message) {
            this.left = left;
            this.message = message;
        }
    }

    /** Accepts every command once per command id, unless told to refuse it. */
    private static final class RecordingBus implements CommandBus {
        final List<Sent> sent = new ArrayList<>();
        final Set<UUID> applied = new HashSet<>();
        final Map<Class<?>, Refusal> refusals = new HashMap<>();
        final Map<Class<?>, Refusal> lostAnswers = new HashMap<>();

        @Override
        public CommandResult send(Object command, CommandMetadata metadata) {
            Refusal refusal = refusals.get(command.getClass());
            if (refusal != null && refusal.left > 0) {
                refusal.left--;
                throw new CommandRejectedException(refusal.message);
            }
            boolean duplicate = !applied.add(metadata.commandId());
            if (!duplicate) {
                sent.add(new Sent(command, metadata));
            }
            Refusal lost = lostAnswers.get(command.getClass());
            if (lost != null && lost.left > 0) {
                lost.left--;
                throw new UncheckedIOException(new IOException(lost.message));
            }
            return new CommandResult("fixture", 0, List.of(), 1, duplicate);
        }
    }
}
