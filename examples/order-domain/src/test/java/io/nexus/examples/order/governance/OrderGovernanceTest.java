package io.nexus.examples.order.governance;

import io.nexus.core.Nexus;
import io.nexus.core.command.CommandMetadata;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.policy.PolicyActions;
import io.nexus.core.policy.PolicyDecision;
import io.nexus.core.policy.PolicyDecisionPoint;
import io.nexus.core.policy.PolicyDeniedException;
import io.nexus.core.policy.PolicyRequest;
import io.nexus.core.schema.CompatibilityMode;
import io.nexus.core.temporal.AuditRecord;
import io.nexus.examples.order.fulfilment.FulfilmentModule;
import io.nexus.testkit.governance.SchemaCheck;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example app's build runs the schema check, and the app runs with its rules on. (The architecture rules are
 * {@link ArchitectureTest}; each rule failing on a small bad class is {@code GovernanceRulesTest} in the test kit.)
 */
class OrderGovernanceTest {

    // tag::schema-check[]
    @Test
    void everyEventTypeHasACompatibleSchema() {
        SchemaCheck.of(FulfilmentModule.eventTypes()).schemas(FulfilmentModule::schemaResource)
                .modes(FulfilmentModule.compatibility()).assertValid();
    }
    // end::schema-check[]

    @Test
    void theSchemaCheckJudgesUnderTheSubjectsModeAsTheAppsRegistry() {
        assertEquals(CompatibilityMode.FULL, FulfilmentModule.compatibility().get("OrderPlaced"));
        assertEquals(CompatibilityMode.FULL, FulfilmentModule.schemaRegistry().compatibility("OrderPlaced"));
        assertEquals(CompatibilityMode.BACKWARD, FulfilmentModule.schemaRegistry().compatibility("PaymentCharged"));
    }

    private static PolicyRequest append(String aggregateType, String eventType, String json) {
        return PolicyRequest.append(aggregateType, "x-1", List.of(NewEvent.of(eventType, 1, EventPayload.ofJson(json))),
                CommandMetadata.create().principal(Map.of("role", "customer", "customerId", "c-1")));
    }

    @Test
    void theAppRunsWithItsRulesOn() {
        try (Nexus nexus = Nexus.builder().module(new FulfilmentModule()).build()) {
            PolicyDeniedException unregistered = assertThrows(PolicyDeniedException.class,
                    () -> PolicyDecisionPoint.enforce(nexus.policy(), append("Order", "OrderArchived", "{}")));
            assertEquals("schema-required", unregistered.rule());
            assertTrue(unregistered.reasons().get(0).contains("'OrderArchived' v1 is not registered"), unregistered.getMessage());

            PolicyDeniedException owner = assertThrows(PolicyDeniedException.class,
                    () -> PolicyDecisionPoint.enforce(nexus.policy(), append("Payment", "OrderPlaced", "{\"customerId\":\"c-1\"}")));
            assertEquals("event-ownership", owner.rule());

            PolicyDecision big = nexus.policy().evaluate(append("Order", "OrderPlaced",
                    "{\"orderId\":\"o-1\",\"customerId\":\"" + "c".repeat(2000) + "\"}"));
            assertEquals("payload-limit", big.rule());

            PolicyDecision contact = nexus.policy().evaluate(append("Order", "OrderPlaced", "{\"customer\":{\"email\":\"a@b\"}}"));
            assertEquals("personal-data", contact.rule());

            PolicyDecision delete = nexus.policy().evaluate(PolicyRequest.builder(PolicyActions.HISTORY_DELETE)
                    .aggregate("Order", "order-1").build());
            assertFalse(delete.allowed());
            AuditRecord audited = nexus.auditLog().recent(1).get(0);
            assertEquals("append-only", audited.rule());
            assertEquals(AuditRecord.Outcome.DENIED, audited.outcome());

            assertTrue(nexus.policy().evaluate(append("Order", "OrderPlaced", "{\"orderId\":\"o-1\",\"customerId\":\"c-1\"}")).allowed());
        }
    }
}
