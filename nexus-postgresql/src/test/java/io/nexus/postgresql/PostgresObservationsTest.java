package io.nexus.postgresql;

import io.micrometer.observation.Observation;
import io.nexus.core.Nexus;
import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.scheduler.ScheduledTimer;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.store.ConcurrencyConflictException;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.StreamQuery;
import io.nexus.testkit.observation.ObservationRecorder;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engines built with an observation registry observe each port operation on the database (not each statement)
 * as a {@code nexus.remote.call} of system {@code postgresql}, inside the current observation; on embedded PostgreSQL.
 */
class PostgresObservationsTest {

    record Noted(String text) {
    }

    @Test
    void everyPortOperationIsOneRemoteCallInsideTheCurrentObservation() {
        ObservationRecorder observations = new ObservationRecorder();
        String schema = EmbeddedPostgresServer.freshSchema("observed");
        try (PostgresEngines engines = PostgresEngines.builder(EmbeddedPostgresServer.dataSource()).schema(schema)
                .observationRegistry(observations.registry()).build();
             Nexus nexus = Nexus.builder().eventTypes(EventTypes.builder().register(Noted.class, "Noted", 1).build())
                     .engines(engines).observationRegistry(observations.registry()).build()) {
            observations.clear();

            Observation.createNotStarted("work", observations.registry()).observe(() -> {
                nexus.eventStore().append("note-1", "Note", ExpectedVersion.noStream(), List.of(noted("a"), noted("b")));
                assertThrows(ConcurrencyConflictException.class,
                        () -> nexus.eventStore().append("note-1", "Note", ExpectedVersion.noStream(), List.of(noted("c"))));
                assertEquals(2, nexus.eventStore().read(StreamQuery.stream("note-1")).size());
                assertEquals(2, nexus.eventStore().readAndFind(StreamQuery.stream("note-1"), java.util.UUID.randomUUID())
                        .events().size());
                assertEquals(2, nexus.eventStore().readAll(1, 10).size());
                assertTrue(nexus.snapshotStore().latest("note-1").isEmpty());
                nexus.checkpoints().save("projection", Checkpoint.GLOBAL, "2");
                nexus.checkpoints().load("projection", Checkpoint.GLOBAL);
                nexus.deadLetters().list("projection");
                nexus.timers().schedule(new ScheduledTimer("t", "saga", Instant.parse("2026-12-01T00:00:00Z"), ""));
                nexus.readModels().store("notes", Noted.class).put("note-1", new Noted("a"), 1);
                nexus.readModels().store("notes", Noted.class).get("note-1");
                nexus.auditLog().recent(5);
                nexus.leases().tryAcquire("projection", "node-1", java.time.Duration.ofMinutes(1));
                nexus.leases().current("projection");
            });

            List<String> spans = observations.spans("nexus.remote.call");
            assertEquals(List.of("postgresql append success", "postgresql append ConcurrencyConflictException", "postgresql read-stream success",
                    "postgresql read-stream-and-find success", "postgresql read-all success", "postgresql snapshot-latest success", "postgresql checkpoint-save success",
                    "postgresql checkpoint-load success", "postgresql dead-letter-list success", "postgresql timer-schedule success",
                    "postgresql read-model-put success", "postgresql read-model-get success", "postgresql audit-read success",
                    "postgresql lease-acquire success", "postgresql lease-current success"), spans);
            List<ObservationRecorder.Stopped> calls = observations.stopped("nexus.remote.call");
            assertEquals(Map.of("nexus.remote.system", "postgresql", "nexus.remote.operation", "checkpoint-save",
                    "nexus.outcome", "success"), calls.get(6).lowCardinality());
            assertTrue(calls.stream().allMatch(c -> "work".equals(c.parent())), calls.toString());
            assertTrue(calls.get(1).error() instanceof ConcurrencyConflictException, "the conflict is recorded on its call");

            // Outside any observation (as a tracker's poll is) an operation starts no trace of its own.
            nexus.eventStore().append("note-2", "Note", ExpectedVersion.noStream(), List.of(noted("d")));
            assertEquals(3, nexus.eventStore().readAll(1, 10).size());
            assertEquals(spans, observations.spans("nexus.remote.call"));
        }
    }

    @Test
    void withoutARegistryTheEnginesObserveNothing() {
        ObservationRecorder observations = new ObservationRecorder();
        String schema = EmbeddedPostgresServer.freshSchema("unobserved");
        try (PostgresEngines engines = PostgresEngines.builder(EmbeddedPostgresServer.dataSource()).schema(schema).build()) {
            Observation.createNotStarted("work", observations.registry()).observe(() ->
                    engines.eventStore().append("note-1", "Note", ExpectedVersion.noStream(), List.of(noted("a"))));
            assertEquals(List.of("work -"), observations.stopped().stream()
                    .map(s -> s.contextualName() + " " + (s.key("nexus.outcome") == null ? "-" : s.key("nexus.outcome"))).toList());
            assertEquals(1, engines.eventStore().currentVersion("note-1"));
        }
    }

    private static NewEvent noted(String text) {
        return NewEvent.of("Noted", 1, EventPayload.ofJson("{\"text\":\"" + text + "\"}"));
    }
}
