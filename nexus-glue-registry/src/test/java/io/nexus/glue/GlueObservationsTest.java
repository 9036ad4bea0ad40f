package io.nexus.glue;

import io.micrometer.observation.Observation;
import io.nexus.aws.AwsObservations;
import io.nexus.core.schema.UnknownSubjectException;
import io.nexus.testkit.observation.ObservationRecorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.glue.GlueClient;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Glue client built with {@link AwsObservations#interceptor} makes every call of the registry a
 * {@code nexus.remote.call} observation (system {@code glue}), against the local Glue server.
 */
class GlueObservationsTest {

    private static final String V1 = "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"}},\"required\":[\"id\"]}";

    private final ObservationRecorder observations = new ObservationRecorder();
    private GlueTestServer server;
    private GlueClient glue;

    @BeforeEach
    void start() throws IOException {
        server = GlueTestServer.start();
        glue = GlueClient.builder()
                .overrideConfiguration(o -> o.addExecutionInterceptor(AwsObservations.interceptor(observations.registry())))
                .endpointOverride(server.uri()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterEach
    void stop() {
        glue.close();
        server.close();
    }

    @Test
    void everyGlueCallOfTheRegistryIsARemoteCallInsideTheCurrentObservation() {
        GlueSchemaRegistry registry = GlueSchemaRegistry.builder(glue).registryName("orders")
                .pendingPollInterval(Duration.ofMillis(10)).build();

        Observation.createNotStarted("work", observations.registry()).observe(() -> {
            registry.createRegistryIfMissing();
            registry.register("OrderPlaced", V1);
            assertThrows(UnknownSubjectException.class, () -> registry.latest("NoSuchEvent"));
        });

        List<ObservationRecorder.Stopped> calls = observations.stopped("nexus.remote.call");
        List<String> spans = observations.spans("nexus.remote.call");
        assertTrue(spans.containsAll(List.of("glue create-registry success", "glue create-schema success",
                "glue get-schema-version success", "glue get-schema EntityNotFoundException")), spans.toString());
        assertEquals("glue get-schema-version EntityNotFoundException", spans.get(spans.size() - 1));
        // one observation per request the server answered, each under the observation current at the call
        int served = 0;
        for (String operation : List.of("CreateRegistry", "CreateSchema", "RegisterSchemaVersion", "GetSchemaVersion",
                "GetSchema", "GetSchemaByDefinition", "ListSchemas", "ListSchemaVersions", "UpdateSchema",
                "CheckSchemaVersionValidity")) {
            served += server.calls(operation);
            assertEquals(server.calls(operation), calls.stream().filter(c -> operation.equals(c.key("nexus.remote.operation"))).count(),
                    operation);
        }
        assertEquals(served, calls.size());
        assertTrue(calls.stream().allMatch(c -> "work".equals(c.parent()) && "glue".equals(c.key("nexus.remote.system"))),
                calls.toString());
        assertEquals(Map.of("nexus.remote.system", "glue", "nexus.remote.operation", "GetSchemaVersion",
                "nexus.outcome", "EntityNotFoundException"), calls.get(calls.size() - 1).lowCardinality());
    }
}
