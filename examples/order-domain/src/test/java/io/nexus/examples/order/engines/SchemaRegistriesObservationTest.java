package io.nexus.examples.order.engines;

import io.nexus.confluent.ConfluentTestServer;
import io.nexus.testkit.observation.ObservationRecorder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The app's remote schema registry is observed in the registry the app was given (Confluent-compatible test server). */
class SchemaRegistriesObservationTest {

    @Test
    void theConfluentRegistrysRequestsAreObservedInTheAppsRegistry() throws IOException {
        ObservationRecorder observations = new ObservationRecorder();
        try (ConfluentTestServer server = ConfluentTestServer.start(null)) {
            SchemaRegistries.Opened opened = SchemaRegistries.open(
                    new SchemaRegistries.Settings(SchemaRegistries.Kind.CONFLUENT, server.uri(), "eu-west-1", "orders"), observations.registry());

            opened.registry().register("OrderPlaced", "{\"type\":\"object\"}");

            List<String> spans = observations.spans("nexus.remote.call");
            assertTrue(spans.contains("confluent register success"), spans.toString());
            assertEquals(server.requests(), spans.size(), "one span per request the registry served");
        }
    }
}
