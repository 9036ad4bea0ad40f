package io.nexus.examples.order.system;

import io.nexus.core.Nexus;
import io.nexus.core.command.CommandMetadata;
import io.nexus.examples.order.OrderModule;
import io.nexus.examples.order.domain.AddLine;
import io.nexus.examples.order.domain.OrderStatus;
import io.nexus.examples.order.fulfilment.FulfilmentModule;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The yardsticks of {@link WholeSystemTest}, on the embedded engines: the script is the same in every JVM,
 * its expected outcome is what applying it gives, and the replay comparison catches a command applied
 * twice and a re-send that is not recognised.
 */
class WorkloadAndReplayTest {

    @Test
    void theScriptIsTheSameInEveryJvm() {
        Workload one = Workload.generate(40, 7);
        Workload two = Workload.generate(40, 7);

        assertEquals(one.steps(), two.steps());
        assertEquals(one.expected(), two.expected());
        assertNotNull(one.poisonOrderId());
        assertEquals(555, Workload.generate(40, WholeSystemTest.SEED).size(), "steps of a 40-order script");
        assertEquals(2052, Workload.generate(200, WholeSystemTest.SEED).size(), "steps of the default script");
    }

    @Test
    void applyingTheScriptOnceGivesItsExpectedOrdersAndTwiceIsCaught() {
        Workload workload = Workload.generate(40, 7);
        try (Nexus nexus = Nexus.builder().module(new FulfilmentModule()).build()) {
            for (Workload.Step step : workload.steps()) {
                nexus.commands().send(step.command(), CommandMetadata.withCommandId(step.commandId()));
            }
            // A re-send with the same command id is recognised and changes nothing.
            Workload.Step someAddLine = workload.steps().stream().filter(s -> s.command() instanceof AddLine a
                    && !a.sku().equals(Workload.POISON_SKU) && isOpen(workload, s.orderId())).findFirst().orElseThrow();
            assertTrue(nexus.commands().send(someAddLine.command(), CommandMetadata.withCommandId(someAddLine.commandId())).alreadyApplied());

            LogReplay replay = LogReplay.of(nexus.eventStore(), nexus.codec(), OrderModule.definition().name());
            assertEquals(withoutSaga(workload), describe(replay));

            // The same command under a new id is a second application: the comparison sees it.
            nexus.commands().send(someAddLine.command(), CommandMetadata.withCommandId(UUID.randomUUID()));
            LogReplay twice = LogReplay.of(nexus.eventStore(), nexus.codec(), OrderModule.definition().name());
            assertNotEquals(withoutSaga(workload), describe(twice));
        }
    }

    private static boolean isOpen(Workload workload, String orderId) {
        return workload.expected().get(orderId).status() == OrderStatus.OPEN;
    }

    /** The expected orders when no saga runs: a confirmed order stays confirmed even where the payment would be declined. */
    private static Map<String, String> withoutSaga(Workload workload) {
        Map<String, String> orders = new TreeMap<>();
        for (Workload.ExpectedOrder order : workload.expected().values()) {
            OrderStatus status = order.confirmed() ? OrderStatus.CONFIRMED : order.status();
            Map<String, Integer> quantities = new TreeMap<>();
            order.lines().forEach((sku, line) -> quantities.put(sku, line.quantity()));
            orders.put(order.orderId(), status + " " + quantities + " " + order.totalCents());
        }
        return orders;
    }

    private static Map<String, String> describe(LogReplay replay) {
        Map<String, String> orders = new TreeMap<>();
        replay.orders().forEach((id, order) -> orders.put(id, order.status() + " " + new TreeMap<>(order.quantities()) + " "
                + order.totalCents()));
        return orders;
    }
}
