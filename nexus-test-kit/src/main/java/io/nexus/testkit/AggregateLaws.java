package io.nexus.testkit;

import io.nexus.core.NexusException;
import io.nexus.core.Nexus;
import io.nexus.core.aggregate.Aggregate;
import io.nexus.core.aggregate.AggregateDefinition;
import io.nexus.core.aggregate.AggregateRepository;
import io.nexus.core.aggregate.Snapshottable;
import io.nexus.core.command.CommandContext;
import io.nexus.core.command.CommandHandler;
import io.nexus.core.command.CommandMetadata;
import io.nexus.core.command.CommandRoutes;
import io.nexus.core.command.CreationPolicy;
import io.nexus.core.event.EventPayload;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.snapshot.InMemorySnapshotStore;
import io.nexus.core.snapshot.Snapshot;
import io.nexus.core.upcast.Upcaster;
import io.nexus.core.event.EventEnvelope;
import io.nexus.testkit.internal.Differences;
import org.jspecify.annotations.Nullable;
import org.opentest4j.AssertionFailedError;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The laws every event-sourced aggregate must obey, stated once so that a property test only has to
 * generate commands:
 *
 * <pre>{@code
 * @Property
 * void replayRebuildsState(@ForAll("commands") List<Object> commands) {
 *     laws.replayRebuildsState(commands, Order::state);
 * }
 * }</pre>
 *
 * Commands run through the aggregate's real handlers against long-lived "live" instances; refused
 * commands ({@link NexusException}s such as rejections) are skipped, as in production. Any other
 * exception from a handler is a bug and fails the law. State is compared with {@code equals} on what
 * the {@code state} function extracts (a record of the aggregate's fields is ideal), or field by field
 * on the aggregate's own fields when no function is given. A failure shows both states, the fields that
 * differ, every command run with its outcome (when jqwik has shrunk a failing sample, these are the
 * shrunk commands) and the stored events.
 *
 * <p>{@link #run(List)} runs commands the same way and returns what happened, so a property can check
 * the application's own invariants on the accepted commands and the resulting aggregates.
 *
 * @param <A> the aggregate type
 */
public final class AggregateLaws<A extends Aggregate> {

    private final AggregateDefinition<A> definition;
    private final EventTypes types;
    private final Consumer<CommandRoutes<A>> routes;
    private final List<Upcaster> upcasters = new ArrayList<>();

    private AggregateLaws(AggregateDefinition<A> definition, EventTypes types, Consumer<CommandRoutes<A>> routes) {
        this.definition = Objects.requireNonNull(definition, "definition");
        this.types = Objects.requireNonNull(types, "types");
        this.routes = Objects.requireNonNull(routes, "routes");
    }

    /** Laws for the aggregate with these event types and command routes (as given to {@code Nexus.builder().aggregate}). */
    public static <A extends Aggregate> AggregateLaws<A> forAggregate(AggregateDefinition<A> definition, EventTypes types,
                                                                     Consumer<CommandRoutes<A>> routes) {
        return new AggregateLaws<>(definition, types, routes);
    }

    /** Adds an upcaster to the application the laws run in. */
    public AggregateLaws<A> upcaster(Upcaster value) {
        upcasters.add(Objects.requireNonNull(value, "upcaster"));
        return this;
    }

    /**
     * Runs {@code commands}, then asserts that for every aggregate touched, replaying its stored events
     * into a fresh instance gives the same state and version as the live instance that decided them.
     *
     * @return how many commands were accepted (useful to check a generator is not all refusals)
     */
    public int replayRebuildsState(List<?> commands, Function<? super A, ?> state) {
        Run run = run(definition.withoutSnapshots(), commands);
        for (Map.Entry<String, A> live : run.live.entrySet()) {
            A replayed = run.repository.load(live.getKey());
            assertSame(run, live.getKey(), "the live aggregate", live.getValue(), "a full replay", replayed, state);
        }
        return run.accepted;
    }

    /**
     * {@link #replayRebuildsState(List, Function)} comparing the aggregates' own fields (those declared by the
     * aggregate class and its superclasses below {@link Aggregate}), each with {@code equals}.
     *
     * @return how many commands were accepted
     */
    public int replayRebuildsState(List<?> commands) {
        return replayRebuildsState(commands, AggregateLaws::fieldsOf);
    }

    /**
     * Runs {@code commands} as the laws do (refused commands skipped) and returns what happened, for a
     * property's own invariants:
     *
     * <pre>{@code
     * AggregateLaws.Outcome<Account> outcome = laws.run(commands);
     * outcome.aggregates().values().forEach(account -> assertTrue(account.balance() >= 0));
     * }</pre>
     *
     * @throws IllegalArgumentException if a command has no route
     * @throws AssertionFailedError     if a handler throws something other than a {@link NexusException}
     */
    public Outcome<A> run(List<?> commands) {
        Run run = run(definition.withoutSnapshots(), commands);
        return new Outcome<>(List.copyOf(run.steps), Map.copyOf(run.live));
    }

    /**
     * What running commands did.
     *
     * @param steps      one per command, in order
     * @param aggregates the live aggregates by id, after the last command
     * @param <A>        the aggregate type
     */
    public record Outcome<A extends Aggregate>(List<Step> steps, Map<String, A> aggregates) {

        /** The commands that were accepted, in order. */
        public List<Object> accepted() {
            return steps.stream().filter(Step::accepted).map(Step::command).toList();
        }

        /** The commands that were refused or skipped, in order. */
        public List<Object> refused() {
            return steps.stream().filter(step -> !step.accepted()).map(Step::command).toList();
        }

        /** Every event the accepted commands applied, in order. */
        public List<Object> events() {
            return steps.stream().flatMap(step -> step.events().stream()).toList();
        }
    }

    /**
     * One command and its outcome.
     *
     * @param command     the command
     * @param aggregateId the aggregate it targets
     * @param accepted    whether it was accepted (and its events appended)
     * @param events      the events it applied, empty when refused
     * @param refusal     why it was refused or skipped, {@code null} when accepted
     */
    public record Step(Object command, String aggregateId, boolean accepted, List<Object> events, @Nullable String refusal) {

        @Override
        public String toString() {
            return Differences.show(command) + (accepted ? " -> accepted: " + events : " -> refused: " + refusal);
        }
    }

    /**
     * Runs {@code commands}, then for every aggregate touched and every version {@code k} of its stream,
     * asserts that a snapshot taken at {@code k} plus the events after it loads to the same state as a
     * full replay. The snapshot goes through real serialization. The definition must have snapshots enabled.
     *
     * @return how many commands were accepted
     */
    public int snapshotPlusTailEqualsReplay(List<?> commands, Function<? super A, ?> state) {
        AggregateDefinition.SnapshotSettings settings = definition.snapshots().orElseThrow(() -> new IllegalArgumentException(
                "aggregate " + definition.name() + " has no snapshot settings; enable them with AggregateDefinition.builder(...).snapshots(...)"));
        Run run = run(definition.withoutSnapshots(), commands);
        for (String id : run.live.keySet()) {
            A full = run.repository.load(id);
            for (long k = 1; k <= full.version(); k++) {
                A atK = run.repository.loadAtVersion(id, k, Integer.MAX_VALUE);
                Object snapshotState = ((Snapshottable<?>) atK).snapshotState();
                InMemorySnapshotStore snapshots = new InMemorySnapshotStore();
                snapshots.save(new Snapshot(id, definition.name(), k, settings.stateSchemaVersion(), run.nexus.clock().instant(),
                        EventPayload.ofBytes(run.nexus.codec().serializer().serialize(snapshotState))));
                AggregateRepository<A> fromSnapshot = AggregateRepository.builder(definition, run.nexus.eventStore(), run.nexus.codec())
                        .snapshotStore(snapshots).build();
                A loaded = fromSnapshot.load(id);
                assertSame(run, id, "a snapshot at version " + k + " plus its tail", loaded, "a full replay", full, state);
            }
        }
        return run.accepted;
    }

    private void assertSame(Run run, String id, String leftName, A left, String rightName, A right, Function<? super A, ?> state) {
        Object l = state.apply(left);
        Object r = state.apply(right);
        if (!Objects.equals(l, r)) {
            throw new AssertionFailedError("The state of '" + id + "' differs between " + leftName + " and " + rightName + "."
                    + "\n  " + leftName + ": " + Differences.show(l)
                    + "\n  " + rightName + ": " + Differences.show(r)
                    + "\n  differences (" + leftName + " is 'expected'):" + Differences.block(l, r)
                    + history(run, id)
                    + "\nEvery change of state must happen in an @EventSourcingHandler: check that the command methods change "
                    + "fields only through apply(...), and that the handlers of these events set every field the state depends on.",
                    l, r);
        }
        if (left.version() != right.version()) {
            throw new AssertionFailedError("The version of '" + id + "' differs between " + leftName + " (" + left.version() + ") and "
                    + rightName + " (" + right.version() + ")." + history(run, id)
                    + "\nThe command path and the repository disagree on the events stored; this is a bug of the store or the "
                    + "repository, not of the aggregate.", left.version(), right.version());
        }
    }

    private String history(Run run, String id) {
        StringBuilder text = new StringBuilder();
        long accepted = run.steps.stream().filter(Step::accepted).count();
        text.append("\n  commands run (").append(run.steps.size()).append(", ").append(accepted)
                .append(" accepted; after shrinking, these are jqwik's shrunk sample):");
        for (int i = 0; i < run.steps.size(); i++) {
            text.append("\n    ").append(i + 1).append(". ").append(run.steps.get(i));
        }
        List<EventEnvelope> stored = run.nexus.eventStore().read(io.nexus.core.store.StreamQuery.stream(id));
        text.append("\n  events stored for '").append(id).append("' (").append(stored.size()).append("):");
        for (EventEnvelope envelope : stored) {
            text.append("\n    ").append(envelope.version()).append(". ").append(run.nexus.codec().decode(envelope));
        }
        return text.toString();
    }

    /** The aggregate's own fields by name, for a field-by-field comparison. */
    static Map<String, Object> fieldsOf(Aggregate aggregate) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Class<?> type = aggregate.getClass(); type != null && type != Aggregate.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) || field.isSynthetic()) {
                    continue;
                }
                try {
                    field.setAccessible(true);
                    fields.put(field.getName(), field.get(aggregate));
                } catch (ReflectiveOperationException | RuntimeException e) {
                    throw new IllegalArgumentException("cannot read field '" + field.getName() + "' of " + type.getName()
                            + " (" + e + "); pass a state function to compare instead", e);
                }
            }
        }
        return fields;
    }

    private final class Run {
        final Nexus nexus;
        final AggregateRepository<A> repository;
        final Map<String, A> live = new LinkedHashMap<>();
        final List<Step> steps = new ArrayList<>();
        int accepted;

        Run(Nexus nexus) {
            this.nexus = nexus;
            this.repository = nexus.repository(definition.type());
        }
    }

    @SuppressWarnings("unchecked")
    private Run run(AggregateDefinition<A> def, List<?> commands) {
        Nexus.Builder builder = Nexus.builder().eventTypes(types).clock(ControllableClock.standard())
                .snapshotExecutor(Runnable::run).aggregate(def, routes);
        upcasters.forEach(builder::upcaster);
        Run run = new Run(builder.build());
        CommandRoutes<A> collected = new CommandRoutes<>();
        routes.accept(collected);
        Map<Class<?>, CommandRoutes.Route<A, ?>> byType = new HashMap<>();
        collected.routes().forEach(r -> byType.put(r.commandType(), r));
        for (Object command : commands) {
            CommandRoutes.Route<A, Object> route = (CommandRoutes.Route<A, Object>) byType.get(command.getClass());
            if (route == null) {
                throw new IllegalArgumentException("command " + command.getClass().getName() + " has no route among "
                        + byType.keySet().stream().map(Class::getSimpleName).sorted().toList()
                        + "; generate only routed commands, or route it with routes.create/update(" + command.getClass().getSimpleName()
                        + ".class, ...)");
            }
            String id = ((Function<Object, String>) route.targetId()).apply(command);
            A aggregate = run.live.get(id);
            if (aggregate == null) {
                aggregate = run.repository.loadOrNew(id);
            }
            if (route.policy() == CreationPolicy.CREATE && !aggregate.isNew()) {
                run.steps.add(new Step(command, id, false, List.of(), "'" + id + "' already exists and the command creates"));
                continue;
            }
            if (route.policy() == CreationPolicy.UPDATE && aggregate.isNew()) {
                run.steps.add(new Step(command, id, false, List.of(), "'" + id + "' does not exist and the command updates"));
                continue;
            }
            CommandMetadata metadata = CommandMetadata.create();
            try {
                ((CommandHandler<A, Object>) route.handler()).handle(aggregate, command,
                        new CommandContext(metadata, run.nexus.clock(), 1));
                List<Object> events = List.copyOf(aggregate.uncommittedEvents());
                run.repository.save(aggregate, metadata);
                run.accepted++;
                run.steps.add(new Step(command, id, true, events, null));
            } catch (NexusException refused) {
                run.steps.add(new Step(command, id, false, List.of(), refused.getClass().getSimpleName() + ": " + refused.getMessage()));
                aggregate = run.repository.loadOrNew(id);
            } catch (RuntimeException bug) {
                StringBuilder text = new StringBuilder("The command " + Differences.show(command) + " on '" + id + "' threw "
                        + bug.getClass().getName() + ": " + bug.getMessage() + " (stack trace in the cause).\n  commands before it:");
                for (int i = 0; i < run.steps.size(); i++) {
                    text.append("\n    ").append(i + 1).append(". ").append(run.steps.get(i));
                }
                text.append("\nA command method refuses with a NexusException such as CommandRejectedException; "
                        + "anything else it throws is a bug the laws report.");
                throw new AssertionFailedError(text.toString(), bug);
            }
            if (!aggregate.isNew()) {
                run.live.put(id, aggregate);
            }
        }
        return run;
    }
}
