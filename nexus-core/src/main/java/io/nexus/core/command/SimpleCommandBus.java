package io.nexus.core.command;

import io.nexus.core.aggregate.Aggregate;
import io.nexus.core.aggregate.AggregateAlreadyExistsException;
import io.nexus.core.aggregate.AggregateNotFoundException;
import io.nexus.core.aggregate.AggregateRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.internal.NexusMetrics;
import io.nexus.core.observation.EventAppendContext;
import io.nexus.core.observation.NexusMdc;
import io.nexus.core.observation.NexusObservation;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The embedded command bus: handles each command on the caller's thread.
 *
 * <p>Implementation notes. Each attempt loads the aggregate, then looks the command id up in its stream
 * before the decision runs: a command applied before (event ids derive from the command id) answers
 * {@link CommandResult#alreadyApplied()} with its original events, whatever the aggregate's state is now,
 * and a different command reusing the id (its fingerprint, stored with the first event, differs) is a
 * {@link CommandIdReusedException}. A twin sent concurrently that passes the lookup meets the other's
 * event ids at append time and gets the same answer; a twin whose decision failed (refused, already exists)
 * or whose append lost a race looks the id up once more before reporting the failure. A concurrency
 * conflict is retried on a freshly loaded aggregate while the retry policy allows, with its backoff.
 *
 * <p>Each command is observed ({@link NexusObservation#COMMAND}, with its load, decision and append as
 * children; the append writes the trace context into the new events' metadata) and handled with the
 * command's {@link NexusMdc} keys set. Thread-safe.
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
    private final ObservationRegistry observations;

    private record Binding<A extends Aggregate, C>(AggregateRepository<A> repository, CommandRoutes.Route<A, C> route) {
    }

    private SimpleCommandBus(Map<Class<?>, Binding<?, ?>> bindings, RetryPolicy conflictRetry, Clock clock,
                             NexusMetrics metrics, Sleeper sleeper, ObservationRegistry observations) {
        this.bindings = Map.copyOf(bindings);
        this.conflictRetry = conflictRetry;
        this.clock = clock;
        this.metrics = metrics;
        this.sleeper = sleeper;
        this.observations = observations;
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
        Observation observation = observation(name, binding);
        try (Observation.Scope ignored = observation.openScope()) {
            CommandResult result = dispatch(binding, command, metadata);
            outcome = result.alreadyApplied() ? "duplicate" : "success";
            return result;
        } catch (CommandRejectedException | InvalidCommandException | AggregateNotFoundException
                 | AggregateAlreadyExistsException | CommandIdReusedException e) {
            outcome = "rejected";
            throw e;
        } catch (ConcurrencyConflictException e) {
            outcome = "conflict";
            observation.error(e);
            throw e;
        } catch (RuntimeException | Error e) {
            observation.error(e);
            throw e;
        } finally {
            metrics.timer("nexus.command", System.nanoTime() - started, "command", name, "outcome", outcome);
            observation.lowCardinalityKeyValue(NexusObservation.KeyNames.OUTCOME.asString(), outcome).stop();
        }
    }

    private Observation observation(String command, Binding<?, ?> binding) {
        if (observations.isNoop()) {
            return Observation.NOOP;
        }
        return Observation.createNotStarted(NexusObservation.COMMAND.getName(), observations)
                .contextualName(NexusObservation.contextualName("command", command))
                .lowCardinalityKeyValue(NexusObservation.KeyNames.COMMAND.asString(), command)
                .lowCardinalityKeyValue(NexusObservation.KeyNames.AGGREGATE_TYPE.asString(), binding.repository().definition().name())
                .start();
    }

    /** Runs {@code step} as a child observation of the command's. */
    private <T> T step(NexusObservation step, String contextualName, Supplier<T> body) {
        if (observations.isNoop()) {
            return body.get();
        }
        return Observation.createNotStarted(step.getName(), observations).contextualName(contextualName).observe(body);
    }

    /** Appends as an observed sender: the trace context it writes into the metadata travels with every new event. */
    private <A extends Aggregate> AppendResult append(AggregateRepository<A> repository, A aggregate, CommandMetadata metadata,
                                                      String fingerprint) {
        if (observations.isNoop()) {
            return repository.save(aggregate, metadata, fingerprint);
        }
        String type = repository.definition().name();
        EventAppendContext context = new EventAppendContext(type, aggregate.id(), metadata.attributes());
        Observation observation = Observation.createNotStarted(NexusObservation.COMMAND_APPEND.getName(), () -> context, observations)
                .contextualName(NexusObservation.contextualName("append", type))
                .lowCardinalityKeyValue(NexusObservation.KeyNames.AGGREGATE_TYPE.asString(), type)
                .start();
        try (Observation.Scope ignored = observation.openScope()) {
            return repository.save(aggregate, metadata.attributes(context.getCarrier()), fingerprint);
        } catch (RuntimeException | Error e) {
            observation.error(e);
            throw e;
        } finally {
            observation.stop();
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
        try (NexusMdc.Scope ignored = NexusMdc.command(rawCommand.getClass().getSimpleName(), id, metadata)) {
            return dispatch(repository, route, command, rawCommand, id, metadata);
        }
    }

    private <A extends Aggregate, C> CommandResult dispatch(AggregateRepository<A> repository, CommandRoutes.Route<A, C> route,
                                                            C command, Object rawCommand, String id, CommandMetadata metadata) {
        String fingerprint = CommandFingerprint.of(rawCommand);
        String name = rawCommand.getClass().getSimpleName();
        int[] attempts = {0};
        try {
            return conflictRetry.execute(
                    () -> attempt(repository, route, command, id, metadata, fingerprint, ++attempts[0]),
                    e -> e instanceof ConcurrencyConflictException,
                    delay -> {
                        metrics.count("nexus.command.retries", "command", name);
                        if (!delay.isZero()) {
                            sleeper.sleep(delay);
                        }
                    },
                    ThreadLocalRandom.current());
        } catch (ConcurrencyConflictException e) {
            return orThrow(earlierOutcome(repository, id, metadata, fingerprint, attempts[0]), e);
        } catch (RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            throw new io.nexus.core.NexusException("Interrupted while waiting to retry a command", e);
        } catch (Exception e) {
            // attempt(...) declares no checked exception, so only a sleeper could get here.
            throw new io.nexus.core.NexusException("Waiting to retry command '" + name + "' failed", e);
        }
    }

    /** One attempt: load, look the command id up, decide, append. A lost append race throws for a retry. */
    private <A extends Aggregate, C> CommandResult attempt(AggregateRepository<A> repository, CommandRoutes.Route<A, C> route,
                                                           C command, String id, CommandMetadata metadata,
                                                           String fingerprint, int attempt) {
        // The lookup must see at least what the load saw (loadForCommand looks up in the same store call, after or
        // with the read): a twin that appends after the lookup appends after the load too, so this attempt's append
        // meets the twin's event ids and is answered as a duplicate.
        AggregateRepository.CommandLoad<A> load = step(NexusObservation.COMMAND_LOAD,
                NexusObservation.contextualName("load", repository.definition().name()),
                () -> repository.loadForCommand(id, metadata));
        if (!load.earlierEvents().isEmpty()) {
            return applied(repository, id, metadata, fingerprint, load.earlierEvents(), attempt);
        }
        A aggregate = load.aggregate();
        try {
            if (route.policy() == CreationPolicy.CREATE && !aggregate.isNew()) {
                throw new AggregateAlreadyExistsException(repository.definition().name(), id, aggregate.version());
            }
            if (route.policy() == CreationPolicy.UPDATE && aggregate.isNew()) {
                throw new AggregateNotFoundException(repository.definition().name(), id);
            }
            CommandContext context = new CommandContext(metadata, clock, attempt);
            step(NexusObservation.COMMAND_DECIDE, NexusObservation.contextualName("decide", command.getClass().getSimpleName()), () -> {
                route.handler().handle(aggregate, command, context);
                return null;
            });
        } catch (AggregateAlreadyExistsException | CommandRejectedException e) {
            // A twin may have applied this command on a state this attempt did not see.
            return orThrow(earlierOutcome(repository, id, metadata, fingerprint, attempt), e);
        }
        if (aggregate.uncommittedEvents().isEmpty()) {
            return new CommandResult(id, aggregate.version(), List.of(), attempt, false);
        }
        try {
            AppendResult result = append(repository, aggregate, metadata, fingerprint);
            if (result.duplicate()) {
                return applied(repository, id, metadata, fingerprint, result.events(), attempt);
            }
            return new CommandResult(id, result.newVersion(), result.events(), attempt, false);
        } catch (DuplicateEventIdException e) {
            return orThrow(earlierOutcome(repository, id, metadata, fingerprint, attempt), e);
        }
    }

    /** The outcome of an earlier send of this command id on this aggregate, or {@code null} when there was none. */
    private static @Nullable CommandResult earlierOutcome(AggregateRepository<?> repository, String id, CommandMetadata metadata,
                                                String fingerprint, int attempt) {
        List<EventEnvelope> events = repository.eventsOfCommand(id, metadata);
        return events.isEmpty() ? null : applied(repository, id, metadata, fingerprint, events, attempt);
    }

    /** The earlier outcome as an already-applied result, once its fingerprint shows it was the same command. */
    private static CommandResult applied(AggregateRepository<?> repository, String id, CommandMetadata metadata,
                                         String fingerprint, List<EventEnvelope> events, int attempt) {
        EventEnvelope first = events.get(0);
        String recorded = first.metadata().get(CommandMetadata.FINGERPRINT_KEY);
        // Events stored without a fingerprint cannot be compared; they count as the same command.
        if (recorded != null && !recorded.equals(fingerprint)) {
            throw new CommandIdReusedException(metadata.commandId(), repository.definition().name(), id, first.version());
        }
        return new CommandResult(id, events.get(events.size() - 1).version(), events, attempt, true);
    }

    private static CommandResult orThrow(@Nullable CommandResult result, RuntimeException failure) {
        if (result == null) {
            throw failure;
        }
        return result;
    }

    /** Builds a {@link SimpleCommandBus}. */
    public static final class Builder {
        private final Map<Class<?>, Binding<?, ?>> bindings = new HashMap<>();
        private RetryPolicy conflictRetry = RetryPolicy.none();
        private Clock clock = Clock.systemUTC();
        private NexusMetrics metrics = NexusMetrics.of(null);
        private Sleeper sleeper = d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
        private ObservationRegistry observations = ObservationRegistry.NOOP;

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

        /** Where commands are observed (traced); nowhere by default. */
        public Builder observationRegistry(ObservationRegistry value) {
            this.observations = Objects.requireNonNull(value, "observationRegistry");
            return this;
        }

        public Builder sleeper(Sleeper value) {
            this.sleeper = Objects.requireNonNull(value, "sleeper");
            return this;
        }

        public SimpleCommandBus build() {
            return new SimpleCommandBus(bindings, conflictRetry, clock, metrics, sleeper, observations);
        }
    }
}
