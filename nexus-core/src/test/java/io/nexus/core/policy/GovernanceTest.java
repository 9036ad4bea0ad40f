package io.nexus.core.policy;

import io.nexus.core.Nexus;
import io.nexus.core.command.CommandMetadata;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.projection.Projection;
import io.nexus.core.schema.CompatibilityMode;
import io.nexus.core.schema.InMemorySchemaRegistry;
import io.nexus.core.temporal.AuditRecord;
import io.nexus.core.temporal.InMemoryAuditLog;
import io.nexus.core.temporal.QueryContext;
import io.nexus.core.temporal.TemporalQueryService;
import io.nexus.core.testdomain.Account;
import io.nexus.core.testdomain.Accounts;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GovernanceTest {

    private static final String OPENED_V1 = "{\"type\":\"object\",\"properties\":{\"owner\":{\"type\":\"string\"}}}";
    private static final String DEPOSITED_V1 = "{\"type\":\"object\",\"properties\":{\"amount\":{\"type\":\"integer\"}}}";
    private static final Map<String, String> ADA = Map.of("sub", "ada", "tenant", "acme");

    private static PolicyRequest append(String aggregateType, String eventType, String json) {
        return PolicyRequest.append(aggregateType, "a-1", List.of(NewEvent.of(eventType, 1, EventPayload.ofJson(json))),
                CommandMetadata.create().principal(ADA).attributes(Map.of("channel", "web")));
    }

    @Test
    void theInputDocumentCarriesFactsButNoPayloadValues() {
        PolicyRequest request = append("Customer", "CustomerRegistered",
                "{\"name\":\"Ada Lovelace\",\"contact\":{\"email\":\"ada@example.org\"},\"tags\":[{\"k\":\"v\"}]}");
        assertEquals("acme", request.tenant(), "tenant comes from the principal");
        PolicyEvent event = request.events().get(0);
        assertEquals(Set.of("name", "contact", "contact.email", "tags", "tags.k"), event.fields());
        String json = PolicyDocuments.toJson(request);
        assertTrue(json.startsWith("{\"version\":1,\"action\":\"append\",\"principal\":{\"sub\":\"ada\",\"tenant\":\"acme\"},"
                + "\"tenant\":\"acme\",\"aggregate\":{\"type\":\"Customer\",\"id\":\"a-1\"},\"events\":[{\"type\":\"CustomerRegistered\","
                + "\"schemaVersion\":1,\"payloadSize\":" + event.payloadSize() + ",\"fields\":[\"contact\",\"contact.email\",\"name\",\"tags\",\"tags.k\"]}],"
                + "\"command\":{\"id\":\""), json);
        assertFalse(json.contains("ada@example.org") || json.contains("Lovelace"), "no payload value in " + json);
        assertTrue(json.endsWith("\"attributes\":{\"channel\":\"web\"}},\"attributes\":{}}"), json);
    }

    @Test
    void eachBuiltInRuleDeniesByNameWithWhatToDo() {
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.create();
        registry.register("AccountOpened", OPENED_V1);
        Policies policies = Policies.builtIn().appendOnly().schemaRequired(registry).eventOwner("Account", "AccountOpened")
                .payloadLimit(40).personalData(Set.of("email"), Set.of("CustomerRegistered"));
        assertEquals(List.of("append-only", "schema-required", "event-ownership", "payload-limit", "personal-data"), policies.ruleNames());

        PolicyDecision delete = policies.evaluate(PolicyRequest.builder(PolicyActions.HISTORY_DELETE).aggregate("Account", "a-1").build());
        assertDenied(delete, "append-only", "append a compensating event");

        assertDenied(policies.evaluate(append("Account", "Unknown", "{}")), "schema-required", "register its schema first");
        assertDenied(policies.evaluate(append("Payment", "AccountOpened", "{}")), "event-ownership",
                "belongs to aggregate type 'Account', but 'Payment' appends it");

        Policies withoutSchemas = Policies.builtIn().payloadLimit(40).payloadLimit("Big", 1000)
                .personalData(Set.of("email"), Set.of("CustomerRegistered"));
        assertDenied(withoutSchemas.evaluate(append("Account", "Note", "{\"text\":\"" + "x".repeat(50) + "\"}")), "payload-limit",
                "over its limit of 40 bytes");
        assertTrue(withoutSchemas.evaluate(append("Account", "Big", "{\"text\":\"" + "x".repeat(50) + "\"}")).allowed(),
                "a per-type limit wins over the default");
        assertDenied(withoutSchemas.evaluate(append("Order", "OrderPlaced", "{\"c\":{\"email\":\"x\"}}")), "personal-data",
                "carries personal data [c.email]");
        assertTrue(withoutSchemas.evaluate(append("Customer", "CustomerRegistered", "{\"email\":\"x\"}")).allowed());

        PolicyDecision allowed = policies.evaluate(append("Account", "AccountOpened", "{\"owner\":\"a\"}"));
        assertTrue(allowed.allowed(), allowed.toString());
    }

    @Test
    void userRulesComposeAfterTheBuiltInOnes() {
        PolicyRule tenants = PolicyRule.of("tenant-isolation", request -> "acme".equals(request.tenant())
                ? PolicyDecision.allow() : PolicyDecision.deny("tenant '" + request.tenant() + "' may not write here; use your own tenant"));
        Policies policies = Policies.builtIn().appendOnly().and(tenants);
        assertTrue(policies.evaluate(append("Account", "X", "{}")).allowed());
        PolicyRequest other = PolicyRequest.builder(PolicyActions.APPEND).principal(Map.of("tenant", "globex")).build();
        assertDenied(policies.evaluate(other), "tenant-isolation", "tenant 'globex' may not write here");
        assertThrows(IllegalArgumentException.class, () -> policies.and(tenants), "a rule name is used once");
    }

    @Test
    void aNexusWithASchemaRegistryRefusesUnregisteredEventTypesAndAuditsIt() {
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.create();
        registry.register("AccountOpened", OPENED_V1);
        InMemoryAuditLog audit = new InMemoryAuditLog();
        try (Nexus nexus = Accounts.nexus().schemaRegistry(registry).auditLog(audit).build()) {
            nexus.commands().send(new Account.Open("acc-1", "ada"));
            PolicyDeniedException denied = assertThrows(PolicyDeniedException.class,
                    () -> nexus.commands().send(new Account.Deposit("acc-1", 5), CommandMetadata.create().principal(ADA)));
            assertEquals("schema-required", denied.rule());
            assertTrue(denied.getMessage().contains("Event type 'Deposited' v1 is not registered"), denied.getMessage());
            assertEquals(1, nexus.eventStore().currentVersion("acc-1"), "nothing appended");

            AuditRecord record = audit.recent(1).get(0);
            assertEquals(AuditRecord.Outcome.DENIED, record.outcome());
            assertEquals("append", record.action());
            assertEquals("schema-required", record.rule());
            assertEquals(ADA, record.principal());
            assertEquals("acc-1", record.aggregateId());
            assertTrue(record.reasons().get(0).contains("'Deposited'"), record.reasons().toString());

            nexus.schemaRegistry().register("Deposited", DEPOSITED_V1);
            nexus.commands().send(new Account.Deposit("acc-1", 5));
            assertEquals(2, nexus.eventStore().currentVersion("acc-1"));
        }
    }

    @Test
    void unregisteredEventTypesPassWhenTheApplicationSaysSo() {
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.create();
        try (Nexus nexus = Accounts.nexus().schemaRegistry(registry).allowUnregisteredEventTypes().build()) {
            nexus.commands().send(new Account.Open("acc-1", "ada"));
            assertEquals(1, nexus.eventStore().currentVersion("acc-1"));
        }
    }

    @Test
    void everyPathThatChangesOrReadsHistoryAsksTheDecisionPoint() {
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.create();
        InMemoryAuditLog audit = new InMemoryAuditLog();
        PolicyRule readOnlyAuditor = PolicyRule.of("auditors-read-only", request -> "auditor".equals(request.principal().get("role"))
                && !PolicyActions.APPEND.equals(request.action()) ? PolicyDecision.deny("auditors may only append") : PolicyDecision.allow());
        Projection projection = new Projection() {
            @Override
            public String name() {
                return "balances";
            }

            @Override
            public Set<String> eventTypes() {
                return Set.of("Deposited");
            }

            @Override
            public void handle(Object event, io.nexus.core.event.EventEnvelope envelope) {
            }
        };
        try (Nexus nexus = Accounts.nexus().schemaRegistry(registry).allowUnregisteredEventTypes().auditLog(audit)
                .policy(Policies.builtIn().appendOnly().and(readOnlyAuditor)).auditAllowedDecisions()
                .projection(projection).build();
             TemporalQueryService temporal = TemporalQueryService.builder(nexus.eventStore()).policy(nexus.policy()).auditLog(audit).build()) {
            Map<String, String> auditor = Map.of("sub", "eve", "role", "auditor");
            nexus.commands().send(new Account.Open("acc-1", "ada"));
            assertEquals(AuditRecord.Outcome.ALLOWED, audit.recent(1).get(0).outcome(), "allowances are audited when asked");

            GovernedSchemaRegistry schemas = nexus.schemaRegistry().actingAs(auditor);
            assertDeniedAction(() -> schemas.register("Deposited", DEPOSITED_V1), audit, PolicyActions.SCHEMA_REGISTER);
            assertTrue(registry.subjects().isEmpty(), "nothing registered");
            assertDeniedAction(() -> schemas.setCompatibility("Deposited", CompatibilityMode.NONE), audit, PolicyActions.SCHEMA_MODE_CHANGE);
            assertDeniedAction(() -> temporal.atVersion(QueryContext.of("c", auditor), nexus.repository(Account.class), "acc-1", 1),
                    audit, PolicyActions.TEMPORAL_READ);
            assertDeniedAction(() -> nexus.projection("balances").retryDeadLetter(UUID.randomUUID(), auditor), audit,
                    PolicyActions.DEAD_LETTER_RETRY);
            assertDeniedAction(() -> nexus.projection("balances").discardDeadLetter(UUID.randomUUID(), auditor), audit,
                    PolicyActions.DEAD_LETTER_DISCARD);
            assertDeniedAction(() -> nexus.projection("balances").rebuild(projection, 0, auditor), audit, PolicyActions.PROJECTION_REBUILD);

            PolicyDeniedException delete = assertThrows(PolicyDeniedException.class, () -> PolicyDecisionPoint.enforce(nexus.policy(),
                    PolicyRequest.builder(PolicyActions.HISTORY_DELETE).aggregate("Account", "acc-1").build()));
            assertEquals("append-only", delete.rule());
            assertEquals("append-only", audit.recent(1).get(0).rule(), "the attempt is audited");
        }
    }

    @Test
    void anEngineThatFailsRefusesAndIsAudited() {
        InMemoryAuditLog audit = new InMemoryAuditLog();
        PolicyDecisionPoint point = PolicyDecisionPoint.builder(request -> {
            throw new IllegalStateException("rules unavailable");
        }).auditLog(audit).build();
        io.nexus.core.NexusException failed = assertThrows(io.nexus.core.NexusException.class,
                () -> PolicyDecisionPoint.enforce(point, append("Account", "X", "{}")));
        assertTrue(failed.isTransient());
        assertEquals(AuditRecord.Outcome.FAILED, audit.recent(1).get(0).outcome());
        assertEquals("policy-engine", audit.recent(1).get(0).rule());
    }

    @Test
    void aDecisionThatCannotBeAuditedIsNotActedOn() {
        PolicyDecisionPoint point = PolicyDecisionPoint.builder(request -> PolicyDecision.deny("no")).auditLog(new io.nexus.core.temporal.AuditLog() {
            @Override
            public void record(AuditRecord record) {
                throw new IllegalStateException("disk full");
            }

            @Override
            public List<AuditRecord> recent(int max) {
                return List.of();
            }
        }).build();
        io.nexus.core.NexusException e = assertThrows(io.nexus.core.NexusException.class, () -> point.evaluate(append("A", "X", "{}")));
        assertTrue(e.isTransient() && e.getMessage().contains("could not be recorded"), e.getMessage());
    }

    @Test
    void decisionDocumentsReadInEveryAcceptedForm() {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        assertTrue(PolicyDocuments.decisionFrom(json.valueToTree(List.of(Map.of("result", true))), "opa", "denied").allowed());
        assertDenied(PolicyDocuments.decisionFrom(json.valueToTree(List.of()), "opa", "denied"), "opa", "undefined");
        PolicyDecision d = PolicyDocuments.decisionFrom(json.valueToTree(Map.of("allow", false, "reasons", List.of("r1", "r2"), "rule", "x")), "opa", "d");
        assertEquals(new PolicyDecision(false, List.of("r1", "r2"), "x"), d);
        assertEquals("{\"allow\":false,\"reasons\":[\"r1\",\"r2\"],\"rule\":\"x\"}", PolicyDocuments.toJson(d));
        assertThrows(io.nexus.core.NexusException.class, () -> PolicyDocuments.decisionFrom(json.valueToTree(Map.of("ok", 1)), "opa", "d"));
    }

    private static void assertDeniedAction(org.junit.jupiter.api.function.Executable action, InMemoryAuditLog audit, String name) {
        PolicyDeniedException e = assertThrows(PolicyDeniedException.class, action, name);
        assertEquals("auditors-read-only", e.rule(), name);
        AuditRecord record = audit.recent(1).get(0);
        assertEquals(name, record.action());
        assertEquals(AuditRecord.Outcome.DENIED, record.outcome(), name);
    }

    private static void assertDenied(PolicyDecision decision, String rule, String reasonPart) {
        assertFalse(decision.allowed(), decision.toString());
        assertEquals(rule, decision.rule(), decision.toString());
        assertTrue(decision.reason().contains(reasonPart), "'" + decision.reason() + "' should contain '" + reasonPart + "'");
    }
}
