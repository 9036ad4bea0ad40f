package io.nexus.testkit;

import io.nexus.core.Nexus;
import io.nexus.core.command.CommandResult;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.notification.Notification;
import io.nexus.core.projection.ProjectionProcessor;
import io.nexus.core.readmodel.ReadModelStore;
import io.nexus.core.readmodel.Versioned;
import io.nexus.testkit.internal.Differences;
import org.jspecify.annotations.Nullable;
import org.opentest4j.AssertionFailedError;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Given commands, expect events, read models and notifications: tests for a whole application, assembled
 * by the same code as in production on {@code Nexus.builder()} with in-memory engines and a
 * {@link ControllableClock}.
 *
 * <pre>{@code
 * ApplicationFixture app = ApplicationFixture.of(builder -> OrderApp.readSide(builder.module(new OrderModule())));
 * app.given(new PlaceOrder("order-1", "customer-7"))
 *    .when(new ConfirmOrder("order-1"))
 *    .expectEvents(new OrderConfirmed())
 *    .expectReadModelSatisfies(OrderSummaryProjection.NAME, Row.class, "order-1", row -> assertEquals(CONFIRMED, row.status()))
 *    .expectNotification("order-1", 2);
 * }</pre>
 *
 * Each {@code given} starts a fresh application; it is closed by {@link Then#close()} or left to the
 * garbage collector. After each command the fixture waits until every projection has reached the head of
 * the event log (and the log has stopped growing), so assertions see the read side of the commands.
 * Components that react outside projections (bus consumers, sagas on timers) are the test's to wait for,
 * through {@link Then#nexus()}. Not thread-safe: one fixture per test.
 */
public final class ApplicationFixture {

    private static final Duration QUIET_LIMIT = Duration.ofSeconds(10);

    private final UnaryOperator<Nexus.Builder> assembly;
    private final ControllableClock clock = ControllableClock.standard();

    private ApplicationFixture(UnaryOperator<Nexus.Builder> assembly) {
        this.assembly = Objects.requireNonNull(assembly, "assembly");
    }

    /**
     * A fixture for the application {@code assembly} assembles on a builder that already has the fixture's
     * clock (give it the production assembly method).
     */
    public static ApplicationFixture of(UnaryOperator<Nexus.Builder> assembly) {
        return new ApplicationFixture(assembly);
    }

    /** The application's clock; advance it between steps for time-dependent rules. */
    public ControllableClock clock() {
        return clock;
    }

    /**
     * Starts a fresh application and sends {@code commands}, in order.
     *
     * @throws AssertionFailedError if one of them fails (the given history must be valid)
     */
    public Given given(Object... commands) {
        Nexus nexus = Objects.requireNonNull(assembly.apply(Nexus.builder().clock(clock)), "the assembly returned null").build();
        nexus.start();
        Given given = new Given(nexus);
        for (Object command : commands) {
            given.send(command);
        }
        return given;
    }

    /** A fresh application with no history. */
    public Given givenNothing() {
        return given();
    }

    /** The history, before the command. */
    public final class Given {
        private final Nexus nexus;
        private final List<Object> sent = new ArrayList<>();

        private Given(Nexus nexus) {
            this.nexus = nexus;
        }

        /** Sends one more given command. */
        public Given and(Object command) {
            send(command);
            return this;
        }

        private void send(Object command) {
            try {
                nexus.commands().send(command);
            } catch (RuntimeException e) {
                throw new AssertionFailedError("The given command " + Differences.show(command) + " failed with " + e.getClass().getName()
                        + ": " + e.getMessage() + "\n  given before it:" + Differences.numbered(sent)
                        + "\nThe given commands must be accepted; fix them or test the refusal in when(...).", e);
            }
            sent.add(command);
            awaitQuiet(nexus);
        }

        /** Sends {@code command} and waits for the read side. */
        public Then when(Object command) {
            long head = nexus.eventStore().headPosition();
            CommandResult result = null;
            RuntimeException failure = null;
            try {
                result = nexus.commands().send(command);
            } catch (RuntimeException e) {
                failure = e;
            }
            awaitQuiet(nexus);
            List<Object> events = new ArrayList<>();
            for (EventEnvelope envelope : nexus.eventStore().readAll(head + 1, Integer.MAX_VALUE)) {
                events.add(nexus.codec().decode(envelope));
            }
            return new Then(nexus, List.copyOf(sent), command, result, failure, events);
        }

        /** The application under test. */
        public Nexus nexus() {
            return nexus;
        }
    }

    /** The outcome, with assertions that chain. */
    public static final class Then implements AutoCloseable {
        private final Nexus nexus;
        private final List<Object> given;
        private final Object command;
        private final @Nullable CommandResult result;
        private final @Nullable RuntimeException failure;
        private final List<Object> events;

        private Then(Nexus nexus, List<Object> given, Object command, @Nullable CommandResult result, @Nullable RuntimeException failure,
                     List<Object> events) {
            this.nexus = nexus;
            this.given = given;
            this.command = command;
            this.result = result;
            this.failure = failure;
            this.events = events;
        }

        /**
         * The command and everything it set off in the application (sagas, process managers) appended exactly
         * these events, in log order.
         */
        public Then expectEvents(Object... expected) {
            succeeded();
            List<Object> wanted = Arrays.asList(expected);
            if (!events.equals(wanted)) {
                throw new AssertionFailedError("After the command " + Differences.show(command) + " the application stored other events "
                        + "than expected.\n  expected " + wanted.size() + " event(s):" + Differences.numbered(wanted)
                        + "\n  actual " + events.size() + " event(s):" + Differences.numbered(events)
                        + "\n  differences:" + Differences.block(wanted, events)
                        + "\n  given commands:" + Differences.numbered(given)
                        + "\nCheck the command's handler and the components that react to its events.", wanted, events);
            }
            return this;
        }

        /** The command failed with an exception of {@code type} (or a subtype). */
        public Then expectException(Class<? extends Throwable> type) {
            if (failure == null) {
                throw new AssertionFailedError("Expected the command " + Differences.show(command) + " to fail with " + type.getName()
                        + ", but it succeeded; the application stored:" + Differences.numbered(events));
            }
            if (!type.isInstance(failure)) {
                throw new AssertionFailedError("Expected the command " + Differences.show(command) + " to fail with " + type.getName()
                        + ", but it failed with " + failure.getClass().getName() + ": " + failure.getMessage()
                        + " (stack trace in the cause)", type.getName(), failure.getClass().getName(), failure);
            }
            return this;
        }

        /** The read model {@code store} holds {@code expected} under {@code id}; a failure lists the differing fields. */
        public <V> Then expectReadModel(String store, Class<V> type, String id, V expected) {
            V actual = readModel(store, type, id);
            if (!Objects.equals(expected, actual)) {
                throw new AssertionFailedError("Read model '" + store + "' entry '" + id + "' differs from the expected one after the command "
                        + Differences.show(command) + ".\n  expected: " + Differences.show(expected) + "\n  actual:   "
                        + Differences.show(actual) + "\n  differences:" + Differences.block(expected, actual)
                        + "\nCheck the projection's handlers of the events the command stored:" + Differences.numbered(events),
                        expected, actual);
            }
            return this;
        }

        /** The read model {@code store}'s entry {@code id} satisfies {@code assertions}. */
        public <V> Then expectReadModelSatisfies(String store, Class<V> type, String id, Consumer<? super V> assertions) {
            assertions.accept(readModel(store, type, id));
            return this;
        }

        /** The read model {@code store} satisfies {@code assertions}. */
        public <V> Then expectReadModel(String store, Class<V> type, Consumer<ReadModelStore<V>> assertions) {
            assertions.accept(nexus.readModels().store(store, type));
            return this;
        }

        private <V> V readModel(String store, Class<V> type, String id) {
            Optional<Versioned<V>> found = nexus.readModels().store(store, type).get(id);
            if (found.isEmpty()) {
                throw new AssertionFailedError("Read model '" + store + "' has no entry '" + id + "' after the command "
                        + Differences.show(command) + "; the application stored:" + Differences.numbered(events)
                        + "\nCheck that a projection writes this store under this id.");
            }
            return found.get().value();
        }

        /**
         * The notification hub has told clients that aggregate {@code aggregateId} reached {@code version} (or later).
         *
         * @throws IllegalStateException if the application has no notification hub
         */
        public Then expectNotification(String aggregateId, long version) {
            Optional<Notification> latest = nexus.notifications().latest(aggregateId);
            if (latest.isEmpty() || latest.get().version() < version) {
                throw new AssertionFailedError("Expected a notification that '" + aggregateId + "' reached version " + version
                        + ", but the latest is " + latest.map(Notification::toString).orElse("none")
                        + ".\nRegister the projection with options.notifications() and the hub with builder.notifications().",
                        version, latest.map(Notification::version).orElse(0L));
            }
            return this;
        }

        /** The events the command and the application's reactions stored, decoded, in log order. */
        public List<Object> events() {
            return events;
        }

        /** The command's result; fails if it failed. */
        public CommandResult result() {
            succeeded();
            // set whenever the command did not fail, which succeeded() has checked
            return Objects.requireNonNull(result, "the result of a command that did not fail");
        }

        /** The application under test. */
        public Nexus nexus() {
            return nexus;
        }

        private void succeeded() {
            if (failure != null) {
                throw new AssertionFailedError("The command " + Differences.show(command) + " failed with " + failure.getClass().getName()
                        + ": " + failure.getMessage() + " (stack trace in the cause); expect it with expectException(...), or fix "
                        + "what makes it fail.", failure);
            }
        }

        /** Closes the application. */
        @Override
        public void close() {
            nexus.close();
        }
    }

    /** Waits until every projection is at the head of the log and the head stays put across one more check. */
    private static void awaitQuiet(Nexus nexus) {
        long deadline = System.nanoTime() + QUIET_LIMIT.toNanos();
        long lastHead = -1;
        while (true) {
            long head = nexus.eventStore().headPosition();
            boolean caughtUp = true;
            for (ProjectionProcessor processor : nexus.projections()) {
                caughtUp &= processor.position() >= head || !processor.deadLetters().isEmpty();
            }
            if (caughtUp && head == lastHead) {
                return;
            }
            if (System.nanoTime() > deadline) {
                StringBuilder text = new StringBuilder("The application did not settle within " + QUIET_LIMIT.toSeconds()
                        + " s: the log's head is " + head);
                nexus.projections().forEach(p -> text.append("; projection '").append(p.name()).append("' is at ")
                        .append(p.position()).append(" (").append(p.health()).append(")"));
                throw new AssertionFailedError(text.toString());
            }
            lastHead = caughtUp ? head : -1;
            LockSupport.parkNanos(1_000_000);
        }
    }
}
