package io.nexus.docs;

import io.nexus.core.command.CommandMetadata;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.policy.PolicyActions;
import io.nexus.core.policy.PolicyDecision;
import io.nexus.core.policy.PolicyEngine;
import io.nexus.core.policy.PolicyRequest;
import io.nexus.core.policy.PolicyRule;
import io.nexus.core.policy.Policies;
import io.nexus.core.schema.InMemorySchemaRegistry;
import io.nexus.core.schema.SchemaRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The code of docs/governance.md's built-in rules, each rule denying by its name. */
class GovernanceDocTest {

    private static PolicyRequest append(String aggregateType, String eventType, String json, String tenant) {
        return PolicyRequest.append(aggregateType, "a-1", List.of(NewEvent.of(eventType, 1, EventPayload.ofJson(json))),
                CommandMetadata.create().principal(Map.of("sub", "ada", "tenant", tenant)));
    }

    @Test
    void theBuiltInRulesAndYoursDenyByName() {
        SchemaRegistry registry = InMemorySchemaRegistry.create();
        registry.register("OrderPlaced", "{\"type\": \"object\"}");
        registry.register("LineAdded", "{\"type\": \"object\"}");
        // tag::built-in[]
        PolicyEngine policy = Policies.builtIn()
                .appendOnly()                                       // append-only
                .schemaRequired(registry)                           // schema-required
                .eventOwner("Order", "OrderPlaced", "LineAdded")     // event-ownership
                .payloadLimit(64 * 1024).payloadLimit("Attachment", 1 << 20)   // payload-limit
                .personalData(Set.of("email", "phone"), Set.of("CustomerRegistered"))  // personal-data
                .and(PolicyRule.of("tenant-isolation", request -> "acme".equals(request.tenant())   // your rules, in Java
                        ? PolicyDecision.allow() : PolicyDecision.deny("tenant '" + request.tenant() + "' may not write here")));
        // end::built-in[]

        assertTrue(policy.evaluate(append("Order", "OrderPlaced", "{}", "acme")).allowed());
        assertEquals("append-only", policy.evaluate(PolicyRequest.builder(PolicyActions.HISTORY_DELETE)
                .aggregate("Order", "order-1").build()).rule());
        assertEquals("schema-required", policy.evaluate(append("Order", "OrderShipped", "{}", "acme")).rule());
        assertEquals("event-ownership", policy.evaluate(append("Payment", "OrderPlaced", "{}", "acme")).rule());
        assertEquals("personal-data", policy.evaluate(append("Order", "OrderPlaced", "{\"email\":\"a@b\"}", "acme")).rule());
        assertEquals("tenant-isolation", policy.evaluate(append("Order", "OrderPlaced", "{}", "globex")).rule());
    }
}
