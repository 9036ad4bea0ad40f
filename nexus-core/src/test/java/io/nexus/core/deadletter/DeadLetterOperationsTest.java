package io.nexus.core.deadletter;

import io.nexus.core.Awaiting;
import io.nexus.core.LogCapture;
import io.nexus.core.Nexus;
import io.nexus.core.bus.BusPath;
import io.nexus.core.bus.InMemoryEventBus;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.policy.Policies;
import io.nexus.core.policy.PolicyActions;
import io.nexus.core.policy.PolicyDecision;
import io.nexus.core.policy.PolicyDeniedException;
import io.nexus.core.policy.PolicyRule;
import io.nexus.core.projection.Projection;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.temporal.AuditRecord;
import io.nexus.core.temporal.InMemoryAuditLog;
import io.nexus.core.testdomain.Account;
import io.nexus.core.testdomain.Accounts;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One operator API over the dead letters of projections and of bus consumer groups, governed and audited alike. */
class DeadLetterOperationsTest {

    private static final Map<String, String> OPERATOR = Map.of("sub", "olga", "role", "operator");
    private static final Map<String, String> INTERN = Map.of("sub", "ian", "role", "intern");

    /** Only operators may retry or discard dead letters. */
    private static final PolicyRule OPERATORS_ONLY = PolicyRule.of("operators-only", request ->
            (request.action().equals(PolicyActions.DEAD_LETTER_RETRY) || request.action().equals(PolicyActions.DEAD_LETTER_DISCARD))
                    && !"operator".equals(request.principal().get("role"))
                    ? PolicyDecision.deny("only operators act on dead letters; ask one") : PolicyDecision.allow());

    private volatile boolean fixed;
    private final List<String> balances = new CopyOnWriteArrayList<>();
    private final List<String> billed = new CopyOnWriteArrayList<>();

    /** Fails on the deposit of 13 (acc-1 version 2) until fixed. */
    private void handle(List<String> seen, EventEnvelope envelope) {
        if (envelope.idempotencyKey().equals("acc-1@2") && !fixed) {
            throw new IllegalStateException("unlucky amount");
        }
        seen.add(envelope.idempotencyKey());
    }

