package io.nexus.testkit.governance;

import io.nexus.core.schema.CompatibilityMode;
import io.nexus.core.serialization.EventTypes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchemaCheckTest {

    record Shipped(String id, String carrier) { }

    record Billed(String id) { }

    record Refunded(String id) { }

    private static SchemaCheck check(EventTypes types) {
        return SchemaCheck.of(types).schemas((type, version) -> "governance/" + type + "-v" + version + ".json");
    }

    @Test
    void aBreakingChangeAndAMissingSchemaAreListed() {
        EventTypes types = EventTypes.builder().register(Shipped.class, "Shipped", 2).register(Billed.class, "Billed", 1)
                .register(Refunded.class, "Refunded", 1).build();
        AssertionError error = assertThrows(AssertionError.class, () -> check(types).assertValid());
        String report = error.getMessage();
        assertTrue(report.startsWith("2 schema problem(s) in 3 event types"), report);
        assertTrue(report.contains("Event type 'Refunded' v1 has no schema: resource 'governance/Refunded-v1.json' is not on the classpath"), report);
        assertTrue(report.contains("Event type 'Shipped' v2 (governance/Shipped-v2.json) is not BACKWARD compatible:"), report);
        assertTrue(report.contains("backward vs v1"), report);
    }

    @Test
    void theSubjectsModeDecides() {
        EventTypes types = EventTypes.builder().register(Shipped.class, "Shipped", 2).build();
        assertEquals(List.of(), check(types).mode("Shipped", CompatibilityMode.FORWARD).problems(),
                "adding a required field is a forward-compatible change");
        assertEquals(1, check(types).problems().size());
        assertEquals(List.of(), check(types).modes(java.util.Map.of("Shipped", CompatibilityMode.FORWARD)).problems(),
                "the application's map of modes, as its registry is configured");
    }
}
