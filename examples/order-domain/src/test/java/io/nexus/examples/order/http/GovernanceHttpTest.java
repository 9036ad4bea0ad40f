package io.nexus.examples.order.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.nexus.core.bus.BusConsumer;
import io.nexus.core.event.EventEnvelope;
import io.nexus.examples.order.billing.Billing;
import io.nexus.examples.order.engines.EmbeddedEngines;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static io.nexus.examples.order.http.RunningApp.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The app's rules over real HTTP: a denial is a 403 naming the rule and its reasons, and operators act on every dead letter, audited. */
class GovernanceHttpTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** The newest audit record, as the operator endpoint shows it. */
    private static JsonNode lastAudit(RunningApp app) throws Exception {
        return expect(200, app.operator("GET", "/operator/audit?limit=1")).json().path("records").get(0);
    }

    @Test
    void aPolicyDenialIsA403WithTheRuleAndItsReasonsAndIsAudited() throws Exception {
        try (RunningApp app = RunningApp.embedded()) {
            expect(201, app.call("POST", "/orders", "{\"customerId\":\"c-1\",\"orderId\":\"o-1\"}"));

            RunningApp.Reply erase = app.call("DELETE", "/orders/o-1", null, "X-Customer-Id", "c-1");
            assertEquals(403, erase.status(), erase.raw().body());
            assertEquals("forbidden", erase.error());
            assertEquals("append-only", erase.json().path("rule").asText());
            assertTrue(erase.json().path("reasons").get(0).asText().contains("append a compensating event"), erase.raw().body());
            JsonNode audited = lastAudit(app);
            assertEquals("DENIED", audited.path("outcome").asText());
            assertEquals("history-delete", audited.path("action").asText());
            assertEquals("append-only", audited.path("rule").asText());
            assertEquals("c-1", audited.path("principal").path("customerId").asText());
            assertEquals(1, expect(200, app.call("GET", "/orders/o-1", null)).json().path("version").asInt(), "nothing erased");

            RunningApp.Reply history = app.call("GET", "/orders/o-1/history", null, "X-Customer-Id", "c-2");
            assertEquals(403, history.status());
            assertEquals(HistoryPolicy.RULE, history.json().path("rule").asText());
            assertTrue(history.json().path("reasons").get(0).asText().contains("customer 'c-2' did not place order 'o-1'"),
                    history.raw().body());
            JsonNode refusedRead = lastAudit(app);
            assertEquals("temporal-read", refusedRead.path("action").asText(), "reading history asks the one decision point");
            assertEquals(HistoryPolicy.RULE, refusedRead.path("rule").asText());
            assertEquals("DENIED", refusedRead.path("outcome").asText());
            assertEquals(200, app.call("GET", "/orders/o-1/history", null, "X-Customer-Id", "c-1").status(), "the customer reads their own");
        }
    }

    /** Billing that cannot invoice until its cause is fixed. */
    private static final class BrokenBilling implements BusConsumer {
        private final Billing billing = new Billing();
        volatile boolean fixed;

        @Override
        public void onEvent(EventEnvelope event) throws Exception {
            if (!fixed && event.eventType().equals("OrderConfirmed")) {
                throw new IllegalStateException("the invoicing service refused order '" + event.streamId() + "'");
            }
            billing.onEvent(event);
        }
    }

    @Test
    void anOperatorListsInspectsAndRetriesABusConsumerGroupsDeadLetterAudited() throws Exception {
        BrokenBilling billing = new BrokenBilling();
        try (RunningApp app = RunningApp.on(new EmbeddedEngines(), HttpSettings.defaults(0, RunningApp.TOKEN), Duration.ofMinutes(30), billing)) {
            app.confirmedOrder("o-1", "apple", 1, 250);
            JsonNode[] letter = new JsonNode[1];
            RunningApp.await("billing's dead letter is listed", WAIT, () -> {
                try {
                    for (JsonNode consumer : app.operator("GET", "/operator/dead-letters").json().path("consumers")) {
                        if (consumer.path("consumer").asText().equals("billing/primary") && !consumer.path("deadLetters").isEmpty()) {
                            letter[0] = consumer;
                            return true;
                        }
                    }
                    return false;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            assertEquals("BUS_CONSUMER_GROUP", letter[0].path("kind").asText());
            assertEquals("billing", letter[0].path("name").asText());
            JsonNode dead = letter[0].path("deadLetters").get(0);
            assertEquals("OrderConfirmed", dead.path("eventType").asText());
            assertTrue(dead.path("cause").asText().contains("the invoicing service refused order 'o-1'"), dead.toString());
            String id = dead.path("id").asText();

            JsonNode detail = expect(200, app.operator("GET", "/operator/dead-letters/" + id)).json();
            assertEquals("billing/primary", detail.path("consumer").asText());
            assertTrue(detail.path("parked").isArray(), detail.toString());

            assertEquals(401, app.call("POST", "/operator/dead-letters/" + id + "/retry", null).status(), "operators only");
            billing.fixed = true;
            assertTrue(expect(200, app.operator("POST", "/operator/dead-letters/" + id + "/retry")).json().path("handled").asBoolean());
            assertTrue(billing.billing.invoiced().contains("o-1"), "invoiced on retry");
            JsonNode audited = lastAudit(app);
            assertEquals("ALLOWED", audited.path("outcome").asText(), "operator actions are audited when allowed");
            assertEquals("dead-letter-retry", audited.path("action").asText());
            assertEquals("operator", audited.path("principal").path("role").asText());
            assertTrue(audited.path("target").asText().contains("consumer=billing/primary"), audited.toString());

            assertEquals(404, app.operator("GET", "/operator/dead-letters/" + id).status(), "retried, so gone");
            assertEquals(404, app.operator("DELETE", "/operator/dead-letters/" + UUID.randomUUID()).status());
            for (JsonNode consumer : expect(200, app.operator("GET", "/operator/dead-letters")).json().path("consumers")) {
                assertTrue(consumer.path("deadLetters").isEmpty(), consumer.toString());
            }
        }
    }
}
