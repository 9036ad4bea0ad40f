package io.nexus.testkit.governance;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import io.nexus.core.Nexus;
import io.nexus.core.NexusModule;
import io.nexus.core.aggregate.Aggregate;
import io.nexus.core.aggregate.AggregateRepository;
import io.nexus.core.bus.BusConsumer;
import io.nexus.core.bus.EventBus;
import io.nexus.core.bus.EventPublisher;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.command.CommandBus;
import io.nexus.core.command.CommandHandler;
import io.nexus.core.deadletter.DeadLetterQueue;
import io.nexus.core.lifecycle.NexusContext;
import io.nexus.core.notification.NotificationListener;
import io.nexus.core.policy.Published;
import io.nexus.core.projection.Projection;
import io.nexus.core.projection.ProjectionListener;
import io.nexus.core.projection.TypedProjection;
import io.nexus.core.readmodel.ReadModelStore;
import io.nexus.core.serialization.EventType;
import io.nexus.core.snapshot.SnapshotStore;
import io.nexus.core.store.AppendToStream;
import io.nexus.core.store.EventStore;
import io.nexus.core.store.ReadAll;
import io.nexus.core.store.ReadStream;
import io.nexus.core.tracking.LogHandler;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Build-time governance: ArchUnit rules a Nexus application adds to its tests, one line each.
 *
 * <pre>{@code
 * @AnalyzeClasses(packages = "com.acme.orders", importOptions = ImportOption.DoNotIncludeTests.class)
 * class ArchitectureTest {
 *     @ArchTest static final ArchRule noBlockingCalls = GovernanceRules.NO_SYNCHRONOUS_CLIENTS_IN_HANDLERS;
 *     @ArchTest static final ArchRule contexts = GovernanceRules.boundedContextsShareOnlyEventTypes("com.acme.orders", "com.acme.billing");
 *     @ArchTest static final ArchRule aggregates = GovernanceRules.AGGREGATES_USE_NO_INFRASTRUCTURE;
 *     @ArchTest static final ArchRule events = GovernanceRules.EVENTS_ARE_IMMUTABLE;
 * }
 * }</pre>
 *
 * Each failure names the rule, the offending class and member, and the fix. (Users add
 * {@code com.tngtech.archunit:archunit-junit5} to their test dependencies to run {@code @ArchTest}s.)
 */
public final class GovernanceRules {

    private GovernanceRules() {
    }

    /**
     * Where the application handles commands, events and saga steps: aggregates, command handlers, projections,
     * bus consumers, log handlers, projection and notification listeners, and classes that define sagas.
     */
    public static final DescribedPredicate<JavaClass> HANDLERS = new DescribedPredicate<>(
            "command handlers, event handlers, projections or saga steps") {
        @Override
        public boolean test(JavaClass c) {
            for (Class<?> type : List.of(Aggregate.class, CommandHandler.class, Projection.class, TypedProjection.class,
                    BusConsumer.class, LogHandler.class, ProjectionListener.class, NotificationListener.class)) {
                if (c.isAssignableTo(type)) {
                    return true;
                }
            }
            return c.getDirectDependenciesFromSelf().stream().anyMatch(d -> d.getTargetClass().getName().startsWith("io.nexus.saga.Saga")
                    || d.getTargetClass().getName().equals("io.nexus.core.saga.SagaDefinition"));
        }
    };

    /** Clients that block the calling thread on another service: HTTP clients, gRPC stubs, AWS SDK clients. */
    public static final DescribedPredicate<JavaClass> SYNCHRONOUS_CLIENTS = new DescribedPredicate<>(
            "synchronous clients (HTTP clients, gRPC stubs, AWS SDK clients)") {
        @Override
        public boolean test(JavaClass c) {
            String n = c.getName();
            return n.startsWith("java.net.http.") || n.equals("java.net.HttpURLConnection") || n.equals("java.net.URLConnection")
                    || n.startsWith("org.apache.http.") || n.startsWith("org.apache.hc.client5.") || n.startsWith("okhttp3.")
                    || n.startsWith("retrofit2.") || n.startsWith("feign.") || n.startsWith("org.springframework.web.client.")
                    || n.startsWith("jakarta.ws.rs.client.") || n.startsWith("javax.ws.rs.client.")
                    || n.startsWith("io.grpc.") || c.isAssignableTo("io.grpc.stub.AbstractStub")
                    || n.startsWith("com.amazonaws.services.")
                    || (n.startsWith("software.amazon.awssdk.") && c.getSimpleName().endsWith("Client"));
        }
    };

    /** Ports an aggregate must never reach for: it only decides and records events on itself. */
    static final List<Class<?>> INFRASTRUCTURE = List.of(AggregateRepository.class, CommandBus.class, EventBus.class,
            EventPublisher.class, EventStore.class, AppendToStream.class, ReadStream.class, ReadAll.class, SnapshotStore.class,
            ReadModelStore.class, CheckpointStore.class, DeadLetterQueue.class, Nexus.class, NexusContext.class);

