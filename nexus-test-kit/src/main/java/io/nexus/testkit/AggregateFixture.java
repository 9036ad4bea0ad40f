package io.nexus.testkit;

import io.nexus.core.Nexus;
import io.nexus.core.aggregate.Aggregate;
import io.nexus.core.aggregate.AggregateDefinition;
import io.nexus.core.command.CommandMetadata;
import io.nexus.core.command.CommandResult;
import io.nexus.core.command.CommandRoutes;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.NewEvent;
import io.nexus.core.policy.PolicyEngine;
import io.nexus.core.schema.EventValidator;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.upcast.Upcaster;
import io.nexus.testkit.internal.Differences;
import org.jspecify.annotations.Nullable;
import org.opentest4j.AssertionFailedError;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Given/when/then tests for one aggregate type, through the real command path (load, handler,
 * validation, policy, append) on an in-memory store and a {@link ControllableClock}.
 *
 * <pre>{@code
 * AggregateFixture<Order> orders = AggregateFixture.forAggregate(Order.DEFINITION, Order.EVENT_TYPES, Order::routes);
 * orders.given("order-1", new OrderPlaced("order-1", "c-7"))
 *       .when(new ConfirmOrder("order-1"))
 *       .expectException(CommandRejectedException.class)
 *       .expectMessageContaining("empty");
 * }</pre>
 *
 * Each {@code given...} starts from an empty store. Not thread-safe: one fixture per test.
 *
 * @param <A> the aggregate type
 */
public final class AggregateFixture<A extends Aggregate> {

    private final AggregateDefinition<A> definition;
    private final EventTypes types;
    private final Consumer<CommandRoutes<A>> routes;
    private final ControllableClock clock = ControllableClock.standard();
    private final List<Upcaster> upcasters = new ArrayList<>();
    private EventValidator validator = EventValidator.acceptAll();
    private PolicyEngine policy = PolicyEngine.allowAll();

    private AggregateFixture(AggregateDefinition<A> definition, EventTypes types, Consumer<CommandRoutes<A>> routes) {
        this.definition = Objects.requireNonNull(definition, "definition");
        this.types = Objects.requireNonNull(types, "types");
        this.routes = Objects.requireNonNull(routes, "routes");
    }

    /** A fixture for the aggregate with these event types and command routes (as given to {@code Nexus.builder().aggregate}). */
    public static <A extends Aggregate> AggregateFixture<A> forAggregate(AggregateDefinition<A> definition, EventTypes types,
                                                                        Consumer<CommandRoutes<A>> routes) {
        return new AggregateFixture<>(definition, types, routes);
    }

    /** Validates new events like the application does. */
    public AggregateFixture<A> validator(EventValidator value) {
        this.validator = Objects.requireNonNull(value, "validator");
        return this;
    }

    /** Authorizes new events like the application does. */
    public AggregateFixture<A> policyEngine(PolicyEngine value) {
        this.policy = Objects.requireNonNull(value, "policyEngine");
        return this;
    }

    /** Adds an upcaster (given events may then be old versions, see {@link Given#andStored}). */
    public AggregateFixture<A> upcaster(Upcaster value) {
        this.upcasters.add(Objects.requireNonNull(value, "upcaster"));
        return this;
    }

    /** The clock the command path uses; advance it between steps to test time-dependent rules. */
    public ControllableClock clock() {
        return clock;
    }

    /** No prior events. */
    public Given givenNothing() {
        return new Given(newNexus(), null);
    }

    /** Aggregate {@code aggregateId} has these past events (stored as history: not validated, not authorized). */
    public Given given(String aggregateId, Object... events) {
        Given given = new Given(newNexus(), aggregateId);
        return given.and(aggregateId, events);
    }

    private Nexus newNexus() {
        Nexus.Builder builder = Nexus.builder().eventTypes(types).clock(clock).validator(validator).policyEngine(policy)
                .snapshotExecutor(Runnable::run).aggregate(definition, routes);
        upcasters.forEach(builder::upcaster);
        return builder.build();
    }

