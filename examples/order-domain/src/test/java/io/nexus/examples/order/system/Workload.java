package io.nexus.examples.order.system;

import io.nexus.examples.order.domain.AddLine;
import io.nexus.examples.order.domain.CancelOrder;
import io.nexus.examples.order.domain.ConfirmOrder;
import io.nexus.examples.order.domain.OrderStatus;
import io.nexus.examples.order.domain.PlaceOrder;
import io.nexus.examples.order.domain.RemoveLine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The commands of the whole-system test, the same in every JVM: a fixed, seeded script of orders and their
 * commands, interleaved across orders, each command with a stable index and command id, and the state
 * every order must end in when each command was applied exactly once (computed from the script alone,
 * never from the system under test).
 *
 * <p>The script: {@value #BIG_ORDERS} big orders toggle one product on and off past the snapshot
 * threshold; the others take a few lines, sometimes lose one, and end confirmed (the fulfilment saga
 * then ships them, or compensates them when the payment provider declines), cancelled, or left open.
 * One order takes the poison line {@value #POISON_SKU} as its second line, early in the script, with more
 * commands of that order after it.
 */
final class Workload {

    /** The product a projection refuses until the fix is deployed. */
    static final String POISON_SKU = "POISON-1";
    static final int BIG_ORDERS = 3;
    private static final int BIG_ORDER_TOGGLES = 30;

    /** One command of the script. */
    record Step(int index, String orderId, Object command, UUID commandId) {
    }

    /** What an order must look like at the end. */
    record ExpectedOrder(String orderId, String customerId, OrderStatus status, Map<String, Line> lines, boolean confirmed) {
        long totalCents() {
            return lines.values().stream().mapToLong(l -> (long) l.quantity() * l.unitPriceCents()).sum();
        }
    }

    /** One line of an expected order. */
    record Line(int quantity, long unitPriceCents) {
    }

    private final List<Step> steps;
    private final Map<String, ExpectedOrder> expected;
    private final String poisonOrderId;

    private Workload(List<Step> steps, Map<String, ExpectedOrder> expected, String poisonOrderId) {
        this.steps = steps;
        this.expected = expected;
        this.poisonOrderId = poisonOrderId;
    }

    /** The script of {@code orders} orders (about 13.5 commands per order), the same for the same arguments. */
    static Workload generate(int orders, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<List<Object>> perOrder = new ArrayList<>();
        Map<String, ExpectedOrder> expected = new LinkedHashMap<>();
        String poison = null;
        for (int n = 0; n < orders; n++) {
            String orderId = "order-" + n;
            String customer = "customer-" + (n % 17);
            List<Object> commands = new ArrayList<>();
            Map<String, Line> lines = new LinkedHashMap<>();
            commands.add(new PlaceOrder(orderId, customer));
            OrderStatus status = OrderStatus.OPEN;
            boolean confirmed = false;
            if (n < BIG_ORDERS) {
                for (int t = 0; t < BIG_ORDER_TOGGLES; t++) {
                    commands.add(new AddLine(orderId, "toggle-" + n, 1 + t % 3, 250));
                    commands.add(new RemoveLine(orderId, "toggle-" + n));
                }
                commands.add(new AddLine(orderId, "keeper-" + n, 2, 990));
                lines.put("keeper-" + n, new Line(2, 990));
            } else {
                int lineCount = 5 + random.nextInt(6);
                for (int i = 0; i < lineCount; i++) {
                    String sku = "sku-" + random.nextInt(40);
                    Line existing = lines.get(sku);
                    long price = existing != null ? existing.unitPriceCents() : 100 + 25L * random.nextInt(200);
                    int quantity = 1 + random.nextInt(5);
                    commands.add(new AddLine(orderId, sku, quantity, price));
                    lines.put(sku, new Line(existing == null ? quantity : existing.quantity() + quantity, price));
                    if (poison == null && n == BIG_ORDERS + 2 && i == 0) {
                        poison = orderId;
                        commands.add(new AddLine(orderId, POISON_SKU, 1, 4200));
                        lines.put(POISON_SKU, new Line(1, 4200));
                    }
                }
                if (random.nextInt(4) == 0) {
                    String sku = new ArrayList<>(lines.keySet()).get(random.nextInt(lines.size()));
                    if (!sku.equals(POISON_SKU)) {
                        commands.add(new RemoveLine(orderId, sku));
                        lines.remove(sku);
                    }
                }
                int end = random.nextInt(20);
                if (end < 12) {
                    commands.add(new ConfirmOrder(orderId));
                    confirmed = true;
                    status = declines(orderId) ? OrderStatus.CANCELLED : OrderStatus.CONFIRMED;
                } else if (end < 15) {
                    commands.add(new CancelOrder(orderId));
                    status = OrderStatus.CANCELLED;
                }
            }
            perOrder.add(commands);
            expected.put(orderId, new ExpectedOrder(orderId, customer, status, Collections.unmodifiableMap(lines), confirmed));
        }
        // Round-robin across orders, so that every phase of the test holds part of many orders.
        List<Step> steps = new ArrayList<>();
        int[] next = new int[orders];
        boolean more = true;
        while (more) {
            more = false;
            for (int n = 0; n < orders; n++) {
                List<Object> commands = perOrder.get(n);
                if (next[n] < commands.size()) {
                    int index = steps.size();
                    Object command = commands.get(next[n]++);
                    UUID commandId = UUID.nameUUIDFromBytes(("whole-system/" + seed + "/" + index).getBytes(StandardCharsets.UTF_8));
                    steps.add(new Step(index, "order-" + n, command, commandId));
                    more = true;
                }
            }
        }
        return new Workload(List.copyOf(steps), Collections.unmodifiableMap(expected), poison);
    }

    /** Whether the payment provider declines the payment of {@code orderId} (a fixed rule both sides know). */
    static boolean declines(String orderId) {
        return Integer.parseInt(orderId.substring(orderId.lastIndexOf('-') + 1)) % 4 == 1;
    }

    List<Step> steps() {
        return steps;
    }

    int size() {
        return steps.size();
    }

    Map<String, ExpectedOrder> expected() {
        return expected;
    }

    String poisonOrderId() {
        return poisonOrderId;
    }
}
