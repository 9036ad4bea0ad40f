package io.nexus.core.saga;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What a saga does: which event starts it, how its id is found in that event, and its ordered steps.
 * Each step performs an action (sends a command through the command bus, or emits an event), declares
 * the command that compensates it, may have a timeout, and names the reply events that say it succeeded
 * or failed, each correlated to the saga by a key taken from the reply.
 *
 * <pre>{@code
 * SagaDefinition<OrderConfirmed> fulfilment = SagaDefinition.startedBy("fulfilment", OrderConfirmed.class, OrderConfirmed::orderId)
 *     .step("reserve-inventory", step -> step
 *         .sends(order -> new ReserveInventory(order.orderId(), order.lines()))
 *         .compensatedBy(order -> new ReleaseInventory(order.orderId()))
 *         .succeedsOn(InventoryReserved.class, InventoryReserved::orderId)
 *         .failsOn(InventoryUnavailable.class, InventoryUnavailable::orderId, InventoryUnavailable::reason))
 *     .step("charge-payment", step -> step
 *         .sends(order -> new ChargePayment(order.orderId(), order.total()))
 *         .timeout(Duration.ofMinutes(30))
 *         .succeedsOn(PaymentCharged.class, PaymentCharged::orderId)
 *         .failsOn(PaymentDeclined.class, PaymentDeclined::orderId))
 *     .build();
 * }</pre>
 *
 * <p>Step semantics, carried out by the saga runtime ({@code nexus-saga}):
 * <ul>
 *   <li>A step with reply types waits for the first matching reply; a step without any succeeds as soon
 *       as its action was performed (the command bus accepted the command, the event was stored). A step
 *       with no action at all succeeds at once: it exists only for its compensation (undoing what the
 *       starting event did, such as cancelling an order).</li>
 *   <li>A command refused in a way that proves it had no effect (the aggregate refused it, it was
 *       invalid or unknown, its events broke a schema or a policy), a failure reply, or an expired
 *       timeout fails the step; the runtime then compensates exactly the steps that had succeeded, in
 *       reverse order. Any other failure to send (a timeout, a lost connection) leaves the outcome
 *       unknown: the runtime sends the same command id again with backoff and accepts a reply that
 *       arrives meanwhile; it never counts such a step as failed.</li>
 *   <li>Step commands and compensations are sent with command ids derived from the saga id and the step,
 *       so a re-send after a crash or an unknown outcome is recognised by the command bus and not applied twice. Their handlers
 *       must not refuse such a re-send because the first one already changed the state: make them
 *       idempotent (compensations above all).</li>
 *   <li>Commands and events are built from the starting event only: keep what later steps need in it.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe once built; the functions it holds must be pure.
 *
 * @param <E> the class of the event that starts the saga
 */
public final class SagaDefinition<E> {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final String name;
    private final Class<E> startEvent;
    private final Function<? super E, String> sagaId;
    private final List<Step<E>> steps;

    private SagaDefinition(Builder<E> b) {
        this.name = b.name;
        this.startEvent = b.startEvent;
        this.sagaId = b.sagaId;
        this.steps = List.copyOf(b.steps);
    }

    /**
     * Starts a definition.
     *
     * @param name       stable name of the saga (it is part of stored stream names): letters, digits, '.', '_', '-'
     * @param startEvent the event class that starts one saga instance
     * @param sagaId     extracts the saga instance id from the starting event; replies are correlated to this id
     * @throws IllegalArgumentException if the name is not allowed
     * @throws NullPointerException     if an argument is null
     */
    public static <E> Builder<E> startedBy(String name, Class<E> startEvent, Function<? super E, String> sagaId) {
        return new Builder<>(name, startEvent, sagaId);
    }

    /** The saga's stable name. */
    public String name() {
        return name;
    }

    /** The event class that starts an instance. */
    public Class<E> startEvent() {
        return startEvent;
    }