    /** The history, before the command. */
    public final class Given {
        private final Nexus nexus;
        private @Nullable String aggregateId;

        private Given(Nexus nexus, @Nullable String aggregateId) {
            this.nexus = nexus;
            this.aggregateId = aggregateId;
        }

        /** More history, for the same or another aggregate of this type. */
        public Given and(String id, Object... events) {
            if (events.length > 0) {
                List<NewEvent> encoded = new ArrayList<>(events.length);
                for (Object event : events) {
                    encoded.add(nexus.codec().encode(event, UUID.randomUUID(), null, null, java.util.Map.of()));
                }
                nexus.eventStore().append(id, definition.name(), ExpectedVersion.any(), encoded);
            }
            if (aggregateId == null) {
                aggregateId = id;
            }
            return this;
        }

        /** History given in stored form (e.g. an old schema version that upcasters must convert). */
        public Given andStored(String id, NewEvent... events) {
            nexus.eventStore().append(id, definition.name(), ExpectedVersion.any(), Arrays.asList(events));
            if (aggregateId == null) {
                aggregateId = id;
            }
            return this;
        }

        /** Sends {@code command} with fresh metadata. */
        public Then when(Object command) {
            return when(command, CommandMetadata.create());
        }

        /** Sends {@code command} with {@code metadata}. */
        public Then when(Object command, CommandMetadata metadata) {
            try {
                CommandResult result = nexus.commands().send(command, metadata);
                return new Then(nexus, command, result.aggregateId(), result, null);
            } catch (RuntimeException e) {
                return new Then(nexus, command, aggregateId, null, e);
            }
        }

        /** The application under test, for anything the fixture does not cover. */
        public Nexus nexus() {
            return nexus;
        }
    }

    /** The outcome, with assertions that chain. */
    public final class Then {
        private final Nexus nexus;
        private final Object command;
        private final @Nullable String aggregateId;
        private final @Nullable CommandResult result;
        private final @Nullable RuntimeException failure;

        private Then(Nexus nexus, Object command, @Nullable String aggregateId, @Nullable CommandResult result,
                     @Nullable RuntimeException failure) {
            this.nexus = nexus;
            this.command = command;
            this.aggregateId = aggregateId;
            this.result = result;
            this.failure = failure;
        }

        /** The command produced exactly these events, in order (compared with {@code equals}). */
        public Then expectEvents(Object... expected) {
            List<Object> actual = producedEvents();
            List<Object> wanted = Arrays.asList(expected);
            if (!actual.equals(wanted)) {
                throw new AssertionFailedError("The command " + Differences.show(command) + " produced other events than expected."
                        + "\n  expected " + wanted.size() + " event(s):" + Differences.numbered(wanted)
                        + "\n  actual " + actual.size() + " event(s):" + Differences.numbered(actual)
                        + "\n  differences:" + Differences.block(wanted, actual)
                        + "\nCheck what the command method apply(...)s, or expect the new events if the change is intended.",
                        wanted, actual);
            }
            return this;
        }

        /** The command succeeded and changed nothing. */
        public Then expectNoEvents() {
            return expectEvents();
        }

        /** The command succeeded. */
        public Then expectSuccess() {
            producedEvents();
            return this;
        }

        /** The command failed with an exception of {@code type} (or a subtype); nothing was appended. */
        public Then expectException(Class<? extends Throwable> type) {
            if (failure == null) {
                throw new AssertionFailedError("Expected the command " + Differences.show(command) + " to fail with "
                        + type.getName() + ", but it succeeded with event(s):" + Differences.numbered(decode(succeeded().events()))
                        + "\nCheck the rule the command method enforces before it applies events.");
            }
            if (!type.isInstance(failure)) {
                throw new AssertionFailedError("Expected the command " + Differences.show(command) + " to fail with "
                        + type.getName() + ", but it failed with " + failure.getClass().getName() + ": " + failure.getMessage()
                        + "\n(its stack trace is the cause below). Throw " + type.getSimpleName()
                        + " for this refusal, or expect the exception it throws.", type.getName(), failure.getClass().getName(), failure);
            }
            return this;
        }

