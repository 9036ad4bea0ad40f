package io.nexus.dynamodb;

import io.nexus.core.Nexus;
import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.readmodel.ReadModelStore;
import io.nexus.core.readmodel.Versioned;
import io.nexus.core.scheduler.ScheduledTimer;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.temporal.AuditRecord;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The durable ports survive a restart of the application: a first run writes through a Nexus configured by
 * {@link DynamoDbEngines} on its own client and closes both; a second run, with a new client, new engines
 * and a new Nexus on the same tables, sees every dead letter, parked event, timer, audit record, read model
 * and checkpoint, and can retry (remove and unpark) the dead letter.
 */
class DynamoDbDurablePortsRestartTest {

    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00.5Z");

    record Summary(String orderId, int lines) {
    }

    @Test
    void everythingWrittenBeforeARestartIsSeenAfterIt() {
        DynamoDbTables.Names tables = DynamoDbLocal.freshAllTables("restart");
        EventEnvelope poison = event("order-7", 3);
        EventEnvelope behind = event("order-7", 4);
        DeadLetter letter = DeadLetter.of("order-summaries", poison, new IllegalStateException("bad line"), 5, T0, T0);
        ScheduledTimer timeout = new ScheduledTimer("payment:order-7", "fulfilment", T0.plusSeconds(900), "{\"o\":7}");
        AuditRecord audit = new AuditRecord(T0, "ops", Map.of("sub", "ada"), "Order", "order-7", "version 2",
                AuditRecord.Outcome.SUCCEEDED, "2 events", Duration.ofMillis(3));

        try (DynamoDbClient firstClient = DynamoDbLocal.newClient(b -> { });
             Nexus first = application(firstClient, tables)) {
            first.deadLetters().put(letter);
            first.deadLetters().park("order-summaries", behind);
            first.timers().schedule(timeout);
            first.auditLog().record(audit);
            first.readModels().store("order-summaries", Summary.class).put("order-7", new Summary("order-7", 2), 2);
            first.checkpoints().save("order-summaries", Checkpoint.GLOBAL, "41");
        }

        try (DynamoDbClient secondClient = DynamoDbLocal.newClient(b -> { });
             Nexus second = application(secondClient, tables)) {
            assertEquals(List.of(letter), second.deadLetters().list("order-summaries"), "dead letters after restart");
            assertEquals(Optional.of(letter), second.deadLetters().find(letter.id()), "dead letter by id after restart");
            assertEquals(List.of(behind), second.deadLetters().parked("order-summaries", "order-7"), "parked after restart");
            assertEquals(List.of(timeout), second.timers().due("fulfilment", T0.plusSeconds(900), 10), "due timers after restart");
            assertEquals(List.of(audit), second.auditLog().recent(10), "audit after restart");
            ReadModelStore<Summary> summaries = second.readModels().store("order-summaries", Summary.class);
            assertEquals(Optional.of(new Versioned<>("order-7", new Summary("order-7", 2), 2)), summaries.get("order-7"),
                    "read model after restart");
            assertFalse(summaries.put("order-7", new Summary("order-7", 1), 1), "the version guard holds after restart");
            assertEquals("41", second.checkpoints().load("order-summaries", Checkpoint.GLOBAL).orElseThrow().position(),
                    "checkpoint after restart");

            // the operator fixed the cause: the retry handles the letter and the events parked behind it
            assertTrue(second.deadLetters().remove(letter.id()), "remove of the retried letter");
            assertEquals(1, second.deadLetters().unpark("order-summaries", "order-7", 4), "unparked after the retry");
            second.timers().cancel("fulfilment", timeout.id());
        }

        try (DynamoDbClient thirdClient = DynamoDbLocal.newClient(b -> { });
             Nexus third = application(thirdClient, tables)) {
            assertEquals(List.of(), third.deadLetters().list("order-summaries"), "dead letters after the retry");
            assertEquals(List.of(), third.deadLetters().parked("order-summaries", "order-7"), "parked after the retry");
            assertEquals(List.of(), third.timers().pending("fulfilment"), "timers after cancel");
        }
    }

    private static Nexus application(DynamoDbClient client, DynamoDbTables.Names tables) {
        return Nexus.builder()
                .eventTypes(EventTypes.builder().build())
                .engines(DynamoDbEngines.builder(client).tables(tables).build())
                .build();
    }

    private static EventEnvelope event(String stream, long version) {
        return new EventEnvelope(UUID.randomUUID(), stream, "Order", version, 40 + version, "LineAdded", 1, T0,
                "corr-" + stream, null, Map.of(), EventPayload.ofJson("{\"line\":" + version + "}"));
    }
}