    /**
     * The saga id of the instance {@code event} starts.
     *
     * @throws IllegalArgumentException if the extractor returns a null or blank id
     */
    public String sagaIdOf(E event) {
        String id = sagaId.apply(event);
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("saga '" + name + "' got no id from " + event
                    + " (it was '" + id + "'); the id extractor must return a non-blank id");
        }
        return id;
    }

    /** The steps in execution order. */
    public List<Step<E>> steps() {
        return steps;
    }

    /** The step named {@code stepName}, if there is one. */
    public Optional<Step<E>> step(String stepName) {
        return steps.stream().filter(s -> s.name().equals(stepName)).findFirst();
    }

    /** Every reply event class any step listens to. */
    public Set<Class<?>> replyTypes() {
        Set<Class<?>> types = new HashSet<>();
        steps.forEach(s -> s.replies().forEach(r -> types.add(r.type())));
        return types;
    }

    @Override
    public String toString() {
        return "SagaDefinition[" + name + ", startedBy=" + startEvent.getSimpleName() + ", steps="
                + steps.stream().map(Step::name).toList() + "]";
    }

    /**
     * What a step or a compensation does: send a command through the command bus, or emit an event
     * (stored in the saga's own stream, where projections and other sagas can read it).
     *
     * @param <E> the starting event class
     */
    public sealed interface Action<E> {

        /** Builds the command or event from the starting event. */
        Object create(E startEvent);

        /** Sends the command {@code factory} builds. */
        record SendCommand<E>(Function<? super E, ?> factory) implements Action<E> {
            public SendCommand {
                Objects.requireNonNull(factory, "factory");
            }

            @Override
            public Object create(E startEvent) {
                return Objects.requireNonNull(factory.apply(startEvent), "the command factory returned null");
            }
        }

        /** Emits the event {@code factory} builds. */
        record EmitEvent<E>(Function<? super E, ?> factory) implements Action<E> {
            public EmitEvent {
                Objects.requireNonNull(factory, "factory");
            }

            @Override
            public Object create(E startEvent) {
                return Objects.requireNonNull(factory.apply(startEvent), "the event factory returned null");
            }
        }
    }

    /**
     * A reply event that ends a step.
     *
     * @param type        the reply's event class
     * @param correlation extracts the saga id the reply belongs to
     * @param filter      further condition on the reply (for a class shared by several steps)
     * @param success     {@code true} if the reply means the step succeeded, {@code false} if it failed
     * @param reason      for a failure reply: the reason recorded in the saga's history
     * @param <R>         the reply class
     */
    public record Reply<R>(Class<R> type, Function<? super R, String> correlation, Predicate<? super R> filter,
                           boolean success, Function<? super R, String> reason) {

        public Reply {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(correlation, "correlation");
            filter = filter == null ? r -> true : filter;
            reason = reason == null ? String::valueOf : reason;
        }

        /** Whether {@code event} is this reply. */
        public boolean matches(Object event) {
            return type.isInstance(event) && filter.test(type.cast(event));
        }

        /** The saga id {@code event} (which must {@link #matches match}) belongs to, or null when it names none. */
        public @Nullable String correlationKey(Object event) {
            return correlation.apply(type.cast(event));
        }

        /** The failure reason carried by {@code event}. */
        public String reasonOf(Object event) {
            return reason.apply(type.cast(event));
        }
    }

    /**
     * One step of a saga.
     *
     * @param name         unique within the saga, stable (it is stored and part of command ids)
     * @param index        0-based position in the saga
     * @param action       what the step does, empty for a step that exists only for its compensation
     * @param compensation what undoes the step, empty when nothing needs undoing
     * @param timeout      how long the step may wait for its reply, empty for no limit
     * @param replies      the replies that end the step, in declaration order
     * @param <E>          the starting event class
     */
    public record Step<E>(String name, int index, Optional<Action<E>> action, Optional<Action<E>> compensation,
                          Optional<Duration> timeout, List<Reply<?>> replies) {

        public Step {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(compensation, "compensation");
            Objects.requireNonNull(timeout, "timeout");
            replies = List.copyOf(replies);
        }

        /** Whether the step waits for a reply after its action. */
        public boolean awaitsReply() {
            return !replies.isEmpty();
        }

        /** The first declared reply that {@code event} matches. */
        public Optional<Reply<?>> replyFor(Object event) {
            return replies.stream().filter(r -> r.matches(event)).findFirst();
        }
    }

    /**
     * Declares one step. All methods validate at once and return this builder.
     *
     * @param <E> the starting event class
     */
    public static final class StepBuilder<E> {
        private final String stepName;
        private @Nullable Action<E> action;
        private @Nullable Action<E> compensation;
        private @Nullable Duration timeout;
        private final List<Reply<?>> replies = new ArrayList<>();

        private StepBuilder(String stepName) {
            this.stepName = stepName;
        }

        /** The step sends the command {@code command} builds from the starting event. */
        public StepBuilder<E> sends(Function<? super E, ?> command) {
            requireNoAction();
            this.action = new Action.SendCommand<>(command);
            return this;
        }

        /** The step emits the event {@code event} builds from the starting event (stored in the saga's stream). */
        public StepBuilder<E> emits(Function<? super E, ?> event) {
            requireNoAction();
            this.action = new Action.EmitEvent<>(event);
            return this;
        }

        /** The command that undoes this step once it has succeeded. */
        public StepBuilder<E> compensatedBy(Function<? super E, ?> command) {
            requireNoCompensation();
            this.compensation = new Action.SendCommand<>(command);
            return this;
        }

        /** An event that undoes this step once it has succeeded (stored in the saga's stream). */
        public StepBuilder<E> compensatedByEvent(Function<? super E, ?> event) {
            requireNoCompensation();
            this.compensation = new Action.EmitEvent<>(event);
            return this;
        }

        /** How long the step may wait for its reply; past it the step has timed out and the saga compensates. */
        public StepBuilder<E> timeout(Duration value) {
            Objects.requireNonNull(value, "timeout");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("timeout of step '" + stepName + "' must be positive, but was " + value);
            }
            this.timeout = value;
            return this;
        }

        /** A reply of class {@code type} whose {@code sagaId} matches means the step succeeded. */
        public <R> StepBuilder<E> succeedsOn(Class<R> type, Function<? super R, String> sagaId) {
            return succeedsOn(type, sagaId, reply -> true);
        }

        /** As {@link #succeedsOn(Class, Function)}, for replies that also satisfy {@code filter}. */
        public <R> StepBuilder<E> succeedsOn(Class<R> type, Function<? super R, String> sagaId, Predicate<? super R> filter) {
            replies.add(new Reply<>(type, sagaId, filter, true, r -> "succeeded"));
            return this;
        }

        /** A reply of class {@code type} whose {@code sagaId} matches means the step failed. */
        public <R> StepBuilder<E> failsOn(Class<R> type, Function<? super R, String> sagaId) {
            return failsOn(type, sagaId, reply -> true, String::valueOf);
        }

        /** As {@link #failsOn(Class, Function)}, with the failure reason taken from the reply. */
        public <R> StepBuilder<E> failsOn(Class<R> type, Function<? super R, String> sagaId, Function<? super R, String> reason) {
            return failsOn(type, sagaId, reply -> true, reason);
        }

        /** As {@link #failsOn(Class, Function, Function)}, for replies that also satisfy {@code filter}. */
        public <R> StepBuilder<E> failsOn(Class<R> type, Function<? super R, String> sagaId, Predicate<? super R> filter,
                                          Function<? super R, String> reason) {
            replies.add(new Reply<>(type, sagaId, filter, false, reason));
            return this;
        }

        private void requireNoAction() {
            if (action != null) {
                throw new IllegalStateException("step '" + stepName + "' already has an action; a step sends one command or emits one event");
            }
        }

        private void requireNoCompensation() {
            if (compensation != null) {
                throw new IllegalStateException("step '" + stepName + "' already has a compensation; declare one per step");
            }
        }

        private Step<E> build(int index) {
            if (action == null && (!replies.isEmpty() || timeout != null)) {
                throw new IllegalStateException("step '" + stepName + "' waits for replies or has a timeout but performs no action; "
                        + "add sends(...) or emits(...)");
            }
            if (timeout != null && replies.isEmpty()) {
                throw new IllegalStateException("step '" + stepName + "' has a timeout but no reply to wait for; "
                        + "add succeedsOn(...) or drop the timeout");
            }
            if (!replies.isEmpty() && replies.stream().noneMatch(Reply::success)) {
                throw new IllegalStateException("step '" + stepName + "' declares only failure replies; add succeedsOn(...)");
            }
            return new Step<>(stepName, index, Optional.ofNullable(action), Optional.ofNullable(compensation),
                    Optional.ofNullable(timeout), replies);
        }
    }

    /**
     * Builds a {@link SagaDefinition}; fails fast on duplicate or malformed step names.
     *
     * @param <E> the starting event class
     */
    public static final class Builder<E> {
        private final String name;
        private final Class<E> startEvent;
        private final Function<? super E, String> sagaId;
        private final List<Step<E>> steps = new ArrayList<>();

        private Builder(String name, Class<E> startEvent, Function<? super E, String> sagaId) {
            this.name = requireName(name, "saga name");
            this.startEvent = Objects.requireNonNull(startEvent, "startEvent");
            this.sagaId = Objects.requireNonNull(sagaId, "sagaId");
        }

        /** Appends a step named {@code stepName}, declared by {@code spec}. */
        public Builder<E> step(String stepName, Consumer<StepBuilder<E>> spec) {
            requireName(stepName, "step name");
            Objects.requireNonNull(spec, "spec");
            if (steps.stream().anyMatch(s -> s.name().equals(stepName))) {
                throw new IllegalArgumentException("saga '" + name + "' already has a step named '" + stepName + "'; step names must be unique");
            }
            StepBuilder<E> builder = new StepBuilder<>(stepName);
            spec.accept(builder);
            steps.add(builder.build(steps.size()));
            return this;
        }

        /**
         * @throws IllegalStateException if no step was declared
         */
        public SagaDefinition<E> build() {
            if (steps.isEmpty()) {
                throw new IllegalStateException("saga '" + name + "' has no steps; declare at least one with step(...)");
            }
            return new SagaDefinition<>(this);
        }

        private static String requireName(String value, String what) {
            if (value == null || !NAME.matcher(value).matches()) {
                throw new IllegalArgumentException(what + " must be 1..64 letters, digits, '.', '_' or '-' starting with a letter or digit, but was '"
                        + value + "'");
            }
            return value;
        }
    }
}
