package io.nexus.testkit.governance;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import io.nexus.testkit.governance.bad.BadAggregate;
import io.nexus.testkit.governance.bad.BadEvent;
import io.nexus.testkit.governance.bad.BlockingConsumer;
import io.nexus.testkit.governance.bad.ctxa.Invoice;
import io.nexus.testkit.governance.bad.ctxa.InvoiceIssued;
import io.nexus.testkit.governance.bad.ctxb.Reminder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each rule fails on a small bad class, naming the class, the rule and the fix. */
class GovernanceRulesTest {

    private static final JavaClasses BAD = new ClassFileImporter().importClasses(BadAggregate.class, BadEvent.class,
            BlockingConsumer.class, Invoice.class, InvoiceIssued.class, Reminder.class);

    @Test
    void aHandlerCallingABlockingHttpClientFails() {
        String report = failure(GovernanceRules.NO_SYNCHRONOUS_CLIENTS_IN_HANDLERS);
        assertNames(report, "no-synchronous-clients-in-handlers", BlockingConsumer.class.getName(), "java.net.http.HttpClient",
                "fix: have the handler emit an event or send a command");
    }

    @Test
    void anAggregateReadingTheStoreFails() {
        String report = failure(GovernanceRules.AGGREGATES_USE_NO_INFRASTRUCTURE);
        assertNames(report, "aggregates-use-no-infrastructure", BadAggregate.class.getName(), "EventStore", "fix: pass what it needs");
    }

    @Test
    void aMutableEventFails() {
        String report = failure(GovernanceRules.EVENTS_ARE_IMMUTABLE);
        assertNames(report, "events-are-immutable", "Event class " + BadEvent.class.getName() + " has the non-final field 'note'",
                "has the setter 'setNote'", "fix: make the event a record");
        assertFalse(report.contains("InvoiceIssued"), "a record passes");
    }

    @Test
    void aContextReachingIntoAnotherFails() {
        String report = failure(GovernanceRules.boundedContextsShareOnlyEventTypes("io.nexus.testkit.governance.bad.ctxa",
                "io.nexus.testkit.governance.bad.ctxb"));
        assertNames(report, "bounded-contexts-share-only-event-types", "Class " + Reminder.class.getName(), Invoice.class.getName()
                + " of context io.nexus.testkit.governance.bad.ctxa, which is not a published event type", "fix: react to the other context's events");
        assertFalse(report.contains("depends on " + InvoiceIssued.class.getName()), "the event type may be shared:\n" + report);
        assertThrows(IllegalArgumentException.class, () -> GovernanceRules.boundedContextsShareOnlyEventTypes("only.one"));
    }

    @Test
    void goodClassesPass() {
        JavaClasses good = new ClassFileImporter().importClasses(InvoiceIssued.class, Invoice.class);
        for (ArchRule rule : GovernanceRules.all()) {
            assertFalse(rule.evaluate(good).hasViolation(), rule.getDescription());
        }
        assertEquals(3, GovernanceRules.all().size());
    }

    private static String failure(ArchRule rule) {
        EvaluationResult result = rule.evaluate(BAD);
        assertTrue(result.hasViolation(), rule.getDescription() + " should fail");
        AssertionError error = assertThrows(AssertionError.class, () -> rule.check(BAD));
        return error.getMessage();
    }

    private static void assertNames(String report, String... parts) {
        for (String part : List.of(parts)) {
            assertTrue(report.contains(part), "'" + part + "' missing from:\n" + report);
        }
    }
}
