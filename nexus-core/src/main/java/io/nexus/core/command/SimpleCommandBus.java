package io.nexus.core.command;

import io.nexus.core.aggregate.Aggregate;
import io.nexus.core.aggregate.AggregateAlreadyExistsException;
import io.nexus.core.aggregate.AggregateNotFoundException;
import io.nexus.core.aggregate.AggregateRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.nexus.core.internal.NexusMetrics;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.ConcurrencyConflictException;
import io.nexus.core.store.DuplicateEventIdException;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The embedded command bus: handles each command on the caller's thread.
 *
 * <p>A concurrency conflict is retried on a freshly loaded aggregate while the retry policy allows,
 * with its backoff. Event ids derive from the command id, so re-sending an applied command (same id)
 * meets its own events in the stream: that is reported as {@link CommandResult#alreadyApplied()} rather
 * than applied twice. Thread-safe.
 */
public final class SimpleCommandBus implements CommandBus {

    /** Waits between retries; replaced in tests. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final Map<Class<?>, Binding<?, ?>> bindings;
    private final RetryPolicy conflictRetry;
    private final Clock clock;
    private final NexusMetrics metrics;
    private final Sleeper sleeper;

    private record Binding<A extends Aggregate, C>(AggregateRepository<A> repository, CommandRoutes.Route<A, C> route) {
    }

    private SimpleCommandBus(Map<Class<?>, Binding<?, ?>> bindings, RetryPolicy conflictRetry, Clock clock,
                             NexusMetrics metrics, Sleeper sleeper) {
        this.bindings = Map.copyOf(bindings);
        this.conflictRetry = conflictRetry;
        this.clock = clock;
        this.metrics = metrics;
        this.sleeper = sleeper;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public CommandResult send(Object command, CommandMetadata metadata) {
        if (command == null) {
            throw new InvalidCommandException("The command is null; send a command object.");
        }
        Objects.requireNonNull(metadata, "metadata");
        Binding<?, ?> binding = bindings.get(command.getClass());
        if (binding == null) {
            throw new UnknownCommandException(command.getClass());
        }
        String name = command.getClass().getSimpleName();
        long started = System.nanoTime();
        String outcome = "failed";
        try {
            CommandResult result = dispatch(binding, command, metadata);
            outcome = result.alreadyApplied() ? "duplicate" : "success";
            return result;
        } catch (CommandRejectedException | InvalidCommandException | AggregateNotFoundException
                 | AggregateAlreadyExistsException e) {
            outcome = "rejected";
            throw e;
        } catch (ConcurrencyConflictException e) {
            outcome = "conflict";
            throw e;
        } finally {
            metrics.timer("nexus.command", System.nanoTime() - started, "command", name, "outcome", outcome);
        }
    }

    @SuppressWarnings("unchecked")
    private <A extends Aggregate, C> CommandResult dispatch(Binding<A, C> binding, Object rawCommand, CommandMetadata metadata) {
        C command = (C) rawCommand;
        CommandRoutes.Route<A, C> route = binding.route();
        AggregateRepository<A> repository = binding.repository();
        String id = route.targetId().apply(command);
        if (id == null || id.isBlank()) {
            throw new InvalidCommandException("Command '" + rawCommand.getClass().getSimpleName()
                    + "' names no " + repository.definition().name() + " id (it was '" + id + "'); set the target id.");
        }
        SplittableRandom random = null;
        for (int attempt = 1; ; attempt++) {
            A aggregate = repository.load(id);
            if (route.policy() == CreationPolicy.CREATE && !aggregate.isNew()) {
                throw new AggregateAlreadyExistsException(repository.definition().name(), id, aggregate.version());
            }
            if (route.policy() == CreationPolicy.UPDATE && aggregate.isNew()) {
                throw new AggregateNotFoundException(repository.definition().name(), id);
            }
            route.handler().handle(aggregate, command, new CommandContext(metadata, clock, attempt));
            if (aggregate.uncommittedEvents().isEmpty()) {
                return new CommandResult(id, aggregate.version(), List.of(), attempt, false);
            }
            try {
                AppendResult result = repository.save(aggregate, metadata);
                return new CommandResult(id, result.newVersion(), result.events(), attempt, result.duplicate());
            } catch (DuplicateEventIdException e) {
                if (!e.eventId().equals(metadata.eventId(id, 0))) {
                    throw e;
                }
                return new CommandResult(id, repository.load(id).version(), List.of(), attempt, true);
            } catch (ConcurrencyConflictException e) {
                if (!conflictRetry.canRetryAfter(attempt)) {
                    throw e;
                }
                if (random == null) {
                    random = new SplittableRandom(ThreadLocalRandom.current().nextLong());
                }
                metrics.count("nexus.command.retries", "command", rawCommand.getClass().getSimpleName());
                pause(conflictRetry.delayAfter(attempt, random));
            }
        }
    }

    private void pause(Duration delay) {
        if (delay.isZero()) {
            return;
        }
        try {
            sleeper.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.nexus.core.NexusException("Interrupted while waiting to retry a command", e);
        }
    }

    /** Builds a {@link SimpleCommandBus}. */
    public static final class Builder {
        private final Map<Class<?>, Binding<?, ?>> bindings = new HashMap<>();
        private RetryPolicy conflictRetry = RetryPolicy.none();
        private Clock clock = Clock.systemUTC();
        private NexusMetrics metrics = NexusMetrics.of(null);
        private Sleeper sleeper = d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);

        private Builder() {
        }

        /** Registers the routes of one aggregate type, handled through {@code repository}. */
        public <A extends Aggregate> Builder routes(AggregateRepository<A> repository, CommandRoutes<A> routes) {
            for (CommandRoutes.Route<A, ?> route : routes.routes()) {
                Binding<?, ?> previous = bindings.putIfAbsent(route.commandType(), new Binding<>(repository, route));
                if (previous != null) {
                    throw new IllegalArgumentException("command " + route.commandType().getName() + " is routed to both "
                            + previous.repository().definition().name() + " and " + repository.definition().name());
                }
            }
            return this;
        }

        /** How concurrency conflicts are retried; none by default. */
        public Builder conflictRetry(RetryPolicy value) {
            this.conflictRetry = Objects.requireNonNull(value, "conflictRetry");
            return this;
        }

        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Where the bus records its meters (commands, retries); nowhere by default. */
        public Builder meterRegistry(MeterRegistry value) {
            this.metrics = NexusMetrics.of(Objects.requireNonNull(value, "meterRegistry"));
            return this;
        }

        public Builder sleeper(Sleeper value) {
            this.sleeper = Objects.requireNonNull(value, "sleeper");
            return this;
        }

        public SimpleCommandBus build() {
            return new SimpleCommandBus(bindings, conflictRetry, clock, metrics, sleeper);
        }
    }
}
