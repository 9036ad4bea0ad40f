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
import org.opentest4j.AssertionFailedError;

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
 * the {@code state} function extracts (a record of the aggregate's fields is ideal).
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
            assertSame(live.getKey(), "live aggregate", live.getValue(), "full replay", replayed, state);
        }
        return run.accepted;
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
                assertSame(id, "snapshot at version " + k + " + tail", loaded, "full replay", full, state);
            }
        }
        return run.accepted;
    }

    private void assertSame(String id, String leftName, A left, String rightName, A right, Function<? super A, ?> state) {
        Object l = state.apply(left);
        Object r = state.apply(right);
        if (!Objects.equals(l, r)) {
            throw new AssertionFailedError("State of '" + id + "' differs between " + leftName + " and " + rightName, l, r);
        }
        if (left.version() != right.version()) {
            throw new AssertionFailedError("Version of '" + id + "' differs between " + leftName + " and " + rightName,
                    left.version(), right.version());
        }
    }

    private final class Run {
        final Nexus nexus;
        final AggregateRepository<A> repository;
        final Map<String, A> live = new LinkedHashMap<>();
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
                throw new IllegalArgumentException("no route for command " + command.getClass().getName());
            }
            String id = ((Function<Object, String>) route.targetId()).apply(command);
            A aggregate = run.live.get(id);
            if (aggregate == null) {
                aggregate = run.repository.loadOrNew(id);
            }
            if ((route.policy() == CreationPolicy.CREATE && !aggregate.isNew())
                    || (route.policy() == CreationPolicy.UPDATE && aggregate.isNew())) {
                continue;
            }
            CommandMetadata metadata = CommandMetadata.create();
            try {
                ((CommandHandler<A, Object>) route.handler()).handle(aggregate, command,
                        new CommandContext(metadata, run.nexus.clock(), 1));
                run.repository.save(aggregate, metadata);
                run.accepted++;
            } catch (NexusException refused) {
                aggregate = run.repository.loadOrNew(id);
            }
            if (!aggregate.isNew()) {
                run.live.put(id, aggregate);
            }
        }
        return run;
    }
}
