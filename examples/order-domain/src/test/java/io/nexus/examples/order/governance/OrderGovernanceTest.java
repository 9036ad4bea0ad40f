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
import io.nexus.examples.order.OrderModule;
import io.nexus.examples.order.fulfilment.FulfilmentModule;
import io.nexus.testkit.governance.SchemaCheck;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The example app's schemas pass the build-time schema check and it runs with its policies on; {@link ArchitectureTest} runs the architecture rules. */
class OrderGovernanceTest {

    @Test
    void everyEventTypeHasACompatibleSchema() {
        List<String> orderTypes = OrderModule.eventTypes().all().stream().map(t -> t.name()).toList();
        // tag::schema-check[]
        SchemaCheck.of(FulfilmentModule.eventTypes())
                .schemas((type, version) -> orderTypes.contains(type) ? OrderModule.schemaResource(type, version)
                        : "io/nexus/examples/order/fulfilment/schemas/" + type + "-v" + version + ".json")
                .mode("OrderPlaced", CompatibilityMode.FULL)   // BACKWARD unless set
                .assertValid();
        // end::schema-check[]
    }

    @Test
    void theAppRunsWithItsRulesOn() {
        try (Nexus nexus = Nexus.builder().module(new FulfilmentModule()).build()) {
            PolicyRequest paymentWritingAnOrderEvent = PolicyRequest.append("Payment", "payment-1",
                    List.of(NewEvent.of("OrderPlaced", 1, EventPayload.ofJson("{\"customerId\":\"c-1\"}"))), CommandMetadata.create());
            PolicyDeniedException owner = assertThrows(PolicyDeniedException.class,
                    () -> PolicyDecisionPoint.enforce(nexus.policy(), paymentWritingAnOrderEvent));
            assertEquals("event-ownership", owner.rule());

            PolicyDecision contact = nexus.policy().evaluate(PolicyRequest.append("Order", "order-1",
                    List.of(NewEvent.of("OrderPlaced", 1, EventPayload.ofJson("{\"customer\":{\"email\":\"a@b\"}}"))), CommandMetadata.create()));
            assertEquals("personal-data", contact.rule());

            PolicyDecision delete = nexus.policy().evaluate(PolicyRequest.builder(PolicyActions.HISTORY_DELETE)
                    .aggregate("Order", "order-1").build());
            assertFalse(delete.allowed());
            AuditRecord audited = nexus.auditLog().recent(1).get(0);
            assertEquals("append-only", audited.rule());
        }
    }
}