    @Test
    void projectionsAndConsumerGroupsAreListedRetriedAndDiscardedThroughOneGovernedApi() throws Exception {
        InMemoryAuditLog audit = new InMemoryAuditLog();
        Projection projection = new Projection() {
            @Override
            public String name() {
                return "balances";
            }

            @Override
            public Set<String> eventTypes() {
                return Set.of("AccountOpened", "Deposited");
            }

            @Override
            public void handle(Object event, EventEnvelope envelope) {
                DeadLetterOperationsTest.this.handle(balances, envelope);
            }
        };
        try (LogCapture logs = LogCapture.start();
             Nexus nexus = Accounts.nexus().auditLog(audit)
                     .policy(Policies.builtIn().appendOnly().and(OPERATORS_ONLY))
                     .auditAllowedDecisions(PolicyActions.DEAD_LETTER_RETRY, PolicyActions.DEAD_LETTER_DISCARD)
                     .projection(projection, options -> options.retry(RetryPolicy.attempts(1)))
                     .eventBus(context -> InMemoryEventBus.builder().deadLetters(context.deadLetters()).checkpoints(context.checkpoints())
                                     .consumerRetry(RetryPolicy.attempts(1)).build(),
                             consumers -> consumers.consumer("billing", BusPath.PRIMARY,
                                     envelope -> handle(billed, envelope)))
                     .build()) {
            nexus.start();
            DeadLetterOperations operations = nexus.deadLetterOperations();
            assertEquals(List.of(new DeadLetterOwner(DeadLetterOwner.Kind.PROJECTION, "balances", "balances"),
                    new DeadLetterOwner(DeadLetterOwner.Kind.BUS_CONSUMER_GROUP, "billing", "billing/primary")), operations.owners());

            nexus.commands().send(new Account.Open("acc-1", "ada"));
            nexus.commands().send(new Account.Deposit("acc-1", 13));
            nexus.commands().send(new Account.Deposit("acc-1", 5));
            Awaiting.until("both consumers dead-letter the deposit of 13 and park the one after it", () -> {
                Map<DeadLetterOwner, List<DeadLetter>> all = operations.list();
                return all.values().stream().allMatch(letters -> letters.size() == 1)
                        && all.values().stream().allMatch(letters -> operations.parked(letters.get(0).id()).size() == 1);
            });
            Map<DeadLetterOwner, List<DeadLetter>> all = operations.list();
            UUID projectionLetter = all.get(operations.owners().get(0)).get(0).id();
            UUID busLetter = all.get(operations.owners().get(1)).get(0).id();
            assertEquals("acc-1@2", operations.find(busLetter).orElseThrow().event().idempotencyKey());
            assertEquals("billing/primary", operations.ownerOf(busLetter).consumer());
            assertEquals(List.of("acc-1@3"), operations.parked(busLetter).stream().map(EventEnvelope::idempotencyKey).toList());
            assertEquals(List.of("acc-1@3"), operations.parked(projectionLetter).stream().map(EventEnvelope::idempotencyKey).toList());

            PolicyDeniedException denied = assertThrows(PolicyDeniedException.class, () -> operations.retry(busLetter, INTERN));
            assertEquals("operators-only", denied.rule());
            AuditRecord refused = audit.recent(1).get(0);
            assertEquals(AuditRecord.Outcome.DENIED, refused.outcome());
            assertEquals(PolicyActions.DEAD_LETTER_RETRY, refused.action());
            assertEquals(INTERN, refused.principal());
            assertTrue(refused.target().contains("group=billing") && refused.target().contains("deadLetterId=" + busLetter), refused.target());
            assertThrows(PolicyDeniedException.class, () -> operations.discard(projectionLetter, INTERN));
            assertEquals(PolicyActions.DEAD_LETTER_DISCARD, audit.recent(1).get(0).action());
            assertTrue(operations.find(busLetter).isPresent() && operations.find(projectionLetter).isPresent(), "nothing changed");
            assertEquals(List.of("acc-1@1"), billed);

            fixed = true;
            // tag::operations[]
            DeadLetterOperations deadLetters = nexus.deadLetterOperations();
            List<EventEnvelope> heldBack = new java.util.ArrayList<>();
            for (Map.Entry<DeadLetterOwner, List<DeadLetter>> owner : deadLetters.list().entrySet()) {
                for (DeadLetter letter : owner.getValue()) {
                    heldBack.addAll(deadLetters.parked(letter.id()));               // events parked behind it
                    if (owner.getKey().kind() == DeadLetterOwner.Kind.BUS_CONSUMER_GROUP) {
                        deadLetters.retry(letter.id(), OPERATOR);                    // asked of the policy, audited
                    }
                }
            }
            // end::operations[]
            assertEquals(2, heldBack.size(), "one event parked behind each letter");
            assertFalse(operations.find(busLetter).isPresent(), "retried");
            assertEquals(List.of("acc-1@1", "acc-1@2", "acc-1@3"), billed, "the letter, then what it parked, in order");
            AuditRecord retried = audit.recent(1).get(0);
            assertEquals(AuditRecord.Outcome.ALLOWED, retried.outcome(), "operator actions are recorded when allowed too");
            assertEquals(PolicyActions.DEAD_LETTER_RETRY, retried.action());
            assertEquals(OPERATOR, retried.principal());

            operations.discard(projectionLetter, OPERATOR);
            assertEquals(List.of("acc-1@1", "acc-1@3"), balances, "discarded, then what it parked");
            assertEquals(PolicyActions.DEAD_LETTER_DISCARD, audit.recent(1).get(0).action());
            assertEquals(AuditRecord.Outcome.ALLOWED, audit.recent(1).get(0).outcome());
            assertTrue(operations.list().values().stream().allMatch(List::isEmpty));

            DeadLetterNotFoundException gone = assertThrows(DeadLetterNotFoundException.class, () -> operations.retry(busLetter, OPERATOR));
            assertTrue(gone.getMessage().contains("projections and consumer groups"), gone.getMessage());
            assertTrue(logs.text().contains("Projection 'balances' dead-lettered 'Deposited'"), logs.text());
        }
    }

}
