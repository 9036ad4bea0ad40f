package io.nexus.confluent;

import io.micrometer.observation.Observation;
import io.nexus.core.schema.CompatibilityMode;
import io.nexus.core.schema.SchemaRegistryUnavailableException;
import io.nexus.core.schema.UnknownSubjectException;
import io.nexus.testkit.observation.ObservationRecorder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every request of the Confluent registry is a {@code nexus.remote.call} observation, against the Confluent-compatible test server. */
class ConfluentObservationsTest {

    private static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"}},\"required\":[\"id\"]}";

    private final ObservationRecorder observations = new ObservationRecorder();

    @Test
    void eachRequestIsAnObservationWithItsOperationAndOutcome() throws IOException {
        try (ConfluentTestServer server = ConfluentTestServer.start(null)) {
            ConfluentSchemaRegistry registry = ConfluentSchemaRegistry.builder(server.uri())
                    .observationRegistry(observations.registry()).build();

            Observation.createNotStarted("work", observations.registry()).observe(() -> {
                registry.register("OrderPlaced", SCHEMA);
                registry.versions("OrderPlaced");
                registry.setCompatibility("OrderPlaced", CompatibilityMode.FULL);
                assertThrows(UnknownSubjectException.class, () -> registry.latest("NoSuchEvent"));
            });

            List<String> spans = observations.spans("nexus.remote.call");
            assertTrue(spans.containsAll(List.of("confluent register success", "confluent list-versions success",
                    "confluent set-config success")), spans.toString());
            assertEquals("confluent get-version 404", spans.get(spans.size() - 1));
            List<ObservationRecorder.Stopped> calls = observations.stopped("nexus.remote.call");
            assertEquals(server.requests(), calls.size(), "one observation per request served");
            assertTrue(calls.stream().allMatch(c -> "work".equals(c.parent())), calls.toString());
            assertEquals(Map.of("nexus.remote.system", "confluent", "nexus.remote.operation", "get-version", "nexus.outcome", "404"),
                    calls.get(calls.size() - 1).lowCardinality());
        }
    }

    @Test
    void aRequestThatGetsNoAnswerRecordsItsFailure() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ConfluentSchemaRegistry registry = ConfluentSchemaRegistry.builder(URI.create("http://127.0.0.1:" + closedPort))
                .observationRegistry(observations.registry()).build();

        SchemaRegistryUnavailableException e = assertThrows(SchemaRegistryUnavailableException.class, registry::subjects);

        List<ObservationRecorder.Stopped> calls = observations.stopped("nexus.remote.call");
        assertEquals(List.of("confluent list-subjects SchemaRegistryUnavailableException"), observations.spans("nexus.remote.call"));
        assertEquals(e, calls.get(0).error());
    }

    @Test
    void withoutARegistryNothingIsObserved() throws IOException {
        try (ConfluentTestServer server = ConfluentTestServer.start(null)) {
            ConfluentSchemaRegistry registry = ConfluentSchemaRegistry.builder(server.uri()).build();
            Observation.createNotStarted("work", observations.registry()).observe(() -> registry.register("OrderPlaced", SCHEMA));
            assertEquals(List.of(), observations.stopped("nexus.remote.call"));
            assertTrue(server.requests() > 0);
        }
    }
}
