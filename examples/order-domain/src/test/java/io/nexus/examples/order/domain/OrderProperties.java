package io.nexus.examples.order.domain;

import io.nexus.core.Nexus;
import io.nexus.core.NexusException;
import io.nexus.core.schema.JsonSchemaEventValidator;
import io.nexus.core.schema.SchemaViolationException;
import io.nexus.examples.order.OrderModule;
import io.nexus.testkit.AggregateLaws;
import io.nexus.testkit.ControllableClock;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Laws of the Order aggregate for any sequence of valid and invalid commands over a few orders:
 * replaying the stored events rebuilds the live state, a snapshot plus the tail equals a full replay,
 * the rules hold in every state reached, and a refused command stores nothing.
 */
class OrderProperties {

    private static final List<String> ORDER_IDS = List.of("order-1", "order-2", "order-3");
    private static final JsonSchemaEventValidator VALIDATOR = OrderModule.validator();

    private final AggregateLaws<Order> laws = AggregateLaws.forAggregate(OrderModule.definition(), OrderModule.eventTypes(),
            OrderModule::routes);

    @Property(tries = 300)
    void replayingTheStoredEventsRebuildsTheLiveState(@ForAll("commands") List<Object> commands) {
        int accepted = laws.replayRebuildsState(commands, Order::state);
        Statistics.label("some commands accepted").collect(accepted > 0);
        Statistics.label("some commands accepted").coverage(c -> c.check(true).percentage(p -> p >= 75));
    }

    @Property(tries = 100)
    void aSnapshotPlusTheTailEqualsAFullReplay(@ForAll("commands") List<Object> commands) {
        laws.snapshotPlusTailEqualsReplay(commands, Order::state);
    }

    @Property(tries = 300)
    void theRulesHoldInEveryStateAndARefusedCommandStoresNothing(@ForAll("commands") List<Object> commands) {
        try (Nexus nexus = Nexus.builder().module(new OrderModule(VALIDATOR)).clock(ControllableClock.standard())
                .snapshotExecutor(Runnable::run).build()) {
            Set<String> touched = new HashSet<>();
            int refused = 0;
            for (Object command : commands) {
                String id = targetOf(command);
                long before = nexus.eventStore().currentVersion(id);
                try {
                    nexus.commands().send(command);
                    touched.add(id);
                } catch (SchemaViolationException e) {
                    fail("The aggregate produced an event its schema refuses, so the two disagree: " + e.getMessage());
                } catch (NexusException e) {
                    refused++;
                    assertEquals(before, nexus.eventStore().currentVersion(id), "a refused " + command + " stored events");
                }
            }
            Statistics.label("refused").collect(refused > 0);
            for (String id : touched) {
                OrderState state = nexus.repository(Order.class).load(id).state();
                assertTrue(state.totalCents() >= 0, "negative total in " + state);
                assertTrue(state.lines().size() <= OrderRules.MAX_LINES, "too many lines in " + state);
                Set<String> skus = new HashSet<>();
                for (OrderLine line : state.lines()) {
                    assertTrue(line.quantity() >= 1 && line.quantity() <= OrderRules.MAX_QUANTITY, "quantity out of range in " + state);
                    assertTrue(line.unitPriceCents() >= 0 && line.unitPriceCents() <= OrderRules.MAX_UNIT_PRICE_CENTS,
                            "price out of range in " + state);
                    assertTrue(skus.add(line.sku()), "two lines for one product in " + state);
                }
            }
        }
    }

    private static String targetOf(Object command) {
        if (command instanceof PlaceOrder c) {
            return c.orderId();
        }
        if (command instanceof AddLine c) {
            return c.orderId();
        }
        if (command instanceof RemoveLine c) {
            return c.orderId();
        }
        if (command instanceof ConfirmOrder c) {
            return c.orderId();
        }
        return ((CancelOrder) command).orderId();
    }

    @Provide
    Arbitrary<List<Object>> commands() {
        Arbitrary<String> ids = Arbitraries.of(ORDER_IDS);
        Arbitrary<String> skus = Arbitraries.frequencyOf(
                Tuple.of(20, Arbitraries.of("apple", "pear", "plum", "fig")),
                Tuple.of(1, Arbitraries.of("bad sku", "")));
        Arbitrary<Integer> quantities = Arbitraries.frequencyOf(
                Tuple.of(20, Arbitraries.integers().between(1, 5)),
                Tuple.of(2, Arbitraries.integers().between(OrderRules.MAX_QUANTITY - 3, OrderRules.MAX_QUANTITY + 1)),
                Tuple.of(2, Arbitraries.integers().between(-2, 0)));
        Arbitrary<Long> prices = Arbitraries.frequencyOf(
                Tuple.of(20, Arbitraries.of(0L, 99L, 250L, 1_999L)),
                Tuple.of(2, Arbitraries.of(-1L, OrderRules.MAX_UNIT_PRICE_CENTS, OrderRules.MAX_UNIT_PRICE_CENTS + 1)));
        Arbitrary<Object> place = Combinators.combine(ids, Arbitraries.of("customer-1", "customer-2", " ")).as(PlaceOrder::new);
        Arbitrary<Object> add = Combinators.combine(ids, skus, quantities, prices).as(AddLine::new);
        Arbitrary<Object> remove = Combinators.combine(ids, skus).as(RemoveLine::new);
        Arbitrary<Object> confirm = ids.map(ConfirmOrder::new);
        Arbitrary<Object> cancel = ids.map(CancelOrder::new);
        Arbitrary<Object> command = Arbitraries.frequencyOf(
                Tuple.of(4, place),
                Tuple.of(12, add),
                Tuple.of(4, remove),
                Tuple.of(2, confirm),
                Tuple.of(1, cancel));
        // Most sequences open some orders first, so later commands meet orders in every state.
        Arbitrary<List<Object>> opening = Arbitraries.subsetOf(ORDER_IDS).ofMinSize(1)
                .map(set -> set.stream().sorted().<Object>map(id -> new PlaceOrder(id, "customer-" + id)).toList());
        Arbitrary<List<Object>> prefix = Arbitraries.frequencyOf(Tuple.of(9, opening), Tuple.of(1, Arbitraries.just(List.of())));
        return Combinators.combine(prefix, command.list().ofMaxSize(60)).as((head, tail) -> {
            List<Object> all = new ArrayList<>(head);
            all.addAll(tail);
            return all;
        });
    }
}
