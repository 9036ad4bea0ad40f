package io.nexus.dynamodb;

import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.scheduler.ScheduledTimer;
import io.nexus.core.temporal.AuditRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the durable ports fail: a missing table is a permanent error that names the operation; reserved keys are refused. */
class DynamoDbDurablePortsErrorTest {

    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
    private static final String MISSING = "no-such-table-" + UUID.randomUUID();

    @Test
    void aMissingTableIsAPermanentErrorOfEveryPort() {
        var client = DynamoDbLocal.client();
        EventEnvelope event = new EventEnvelope(UUID.randomUUID(), "order-1", "Order", 1, 1, "OrderPlaced", 1, T0,
                null, null, Map.of(), EventPayload.ofJson("{}"));
        assertPermanent(() -> DynamoDbDeadLetterQueue.builder(client).tableName(MISSING).build()
                .put(DeadLetter.of("p", event, new IllegalStateException("x"), 1, T0, T0)), "dead letter");
        assertPermanent(() -> DynamoDbDeadLetterQueue.builder(client).tableName(MISSING).build().park("p", event), "park");
        assertPermanent(() -> DynamoDbScheduler.builder(client).tableName(MISSING).build()
                .schedule(new ScheduledTimer("t", "saga", T0, "")), "timer 't' of 'saga'");
        assertPermanent(() -> DynamoDbAuditLog.builder(client).tableName(MISSING).build()
                .record(new AuditRecord(T0, "c", Map.of(), "Order", "order-1", "version 1",
                        AuditRecord.Outcome.SUCCEEDED, "", Duration.ZERO)), "record the audit");
        assertPermanent(() -> DynamoDbReadModelStores.builder(client).tableName(MISSING).build()
                .store("summaries", String.class).put("a", "x", 1), "store 'a' v1 in read-model store 'summaries'");
    }

    @Test
    void namesHoldingTheReservedCharacterAreRefused() {
        var client = DynamoDbLocal.client();
        EventEnvelope event = new EventEnvelope(UUID.randomUUID(), "order-1", "Order", 1, 1, "OrderPlaced", 1, T0,
                null, null, Map.of(), EventPayload.ofJson("{}"));
        DynamoDbDeadLetterQueue queue = DynamoDbDeadLetterQueue.builder(client).tableName(MISSING).build();
        assertThrows(IllegalArgumentException.class, () -> queue.park("a\u001Fb", event));
        assertThrows(IllegalArgumentException.class,
                () -> queue.put(DeadLetter.of("a\u001Fb", event, new IllegalStateException("x"), 1, T0, T0)));
        DynamoDbScheduler timers = DynamoDbScheduler.builder(client).tableName(MISSING).build();
        assertThrows(IllegalArgumentException.class, () -> timers.schedule(new ScheduledTimer("t", "\u001Fid", T0, "")));
    }

    @Test
    void buildersNameWhatIsMissing() {
        var client = DynamoDbLocal.client();
        for (Executable build : new Executable[]{
                () -> DynamoDbDeadLetterQueue.builder(client).build(),
                () -> DynamoDbScheduler.builder(client).build(),
                () -> DynamoDbAuditLog.builder(client).build(),
                () -> DynamoDbReadModelStores.builder(client).build()}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, build);
            assertTrue(e.getMessage().contains("tableName is required"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> DynamoDbAuditLog.builder(client).retention(Duration.ZERO));
    }

    private static void assertPermanent(Executable call, String operation) {
        DynamoDbAccessException e = assertThrows(DynamoDbAccessException.class, call);
        assertFalse(e.isTransient(), "a missing table is permanent: " + e.getMessage());
        assertTrue(e.getMessage().contains(operation), "the message names the operation: " + e.getMessage());
    }
}