        /** The command failed with a message containing {@code text}. */
        public Then expectMessageContaining(String text) {
            if (failure == null) {
                throw new AssertionFailedError("Expected the command " + Differences.show(command) + " to fail with a message containing '"
                        + text + "', but it succeeded with event(s):" + Differences.numbered(decode(succeeded().events())));
            }
            if (failure.getMessage() == null || !failure.getMessage().contains(text)) {
                throw new AssertionFailedError("The command " + Differences.show(command) + " failed with " + failure.getClass().getName()
                        + ", but its message does not contain '" + text + "'.\n  expected a message containing: " + text
                        + "\n  actual message: " + failure.getMessage()
                        + "\nExpect a part of the actual message, or change the message the command method throws.",
                        text, failure.getMessage(), failure);
            }
            return this;
        }

        /** The aggregate, reloaded from the store after the command, satisfies {@code assertions}. */
        public Then expectState(Consumer<A> assertions) {
            if (aggregateId == null) {
                throw new AssertionFailedError("No aggregate to inspect: the fixture had no given events and the command failed");
            }
            assertions.accept(nexus.repository(definition.type()).loadOrNew(aggregateId));
            return this;
        }

        /**
         * The aggregate, reloaded from the store after the command, has this state: {@code state} extracts it (a
         * record of the aggregate's fields is ideal) and it must equal {@code expected}; a failure lists the
         * differing fields.
         */
        public <S> Then expectState(Function<? super A, ? extends S> state, S expected) {
            if (aggregateId == null) {
                throw new AssertionFailedError("No aggregate to inspect: the fixture had no given events and the command failed");
            }
            S actual = state.apply(nexus.repository(definition.type()).loadOrNew(aggregateId));
            if (!java.util.Objects.equals(expected, actual)) {
                throw new AssertionFailedError("The state of '" + aggregateId + "' after the command " + Differences.show(command)
                        + " differs from the expected state.\n  expected: " + Differences.show(expected)
                        + "\n  actual:   " + Differences.show(actual) + "\n  differences:" + Differences.block(expected, actual)
                        + "\nCheck the @EventSourcingHandler methods of the events the command applied.", expected, actual);
            }
            return this;
        }

        /** The aggregate's version after the command. */
        public Then expectVersion(long version) {
            if (aggregateId == null) {
                throw new AssertionFailedError("No aggregate to inspect: the fixture had no given events and the command failed; "
                        + "start from given(id, ...) to check an aggregate's version after a refusal");
            }
            long actual = nexus.eventStore().currentVersion(aggregateId);
            if (actual != version) {
                throw new AssertionFailedError("Aggregate '" + aggregateId + "' is at version " + actual + " after the command "
                        + Differences.show(command) + ", but version " + version + " was expected; each event given or applied adds one.",
                        version, actual);
            }
            return this;
        }

        /** The command's result; fails if the command failed. */
        public CommandResult result() {
            producedEvents();
            return succeeded();
        }

        /** The failure; fails if the command succeeded. */
        public RuntimeException failure() {
            if (failure == null) {
                throw new AssertionFailedError("Expected the command " + Differences.show(command)
                        + " to fail, but it succeeded with event(s):" + Differences.numbered(decode(succeeded().events())));
            }
            return failure;
        }

        /** The result of a command that did not fail: exactly one of result and failure is set. */
        private CommandResult succeeded() {
            return Objects.requireNonNull(result, "the result of a command that did not fail");
        }

        private List<Object> producedEvents() {
            if (failure != null) {
                throw new AssertionFailedError("The command " + Differences.show(command) + " failed with " + failure.getClass().getName()
                        + ": " + failure.getMessage() + "\n(its stack trace is the cause below); expect the failure with "
                        + "expectException(...), or fix what makes it fail.", failure);
            }
            return decode(succeeded().events());
        }

        private List<Object> decode(List<EventEnvelope> envelopes) {
            List<Object> events = new ArrayList<>(envelopes.size());
            for (EventEnvelope e : envelopes) {
                events.add(nexus.codec().decode(e));
            }
            return events;
        }
    }
}
