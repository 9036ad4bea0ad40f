package io.nexus.examples.order.domain;

import io.nexus.core.aggregate.AggregateAlreadyExistsException;
import io.nexus.core.aggregate.AggregateNotFoundException;
import io.nexus.core.command.CommandRejectedException;
import io.nexus.core.command.InvalidCommandException;
import io.nexus.examples.order.OrderModule;
import io.nexus.testkit.AggregateFixture;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Given/when/then tests of every Order command and rule, through the real command path with schema validation. */
class OrderTest {

    private static final String ID = "order-1";

    private final AggregateFixture<Order> orders = AggregateFixture
            .forAggregate(OrderModule.definition(), OrderModule.eventTypes(), OrderModule::routes)
            .validator(OrderModule.validator());

    private static OrderPlaced placed() {
        return new OrderPlaced(ID, "customer-7");
    }

    private static LineAdded line(String sku, int quantity, long price) {
        return new LineAdded(ID, sku, quantity, price);
    }

    /** Asserts the refusal reports {@code rule}, names the order, and left the stream at {@code version}. */
    private static void expectRejected(AggregateFixture<Order>.Then then, OrderRule rule, long version, String messagePart) {
        then.expectException(CommandRejectedException.class).expectMessageContaining("Order '" + ID + "'")
                .expectMessageContaining(messagePart).expectVersion(version);
        OrderRejectedException e = assertInstanceOf(OrderRejectedException.class, then.failure());
        assertEquals(rule, e.rule());
        assertEquals(ID, e.orderId());
    }

    @Nested
    class Place {

        @Test
        void opensAnEmptyOrderForTheCustomer() {
            orders.givenNothing()
                    .when(new PlaceOrder(ID, "customer-7"))
                    .expectEvents(new OrderPlaced(ID, "customer-7"))
                    .expectVersion(1)
                    .expectState(order -> {
                        assertEquals(OrderState.placed(ID, "customer-7"), order.state());
                        assertEquals(OrderStatus.OPEN, order.status());
                        assertEquals(0, order.totalCents());
                    });
        }

        @Test
        void anExistingOrderCannotBePlacedAgain() {
            orders.given(ID, placed())
                    .when(new PlaceOrder(ID, "customer-8"))
                    .expectException(AggregateAlreadyExistsException.class)
                    .expectMessageContaining("'" + ID + "' already exists")
                    .expectVersion(1)
                    .expectState(order -> assertEquals("customer-7", order.state().customerId()));
        }

        @Test
        void aMalformedOrderIdIsInvalid() {
            orders.givenNothing()
                    .when(new PlaceOrder("order 1!", "customer-7"))
                    .expectException(InvalidCommandException.class)
                    .expectMessageContaining("Order id 'order 1!' is malformed");
        }

        @Test
        void aBlankOrTooLongCustomerIsInvalidAndNothingIsStored() {
            for (String customer : new String[]{" ", null, "c".repeat(OrderRules.MAX_CUSTOMER_ID_LENGTH + 1)}) {
                AggregateFixture<Order>.Given given = orders.givenNothing();
                given.when(new PlaceOrder(ID, customer))
                        .expectException(InvalidCommandException.class)
                        .expectMessageContaining("Order '" + ID + "' needs a customer id of 1..128 characters, but it was "
                                + (customer == null ? "missing" : "'" + customer + "'"));
                assertEquals(0, given.nexus().eventStore().currentVersion(ID));
            }
        }
    }

    @Nested
    class AddLines {

        @Test
        void addsALineAndItsAmountToTheTotal() {
            orders.given(ID, placed())
                    .when(new AddLine(ID, "apple", 3, 250))
                    .expectEvents(line("apple", 3, 250))
                    .expectVersion(2)
                    .expectState(order -> {
                        assertEquals(List.of(new OrderLine("apple", 3, 250)), order.lines());
                        assertEquals(750, order.totalCents());
                    });
        }

        @Test
        void theSameProductAtTheSamePriceRaisesTheQuantity() {
            orders.given(ID, placed(), line("apple", 3, 250), line("pear", 1, 100))
                    .when(new AddLine(ID, "apple", 2, 250))
                    .expectEvents(line("apple", 2, 250))
                    .expectState(order -> {
                        assertEquals(List.of(new OrderLine("apple", 5, 250), new OrderLine("pear", 1, 100)), order.lines());
                        assertEquals(1350, order.totalCents());
                    });
        }

        @Test
        void aFreeProductIsAllowed() {
            orders.given(ID, placed())
                    .when(new AddLine(ID, "sample", 1, 0))
                    .expectEvents(line("sample", 1, 0))
                    .expectState(order -> assertEquals(0, order.totalCents()));
        }

