package io.nexus.examples.order.fulfilment;

import io.nexus.core.Nexus;
import io.nexus.core.command.CommandBus;
import io.nexus.core.command.CommandMetadata;
import io.nexus.core.command.CommandResult;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.examples.order.domain.CancelOrder;
import io.nexus.examples.order.domain.OrderConfirmed;
import io.nexus.examples.order.domain.OrderRejectedException;
import io.nexus.examples.order.domain.OrderRule;
import io.nexus.saga.SagaComponent;
import io.nexus.saga.SagaCoordinator;
import io.nexus.saga.SagaStatus;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The fulfilment saga of an application configured with {@link FulfilmentModule}. Registered on the
 * builder it runs with the application ({@link #component}):
 *
 * <pre>{@code
 * Nexus nexus = Nexus.builder().module(new FulfilmentModule())
 *         .component(Fulfilment.component(FulfilmentSaga.DEFAULT_RESERVATION_TIMEOUT))
 *         .build()
 *         .start();
 * }</pre>
 *
 * Standalone, {@link #create} and {@link #start} run a {@link SagaCoordinator} on the application's
 * ports (store, command bus, clock, checkpoints, timers).
 *
 * <p>Cancelling the order is the saga's last compensation. An order that is already cancelled (by the
 * customer, or by an earlier attempt of this compensation whose success was not recorded) is what the
 * compensation wants, so that refusal counts as done instead of failing the compensation.
 *
 * <p>Thread-safe; close it before the {@link Nexus} it runs on.
 */
public final class Fulfilment implements AutoCloseable {

    /** The environment variable that sets the reservation timeout (an ISO-8601 duration such as {@code PT30M}). */
    public static final String TIMEOUT_VARIABLE = "RESERVATION_TIMEOUT";

    private final SagaCoordinator<OrderConfirmed> coordinator;

    private Fulfilment(SagaCoordinator<OrderConfirmed> coordinator) {
        this.coordinator = coordinator;
    }

    /** The saga as a component of the application: {@code nexus.start()} starts it, {@code close()} stops it. */
    // tag::component[]
    public static SagaComponent<OrderConfirmed> component(Duration reservationTimeout) {
        return SagaComponent.of(FulfilmentSaga.definition(reservationTimeout), (saga, context) -> saga
                .compensationRetry(RetryPolicy.custom().maxAttempts(5).initialDelay(Duration.ofSeconds(1))
                        .maxDelay(Duration.ofMinutes(5)).build())
                .commandBus(new CancellationIsIdempotent(context.commands())));
    }
    // end::component[]

    /**
     * The saga as a component whose inventory reservations go through the simulated warehouse of
     * {@code simulator} (which may refuse them: failure injection for the compensation path).
     */
    public static SagaComponent<OrderConfirmed> component(Duration reservationTimeout, FulfilmentSimulator simulator) {
        Objects.requireNonNull(simulator, "simulator");
        return SagaComponent.of(FulfilmentSaga.definition(reservationTimeout),
                (saga, context) -> saga.commandBus(simulator.warehouse(new CancellationIsIdempotent(context.commands()))));
    }

    /** A coordinator for the saga on {@code nexus}, not started: call {@link SagaCoordinator#poll()} yourself (tests). */
    public static Fulfilment create(Nexus nexus, Duration reservationTimeout) {
        Objects.requireNonNull(nexus, "nexus");
        SagaCoordinator<OrderConfirmed> coordinator = SagaCoordinator.builder(FulfilmentSaga.definition(reservationTimeout))
                .from(nexus)
                .commandBus(new CancellationIsIdempotent(nexus.commands()))
                .build();
        return new Fulfilment(coordinator);
    }

    /** {@link #create} and start handling on a background thread. */
    public static Fulfilment start(Nexus nexus, Duration reservationTimeout) {
        Fulfilment fulfilment = create(nexus, reservationTimeout);
        fulfilment.coordinator.start();
        return fulfilment;
    }

    /**
     * The reservation timeout given as {@code value} (ISO-8601, e.g. {@code PT30M}), or the 30-minute
     * default when {@code value} is null or blank.
     *
     * @throws IllegalArgumentException naming the value when it is not a positive duration
     */
    public static Duration reservationTimeout(String value) {
        if (value == null || value.isBlank()) {
            return FulfilmentSaga.DEFAULT_RESERVATION_TIMEOUT;
        }
        try {
            Duration timeout = Duration.parse(value.trim());
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException(TIMEOUT_VARIABLE + " must be a positive duration, but was '" + value + "'");
            }
            return timeout;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(TIMEOUT_VARIABLE + " must be an ISO-8601 duration such as PT30M, but was '" + value + "'", e);
        }
    }

    /** The coordinator, for polling, resuming and anything else. */
    public SagaCoordinator<OrderConfirmed> coordinator() {
        return coordinator;
    }

    /** Where the fulfilment of order {@code orderId} stands; empty when the order was never confirmed. */
    public Optional<SagaStatus> status(String orderId) {
        return coordinator.status(orderId);
    }

    @Override
    public void close() {
        coordinator.close();
    }

    /** Passes commands on; an order that is already cancelled satisfies a CancelOrder compensation. */
    private record CancellationIsIdempotent(CommandBus delegate) implements CommandBus {
        @Override
        public CommandResult send(Object command, CommandMetadata metadata) {
            try {
                return delegate.send(command, metadata);
            } catch (OrderRejectedException e) {
                if (command instanceof CancelOrder cancel && e.rule() == OrderRule.ALREADY_CANCELLED) {
                    return new CommandResult(cancel.orderId(), 0, List.of(), 1, true);
                }
                throw e;
            }
        }
    }
}
