package io.nexus.saga;

import io.nexus.core.lifecycle.NexusComponent;
import io.nexus.core.lifecycle.NexusContext;
import io.nexus.core.saga.SagaDefinition;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A saga as a part of a Nexus application: registered in one line, started by {@code nexus.start()} with
 * everything it needs taken from the application (event store, codec, command bus, clock, meters,
 * validator, policy engine, checkpoint store, durable timers), closed with the application.
 *
 * <pre>{@code
 * Nexus.builder()
 *      ...
 *      .component(SagaComponent.of(FulfilmentSaga.definition()))
 *      .build();
 * }</pre>
 *
 * <p>Thread-safe for {@link #status} and {@link #resume}; {@link #start} and {@link #close} are called by
 * Nexus from one thread.
 *
 * @param <E> the class of the starting event
 */
public final class SagaComponent<E> implements NexusComponent {

    /**
     * Adjusts the coordinator's builder after it took everything from the application.
     *
     * @param <E> the class of the starting event
     */
    @FunctionalInterface
    public interface Options<E> {

        /** Sets options on {@code builder} (already filled {@link SagaCoordinator.Builder#from(NexusContext) from} {@code context}). */
        void configure(SagaCoordinator.Builder<E> builder, NexusContext context);
    }

    private final SagaDefinition<E> definition;
    private final Options<E> options;
    private volatile @Nullable SagaCoordinator<E> coordinator;

    private SagaComponent(SagaDefinition<E> definition, Options<E> options) {
        this.definition = definition;
        this.options = options;
    }

    /** The saga {@code definition} with the default options. */
    public static <E> SagaComponent<E> of(SagaDefinition<E> definition) {
        return of(definition, (builder, context) -> { });
    }

    /**
     * The saga {@code definition} with {@code options} applied to its coordinator's builder, e.g.
     * {@code (saga, context) -> saga.compensationRetry(policy)}.
     */
    public static <E> SagaComponent<E> of(SagaDefinition<E> definition, Options<E> options) {
        return new SagaComponent<>(Objects.requireNonNull(definition, "definition"), Objects.requireNonNull(options, "options"));
    }

    /** {@code saga/<saga name>}, also the consumer name of its position in the checkpoint store. */
    @Override
    public String name() {
        return SagaCoordinator.consumerName(definition.name());
    }

    /** The saga this component runs. */
    public SagaDefinition<E> definition() {
        return definition;
    }

    /**
     * Builds the coordinator from {@code context} and starts it in the background.
     *
     * @throws IllegalStateException if already started
     * @throws IllegalArgumentException if an event class of the saga is not registered with the application
     */
    @Override
    public synchronized void start(NexusContext context) {
        Objects.requireNonNull(context, "context");
        if (coordinator != null) {
            throw new IllegalStateException("saga component '" + name() + "' is already started");
        }
        SagaCoordinator.Builder<E> builder = SagaCoordinator.builder(definition).from(context);
        options.configure(builder, context);
        SagaCoordinator<E> built = builder.build();
        built.start();
        coordinator = built;
    }

    /**
     * The running coordinator, for operations the component does not offer itself.
     *
     * @throws IllegalStateException if the component was not started
     */
    public SagaCoordinator<E> coordinator() {
        SagaCoordinator<E> current = coordinator;
        if (current == null) {
            throw new IllegalStateException("saga component '" + name() + "' is not started; nexus.start() starts it");
        }
        return current;
    }

    /**
     * Where instance {@code sagaId} stands; empty when it never started.
     *
     * @throws IllegalStateException if the component was not started
     */
    public Optional<SagaStatus> status(String sagaId) {
        return coordinator().status(sagaId);
    }

    /**
     * Goes on with a parked instance; see {@link SagaCoordinator#resume(String)}.
     *
     * @throws IllegalStateException if the component was not started, or the instance is not parked
     * @throws SagaNotFoundException if the instance never started
     */
    public SagaStatus resume(String sagaId) {
        return coordinator().resume(sagaId);
    }

    /** Stops the coordinator. Harmless when called twice or without a start. */
    @Override
    public synchronized void close() {
        SagaCoordinator<E> current = coordinator;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public String toString() {
        return "SagaComponent[" + definition.name() + "]";
    }
}
