package io.nexus.glue;

import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.schema.CompatibilityMode;
import io.nexus.core.schema.EventValidator;
import io.nexus.core.schema.InvalidSchemaException;
import io.nexus.core.schema.SchemaRegistryEventValidator;
import io.nexus.core.schema.SchemaRegistryException;
import io.nexus.core.schema.SchemaRegistryUnavailableException;
import io.nexus.core.schema.SchemaViolationException;
import io.nexus.core.schema.UnknownSubjectException;
import io.nexus.testkit.logging.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.Compatibility;
import software.amazon.awssdk.services.glue.model.GlueException;
import software.amazon.awssdk.services.glue.model.SchemaVersionStatus;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GlueSchemaRegistryTest {

    private static final String V1 = "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"qty\":{\"type\":\"integer\"}},\"required\":[\"id\"]}";
    private static final String V1_QTY_STRING = "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"qty\":{\"type\":\"string\"}},\"required\":[\"id\"]}";

    private GlueTestServer server;
    private GlueClient glue;
    private GlueSchemaRegistry registry;

    @BeforeEach
    void start() throws IOException {
        server = GlueTestServer.start();
        glue = GlueClients.local(server.uri());
        registry = GlueSchemaRegistry.builder(glue).registryName("orders").pendingPollInterval(Duration.ofMillis(10)).build();
        assertTrue(registry.createRegistryIfMissing());
        assertFalse(registry.createRegistryIfMissing());
    }

    @AfterEach
    void stop() {
        glue.close();
        server.close();
    }

    @Test
    void aPendingVersionIsPolledUntilAvailable() {
        int before = server.calls("GetSchemaVersion");

        assertEquals(1, registry.register("OrderPlaced", V1).version());

        assertTrue(server.calls("GetSchemaVersion") - before >= 2, "PENDING, then AVAILABLE");
        assertEquals(1, server.calls("CreateSchema"));
    }

    @Test
    void aFailureVersionCreatedOutsideNexusIsNeitherListedNorReturned() {
        registry.register("OrderPlaced", V1);
        var failed = glue.registerSchemaVersion(r -> r.schemaId(s -> s.registryName("orders").schemaName("OrderPlaced"))
                .schemaDefinition(V1_QTY_STRING));
        glue.getSchemaVersion(r -> r.schemaVersionId(failed.schemaVersionId()));
        assertEquals(SchemaVersionStatus.FAILURE, glue.getSchemaVersion(r -> r.schemaVersionId(failed.schemaVersionId())).status());

        assertEquals(List.of(1), registry.versions("OrderPlaced"));
        assertEquals(1, registry.latest("OrderPlaced").version());
        assertTrue(registry.find("OrderPlaced", V1_QTY_STRING).isEmpty());
        assertThrows(io.nexus.core.schema.UnknownSchemaException.class, () -> registry.version("OrderPlaced", 2));
    }

    @Test
    void aRefusedCandidateNeverReachesGlueAsAFailureVersion() {
        registry.register("OrderPlaced", V1);
        int registrations = server.calls("RegisterSchemaVersion");

        var report = registry.check("OrderPlaced", V1_QTY_STRING);
        assertThrows(io.nexus.core.schema.IncompatibleSchemaException.class, () -> registry.register("OrderPlaced", V1_QTY_STRING));

        assertFalse(report.isCompatible());
        assertTrue(report.incompatibilities().stream().anyMatch(i -> i.type().equals("TYPE_CHANGED")
                && i.pointer().equals("/properties/qty/type")), report.toString());
        assertEquals(registrations, server.calls("RegisterSchemaVersion"));
        assertEquals(1, glue.listSchemaVersions(r -> r.schemaId(s -> s.registryName("orders").schemaName("OrderPlaced"))).schemas().size());
    }

    @Test
    void aVersionGlueMarksFailureIsAnIncompatibleSchema() {
        String v1 = "{\"type\":\"object\",\"properties\":{\"qty\":{\"type\":\"integer\"}}}";
        String widened = v1.replace("\"integer\"", "\"number\"");
        String concurrent = v1.replace("\"integer\"", "[\"integer\",\"string\"]");
        registry.register("Stock", v1);
        server.beforeNextRegistration(() -> assertEquals("AVAILABLE", server.registerDirectly("orders", "Stock", concurrent)));

        io.nexus.core.schema.IncompatibleSchemaException e = assertThrows(io.nexus.core.schema.IncompatibleSchemaException.class,
                () -> registry.register("Stock", widened));

        assertEquals("REGISTRY_VERDICT", e.incompatibilities().get(0).type());
        assertTrue(e.getMessage().contains("FAILURE"), e.getMessage());
        assertEquals(List.of(1, 2), registry.versions("Stock"));
        assertTrue(registry.find("Stock", widened).isEmpty());
    }

    @Test
    void anInvalidSchemaKeepsGluesMessage() {
        InvalidSchemaException e = assertThrows(InvalidSchemaException.class, () -> registry.register("OrderPlaced", "{\"type\":\"strin\"}"));
        assertTrue(e.getMessage().contains("Glue refused it"), e.getMessage());
        assertEquals(0, server.calls("CreateSchema"));
    }

    @Test
    void aMissingRegistryIsATypedErrorWithGluesMessage() {
        GlueSchemaRegistry nowhere = GlueSchemaRegistry.builder(glue).registryName("nowhere").build();

        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, nowhere::subjects);

        assertEquals("EntityNotFoundException", e.errorCode());
        assertTrue(e.registryMessage().contains("Registry is not found"), e.registryMessage());
        assertThrows(UnknownSubjectException.class, () -> nowhere.latest("OrderPlaced"));
    }

    @Test
    void aDisabledSchemaHasNoNexusModeAndSaysSo() {
        registry.register("OrderPlaced", V1);
        glue.updateSchema(r -> r.schemaId(s -> s.registryName("orders").schemaName("OrderPlaced")).compatibility(Compatibility.DISABLED)
                .schemaVersionNumber(v -> v.latestVersion(true)));

        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> registry.compatibility("OrderPlaced"));
        assertTrue(e.getMessage().contains("DISABLED"), e.getMessage());
    }

    @Test
    void modesMapToGluesNames() {
        registry.register("OrderPlaced", V1);
        registry.setCompatibility("OrderPlaced", CompatibilityMode.FULL_TRANSITIVE);

        assertEquals(Compatibility.FULL_ALL, glue.getSchema(r -> r.schemaId(s -> s.registryName("orders").schemaName("OrderPlaced"))).compatibility());
        assertEquals(CompatibilityMode.FULL_TRANSITIVE, registry.compatibility("OrderPlaced"));
        assertThrows(UnknownSubjectException.class, () -> registry.setCompatibility("Nobody", CompatibilityMode.NONE));
    }

    @Test
    void lookupsByVersionAndDefinitionAreCached() {
        registry.register("OrderPlaced", V1);
        registry.version("OrderPlaced", 1);
        int gets = server.calls("GetSchemaVersion");
        int byDefinition = server.calls("GetSchemaByDefinition");

        for (int i = 0; i < 5; i++) {
            registry.version("OrderPlaced", 1);
            registry.find("OrderPlaced", V1);
            registry.register("OrderPlaced", V1);
        }

        assertEquals(gets, server.calls("GetSchemaVersion"));
        assertEquals(byDefinition, server.calls("GetSchemaByDefinition"));
    }

    @Test
    void anUnreachableGlueIsTransientAndTheValidatorFailsClosedUnlessToldOtherwise() {
        GlueClient noRetry = GlueClient.builder().endpointOverride(server.uri())
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("test", "test")))
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD).retryStrategy(b -> b.maxAttempts(1)))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build();
        GlueSchemaRegistry uncached = GlueSchemaRegistry.builder(noRetry).registryName("orders").cacheTtl(Duration.ZERO)
                .pendingPollInterval(Duration.ofMillis(10)).build();
        uncached.register("OrderPlaced", V1);
        EventValidator closed = SchemaRegistryEventValidator.builder(uncached).cacheTtl(Duration.ZERO).build();
        EventValidator lastKnown = SchemaRegistryEventValidator.builder(uncached).cacheTtl(Duration.ZERO)
                .useLastKnownSchemaWhenUnavailable(true).build();
        NewEvent ok = NewEvent.of("OrderPlaced", 1, EventPayload.ofJson("{\"id\":\"o-1\"}"));
        closed.validate("order-1", ok);
        lastKnown.validate("order-1", ok);

        server.close();

        SchemaRegistryUnavailableException e = assertThrows(SchemaRegistryUnavailableException.class, () -> uncached.latest("OrderPlaced"));
        assertTrue(e.isTransient());
        assertThrows(SchemaRegistryUnavailableException.class, () -> closed.validate("order-1", ok));
        try (LogCapture logs = LogCapture.start()) {
            assertDoesNotThrow(() -> lastKnown.validate("order-1", ok));
            assertThrows(SchemaViolationException.class,
                    () -> lastKnown.validate("order-1", NewEvent.of("OrderPlaced", 1, EventPayload.ofJson("{\"qty\":1}"))));
            logs.assertContains("Schema registry unavailable; validating 'OrderPlaced' v1 against the last schema fetched");
        }
        noRetry.close();
    }

    @Test
    void aCompatibilityChangeSendsTheCheckpointGlueRequiresAndKeepsIt() {
        registry.register("OrderPlaced", V1);
        GlueException bare = assertThrows(GlueException.class, () -> glue.updateSchema(r -> r
                .schemaId(s -> s.registryName("orders").schemaName("OrderPlaced")).compatibility(Compatibility.NONE)));
        assertTrue(bare.getMessage().contains("SchemaVersionNumber is required"), bare.getMessage());

        registry.setCompatibility("OrderPlaced", CompatibilityMode.NONE);
        registry.register("OrderPlaced", "{\"type\":\"object\",\"properties\":{\"qty\":{\"type\":\"string\"}},"
                + "\"required\":[\"qty\"]}");
        registry.setCompatibility("OrderPlaced", CompatibilityMode.BACKWARD_TRANSITIVE);

        var schema = glue.getSchema(r -> r.schemaId(s -> s.registryName("orders").schemaName("OrderPlaced")));
        assertEquals(Compatibility.BACKWARD_ALL, schema.compatibility());
        assertEquals(1L, schema.schemaCheckpoint(), "the checkpoint stays where it was: the whole history still counts");
    }

    @Test
    void aSchemaInADraftGlueDoesNotSupportIsRefusedBeforeAnyCall() {
        String draft2020 = "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\"}";
        InvalidSchemaException e = assertThrows(InvalidSchemaException.class, () -> registry.register("OrderPlaced", draft2020));
        assertTrue(e.getMessage().contains("'https://json-schema.org/draft/2020-12/schema'")
                && e.getMessage().contains("draft-04, draft-06 and draft-07"), e.getMessage());
        assertThrows(InvalidSchemaException.class, () -> registry.check("OrderPlaced", draft2020));
        assertThrows(GlueException.class, () -> glue.getSchema(r -> r.schemaId(s -> s.registryName("orders")
                .schemaName("OrderPlaced"))), "nothing was created on Glue");

        for (String draft : List.of("http://json-schema.org/draft-04/schema#", "http://json-schema.org/draft-06/schema#",
                "http://json-schema.org/draft-07/schema#")) {
            String subject = "Draft" + draft.replaceAll("\\D", "");
            assertEquals(1, registry.register(subject, "{\"$schema\":\"" + draft + "\",\"type\":\"object\"}").version(),
                    draft + " is accepted");
        }
        GlueException server = assertThrows(GlueException.class, () -> glue.createSchema(r -> r
                .registryId(id -> id.registryName("orders")).schemaName("Direct").dataFormat("JSON").schemaDefinition(draft2020)));
        assertTrue(server.getMessage().contains("unsupported JSON Schema draft"), "the test server refuses it as Glue does: "
                + server.getMessage());
    }

    @Test
    void theTestServerIsStrict() throws Exception {
        GlueException noRegistryName = assertThrows(GlueException.class,
                () -> glue.getSchema(r -> r.schemaId(s -> s.schemaName("OrderPlaced"))));
        assertEquals("InvalidInputException", noRegistryName.awsErrorDetails().errorCode());

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> unsigned = http.send(HttpRequest.newBuilder(server.uri())
                .header("Content-Type", "application/x-amz-json-1.1").header("X-Amz-Target", "AWSGlue.GetSchema")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(unsigned.body().contains("MissingAuthenticationTokenException"), unsigned.body());
        HttpResponse<String> extra = http.send(HttpRequest.newBuilder(server.uri())
                .header("Content-Type", "application/x-amz-json-1.1").header("X-Amz-Target", "AWSGlue.CreateRegistry")
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/glue/aws4_request")
                .POST(HttpRequest.BodyPublishers.ofString("{\"RegistryName\":\"r\",\"Bogus\":1}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, extra.statusCode());
        assertTrue(extra.body().contains("SerializationException"), extra.body());
        assertEquals(URI.create("http://127.0.0.1:" + server.uri().getPort()), server.uri());
    }
}