        @Test
        void theLimitsThemselvesAreAllowed() {
            orders.given(ID, placed())
                    .when(new AddLine(ID, "gold", OrderRules.MAX_QUANTITY, OrderRules.MAX_UNIT_PRICE_CENTS))
                    .expectEvents(line("gold", OrderRules.MAX_QUANTITY, OrderRules.MAX_UNIT_PRICE_CENTS))
                    .expectState(order -> assertEquals(OrderRules.MAX_QUANTITY * OrderRules.MAX_UNIT_PRICE_CENTS, order.totalCents()));
        }

        @Test
        void aQuantityBelowOneIsRefused() {
            expectRejected(orders.given(ID, placed()).when(new AddLine(ID, "apple", 0, 250)),
                    OrderRule.QUANTITY_OUT_OF_RANGE, 1, "quantity must be 1..10000 but was 0");
            expectRejected(orders.given(ID, placed()).when(new AddLine(ID, "apple", -3, 250)),
                    OrderRule.QUANTITY_OUT_OF_RANGE, 1, "but was -3");
        }

        @Test
        void aQuantityAboveTheLimitIsRefused() {
            expectRejected(orders.given(ID, placed()).when(new AddLine(ID, "apple", OrderRules.MAX_QUANTITY + 1, 250)),
                    OrderRule.QUANTITY_OUT_OF_RANGE, 1, "but was 10001");
        }

        @Test
        void addingToALineMayNotPassTheQuantityLimit() {
            expectRejected(orders.given(ID, placed(), line("apple", 9_000, 250)).when(new AddLine(ID, "apple", 1_001, 250)),
                    OrderRule.QUANTITY_OUT_OF_RANGE, 2, "would make 10001");
        }

        @Test
        void aNegativeOrTooHighPriceIsRefused() {
            expectRejected(orders.given(ID, placed()).when(new AddLine(ID, "apple", 1, -1)),
                    OrderRule.UNIT_PRICE_OUT_OF_RANGE, 1, "unit price must be 0..100000000 cents but was -1");
            expectRejected(orders.given(ID, placed()).when(new AddLine(ID, "apple", 1, OrderRules.MAX_UNIT_PRICE_CENTS + 1)),
                    OrderRule.UNIT_PRICE_OUT_OF_RANGE, 1, "but was 100000001");
        }

        @Test
        void theSameProductAtAnotherPriceIsRefused() {
            expectRejected(orders.given(ID, placed(), line("apple", 1, 250)).when(new AddLine(ID, "apple", 1, 300)),
                    OrderRule.PRICE_MISMATCH, 2, "already has 'apple' at 250 cents per unit, but the line to add says 300");
        }

        @Test
        void noMoreThanTheMostLinesButExistingOnesMayGrow() {
            List<Object> history = new ArrayList<>();
            history.add(placed());
            for (int i = 0; i < OrderRules.MAX_LINES; i++) {
                history.add(line("sku-" + i, 1, 10));
            }
            expectRejected(orders.given(ID, history.toArray()).when(new AddLine(ID, "one-more", 1, 10)),
                    OrderRule.TOO_MANY_LINES, 101, "the most allowed is 100");
            orders.given(ID, history.toArray()).when(new AddLine(ID, "sku-7", 1, 10))
                    .expectEvents(line("sku-7", 1, 10));
        }

        @Test
        void noLineChangesAfterConfirmation() {
            expectRejected(orders.given(ID, placed(), line("apple", 1, 250), new OrderConfirmed(ID))
                            .when(new AddLine(ID, "pear", 1, 100)),
                    OrderRule.ORDER_NOT_OPEN, 3, "expected an open order but it is confirmed");
        }

        @Test
        void noLineChangesAfterCancellation() {
            expectRejected(orders.given(ID, placed(), new OrderCancelled(ID)).when(new AddLine(ID, "pear", 1, 100)),
                    OrderRule.ORDER_NOT_OPEN, 2, "expected an open order but it is cancelled");
        }

        @Test
        void aMalformedSkuIsInvalid() {
            orders.given(ID, placed()).when(new AddLine(ID, "no spaces", 1, 100))
                    .expectException(InvalidCommandException.class)
                    .expectMessageContaining("malformed product code 'no spaces'")
                    .expectVersion(1);
            orders.given(ID, placed()).when(new AddLine(ID, null, 1, 100))
                    .expectException(InvalidCommandException.class).expectMessageContaining("(missing)");
        }

        @Test
        void anOrderThatWasNeverPlacedIsNotFound() {
            orders.givenNothing().when(new AddLine(ID, "apple", 1, 100))
                    .expectException(AggregateNotFoundException.class)
                    .expectMessageContaining("Order '" + ID + "' does not exist");
        }
    }

    @Nested
    class RemoveLines {

        @Test
        void removesTheWholeLineAndItsAmount() {
            orders.given(ID, placed(), line("apple", 3, 250), line("pear", 2, 100))
                    .when(new RemoveLine(ID, "apple"))
                    .expectEvents(new LineRemoved(ID, "apple"))
                    .expectState(order -> {
                        assertEquals(List.of(new OrderLine("pear", 2, 100)), order.lines());
                        assertEquals(200, order.totalCents());
                    });
        }