    /** No synchronous client is used from command handlers, event handlers, projections or saga steps. */
    public static final ArchRule NO_SYNCHRONOUS_CLIENTS_IN_HANDLERS = noClasses().that(HANDLERS)
            .should().dependOnClassesThat(SYNCHRONOUS_CLIENTS)
            .as("[nexus: no-synchronous-clients-in-handlers] command handlers, event handlers, projections and saga steps "
                    + "call no synchronous client")
            .because("a blocking call to another service stalls the command path or the log for every aggregate; fix: "
                    + "have the handler emit an event or send a command, and call the service from a bus consumer or "
                    + "saga step through an asynchronous client (CompletableFuture) with retries")
            .allowEmptyShould(true);

    /** Aggregates never call repositories, buses or stores. */
    public static final ArchRule AGGREGATES_USE_NO_INFRASTRUCTURE = noClasses().that().areAssignableTo(Aggregate.class)
            .should().dependOnClassesThat(new DescribedPredicate<JavaClass>("repositories, buses or stores") {
                @Override
                public boolean test(JavaClass c) {
                    return INFRASTRUCTURE.stream().anyMatch(c::isAssignableTo);
                }
            })
            .as("[nexus: aggregates-use-no-infrastructure] aggregates never call repositories, buses or stores")
            .because("an aggregate decides from its own state and records events with apply(); fix: pass what it needs "
                    + "in the command, and let a saga or the command handler's caller load other aggregates or send commands")
            .allowEmptyShould(true);

    /** Event classes (annotated {@link EventType}) are immutable: records, or final fields and no setters. */
    public static final ArchRule EVENTS_ARE_IMMUTABLE = classes().that().areAnnotatedWith(EventType.class)
            .should(new ArchCondition<JavaClass>("be immutable (records, or final fields and no setters)") {
                @Override
                public void check(JavaClass c, ConditionEvents events) {
                    if (c.isRecord()) {
                        return;
                    }
                    for (JavaField field : c.getFields()) {
                        if (!field.getModifiers().contains(JavaModifier.STATIC) && !field.getModifiers().contains(JavaModifier.FINAL)) {
                            events.add(SimpleConditionEvent.violated(c, "Event class " + c.getName() + " has the non-final field '"
                                    + field.getName() + "'"));
                        }
                    }
                    for (JavaMethod method : c.getMethods()) {
                        if (method.getName().startsWith("set") && method.getName().length() > 3 && !method.getModifiers().contains(JavaModifier.STATIC)) {
                            events.add(SimpleConditionEvent.violated(c, "Event class " + c.getName() + " has the setter '"
                                    + method.getName() + "'"));
                        }
                    }
                }
            })
            .as("[nexus: events-are-immutable] event classes are immutable")
            .because("a stored event is a fact that never changes, and one instance is shared by every handler; fix: "
                    + "make the event a record (or make every field final and drop the setters)")
            .allowEmptyShould(true);

    /**
     * Classes in one of {@code contextPackages} depend on classes of another only when those are event types
     * ({@link EventType}) or deliberately {@link Published}. Classes outside every listed package (the
     * application's assembly) and {@link NexusModule}s, which wire contexts together, are not checked.
     */
    public static ArchRule boundedContextsShareOnlyEventTypes(String... contextPackages) {
        List<String> contexts = Arrays.asList(contextPackages.clone());
        if (contexts.size() < 2) {
            throw new IllegalArgumentException("name at least two bounded-context packages, but got " + contexts);
        }
        return classes().that(new DescribedPredicate<JavaClass>("belong to a bounded context " + contexts) {
                    @Override
                    public boolean test(JavaClass c) {
                        return contextOf(c.getName(), contexts).isPresent() && !c.isAssignableTo(NexusModule.class);
                    }
                })
                .should(new ArchCondition<JavaClass>("depend on other bounded contexts only through published event types") {
                    @Override
                    public void check(JavaClass c, ConditionEvents events) {
                        String own = contextOf(c.getName(), contexts).orElseThrow();
                        for (Dependency d : c.getDirectDependenciesFromSelf()) {
                            JavaClass target = d.getTargetClass();
                            Optional<String> other = contextOf(target.getName(), contexts);
                            if (other.isEmpty() || other.get().equals(own)) {
                                continue;
                            }
                            JavaClass published = target.isArray() ? target.getBaseComponentType() : target;
                            if (published.isAnnotatedWith(EventType.class) || published.isAnnotatedWith(Published.class)
) {
                                continue;
                            }
                            events.add(SimpleConditionEvent.violated(c, "Class " + c.getName() + " (context " + own + ") depends on "
                                    + target.getName() + " of context " + other.get() + ", which is not a published event type: "
                                    + d.getDescription()));
                        }
                    }
                })
                .as("[nexus: bounded-contexts-share-only-event-types] bounded contexts " + contexts
                        + " depend on each other only through published event types")
                .because("a context that reaches into another's classes couples their releases; fix: react to the other context's "
                        + "events (annotated @EventType), or mark a type the other context deliberately offers with @Published")
                .allowEmptyShould(true);
    }

    private static Optional<String> contextOf(String className, List<String> contexts) {
        String best = null;
        for (String context : contexts) {
            if ((className.startsWith(context + ".")) && (best == null || context.length() > best.length())) {
                best = context;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The rules that need no argument (every rule but {@link #boundedContextsShareOnlyEventTypes}). */
    public static List<ArchRule> all() {
        return List.of(NO_SYNCHRONOUS_CLIENTS_IN_HANDLERS, AGGREGATES_USE_NO_INFRASTRUCTURE, EVENTS_ARE_IMMUTABLE);
    }
}
