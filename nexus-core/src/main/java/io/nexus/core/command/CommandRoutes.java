package io.nexus.core.command;

import io.nexus.core.aggregate.Aggregate;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The commands one aggregate type handles, each with how to find its target aggregate id and whether
 * it creates the aggregate. Collected at startup; a command class registered twice is a startup error.
 *
 * <pre>{@code
 * routes.create(PlaceOrder.class, PlaceOrder::orderId, (order, cmd, ctx) -> order.place(cmd, ctx.now()))
 *       .update(AddLine.class, AddLine::orderId, Order::addLine);
 * }</pre>
 *
 * @param <A> the aggregate type
 */
public final class CommandRoutes<A extends Aggregate> {

    /**
     * One registration.
     *
     * @param commandType the command class
     * @param targetId    extracts the target aggregate id from a command
     * @param policy      whether the command creates the aggregate
     * @param handler     the handler
     */
    public record Route<A extends Aggregate, C>(Class<C> commandType, Function<? super C, String> targetId,
                                                CreationPolicy policy, CommandHandler<A, ? super C> handler) {
        public Route {
            Objects.requireNonNull(commandType, "commandType");
            Objects.requireNonNull(targetId, "targetId");
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(handler, "handler");
        }
    }

    private final List<Route<A, ?>> routes = new ArrayList<>();

    /** A command that creates its aggregate. */
    public <C> CommandRoutes<A> create(Class<C> type, Function<? super C, String> targetId, CommandHandler<A, ? super C> handler) {
        return add(new Route<>(type, targetId, CreationPolicy.CREATE, handler));
    }

    /** A command that creates its aggregate, handled by an aggregate method taking the command. */
    public <C> CommandRoutes<A> create(Class<C> type, Function<? super C, String> targetId, BiConsumer<A, ? super C> handler) {
        return create(type, targetId, (a, c, ctx) -> handler.accept(a, c));
    }

    /** A command for an existing aggregate. */
    public <C> CommandRoutes<A> update(Class<C> type, Function<? super C, String> targetId, CommandHandler<A, ? super C> handler) {
        return add(new Route<>(type, targetId, CreationPolicy.UPDATE, handler));
    }

    /** A command for an existing aggregate, handled by an aggregate method taking the command. */
    public <C> CommandRoutes<A> update(Class<C> type, Function<? super C, String> targetId, BiConsumer<A, ? super C> handler) {
        return update(type, targetId, (a, c, ctx) -> handler.accept(a, c));
    }

    /** A command that creates its aggregate or updates it. */
    public <C> CommandRoutes<A> createOrUpdate(Class<C> type, Function<? super C, String> targetId,
                                               CommandHandler<A, ? super C> handler) {
        return add(new Route<>(type, targetId, CreationPolicy.CREATE_OR_UPDATE, handler));
    }

    private CommandRoutes<A> add(Route<A, ?> route) {
        for (Route<A, ?> existing : routes) {
            if (existing.commandType().equals(route.commandType())) {
                throw new IllegalArgumentException("command " + route.commandType().getName() + " is registered twice");
            }
        }
        routes.add(route);
        return this;
    }

    /** The registrations, in order. */
    public List<Route<A, ?>> routes() {
        return List.copyOf(routes);
    }
}