        @Test
        void aProductNotOnTheOrderIsRefusedNamingTheLinesThereAre() {
            expectRejected(orders.given(ID, placed(), line("apple", 1, 250), line("pear", 1, 100)).when(new RemoveLine(ID, "plum")),
                    OrderRule.NO_SUCH_LINE, 3, "has no line for 'plum'; expected one of [apple, pear]");
        }

        @Test
        void noRemovalAfterConfirmationOrCancellation() {
            expectRejected(orders.given(ID, placed(), line("apple", 1, 250), new OrderConfirmed(ID)).when(new RemoveLine(ID, "apple")),
                    OrderRule.ORDER_NOT_OPEN, 3, "it is confirmed");
            expectRejected(orders.given(ID, placed(), line("apple", 1, 250), new OrderCancelled(ID)).when(new RemoveLine(ID, "apple")),
                    OrderRule.ORDER_NOT_OPEN, 3, "it is cancelled");
        }
    }

    @Nested
    class Confirm {

        @Test
        void confirmsAnOrderWithLines() {
            orders.given(ID, placed(), line("apple", 1, 250))
                    .when(new ConfirmOrder(ID))
                    .expectEvents(new OrderConfirmed(ID))
                    .expectState(order -> {
                        assertEquals(OrderStatus.CONFIRMED, order.status());
                        assertEquals(250, order.totalCents());
                    });
        }

        @Test
        void anEmptyOrderCannotBeConfirmed() {
            expectRejected(orders.given(ID, placed()).when(new ConfirmOrder(ID)),
                    OrderRule.EMPTY_ORDER, 1, "expected at least one line but it has none; add a line first");
        }

        @Test
        void anOrderWhoseLinesWereAllRemovedIsEmpty() {
            expectRejected(orders.given(ID, placed(), line("apple", 1, 250), new LineRemoved(ID, "apple")).when(new ConfirmOrder(ID)),
                    OrderRule.EMPTY_ORDER, 3, "has none");
        }

        @Test
        void anOrderIsConfirmedOnce() {
            expectRejected(orders.given(ID, placed(), line("apple", 1, 250), new OrderConfirmed(ID)).when(new ConfirmOrder(ID)),
                    OrderRule.ALREADY_CONFIRMED, 3, "is already confirmed");
        }

        @Test
        void aCancelledOrderCannotBeConfirmed() {
            expectRejected(orders.given(ID, placed(), line("apple", 1, 250), new OrderCancelled(ID)).when(new ConfirmOrder(ID)),
                    OrderRule.ORDER_CANCELLED, 3, "it is cancelled; place a new order");
        }

        @Test
        void anOrderThatWasNeverPlacedIsNotFound() {
            orders.givenNothing().when(new ConfirmOrder(ID)).expectException(AggregateNotFoundException.class);
        }
    }

    @Nested
    class Cancel {

        @Test
        void cancelsAnOpenOrder() {
            orders.given(ID, placed(), line("apple", 1, 250))
                    .when(new CancelOrder(ID))
                    .expectEvents(new OrderCancelled(ID))
                    .expectState(order -> assertEquals(OrderStatus.CANCELLED, order.status()));
        }

        @Test
        void cancelsAConfirmedOrder() {
            orders.given(ID, placed(), line("apple", 1, 250), new OrderConfirmed(ID))
                    .when(new CancelOrder(ID))
                    .expectEvents(new OrderCancelled(ID))
                    .expectState(order -> {
                        assertEquals(OrderStatus.CANCELLED, order.status());
                        assertEquals(List.of(new OrderLine("apple", 1, 250)), order.lines());
                    });
        }

        @Test
        void anOrderIsCancelledOnce() {
            expectRejected(orders.given(ID, placed(), new OrderCancelled(ID)).when(new CancelOrder(ID)),
                    OrderRule.ALREADY_CANCELLED, 2, "is already cancelled");
        }

        @Test
        void anOrderThatWasNeverPlacedIsNotFound() {
            orders.givenNothing().when(new CancelOrder(ID)).expectException(AggregateNotFoundException.class);
        }
    }

    @Test
    void rulesAboutValuesAreToldApartFromRulesAboutState() {
        assertTrue(OrderRule.QUANTITY_OUT_OF_RANGE.aboutInput());
        assertTrue(OrderRule.UNIT_PRICE_OUT_OF_RANGE.aboutInput());
        for (OrderRule rule : OrderRule.values()) {
            if (rule != OrderRule.QUANTITY_OUT_OF_RANGE && rule != OrderRule.UNIT_PRICE_OUT_OF_RANGE) {
                assertTrue(!rule.aboutInput(), rule + " is about the order's state");
            }
        }
    }

    @Test
    void aFreshOrderHasNoState() {
        Order order = new Order();
        assertNull(order.state());
        assertNull(order.status());
        assertEquals(List.of(), order.lines());
        assertEquals(0, order.totalCents());
    }
}
