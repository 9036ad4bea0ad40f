package io.nexus.examples.order.domain;

/**
 * The business rule an {@link OrderRejectedException} reports. A rule is either about the values in
 * the command ({@link #aboutInput()}: the same command fails on any order) or about the order's
 * current state (it might have succeeded on another order, or earlier).
 */
@io.nexus.core.policy.Published("tells a caller which order rule refused its command")
public enum OrderRule {
    /** A line's quantity must be 1..{@value OrderRules#MAX_QUANTITY}, also after adding to an existing line. */
    QUANTITY_OUT_OF_RANGE(true),
    /** A unit price must be 0..{@value OrderRules#MAX_UNIT_PRICE_CENTS} cents. */
    UNIT_PRICE_OUT_OF_RANGE(true),
    /** Lines change only while the order is open. */
    ORDER_NOT_OPEN(false),
    /** A product already on the order is added again only at the same unit price. */
    PRICE_MISMATCH(false),
    /** At most {@value OrderRules#MAX_LINES} distinct products per order. */
    TOO_MANY_LINES(false),
    /** Only a product on the order can be removed. */
    NO_SUCH_LINE(false),
    /** An order without lines cannot be confirmed. */
    EMPTY_ORDER(false),
    /** An order is confirmed once. */
    ALREADY_CONFIRMED(false),
    /** A cancelled order cannot be confirmed. */
    ORDER_CANCELLED(false),
    /** An order is cancelled once. */
    ALREADY_CANCELLED(false);

    private final boolean aboutInput;

    OrderRule(boolean aboutInput) {
        this.aboutInput = aboutInput;
    }

    /** Whether the rule judges the command's values rather than the order's state. */
    public boolean aboutInput() {
        return aboutInput;
    }
}
