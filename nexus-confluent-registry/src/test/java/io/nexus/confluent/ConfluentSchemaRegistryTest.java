package io.nexus.confluent;

import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.schema.EventValidator;
import io.nexus.core.schema.InvalidSchemaException;
import io.nexus.core.schema.SchemaRegistryEventValidator;
import io.nexus.core.schema.SchemaRegistryException;
import io.nexus.core.schema.SchemaRegistryUnavailableException;
import io.nexus.core.schema.SchemaViolationException;
import io.nexus.core.schema.UnknownSchemaException;
import io.nexus.testkit.logging.LogCapture;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfluentSchemaRegistryTest {

    private static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"}},\"required\":[\"id\"]}";

    @Test
    void basicAuthIsSentAndARefusalKeepsTheRegistrysMessage() throws IOException {
        String header = "Basic " + Base64.getEncoder().encodeToString("key:secret".getBytes());
        try (ConfluentTestServer server = ConfluentTestServer.start(header)) {
            ConfluentSchemaRegistry good = ConfluentSchemaRegistry.builder(server.uri()).basicAuth("key", "secret").build();
            assertEquals(1, good.register("OrderPlaced", SCHEMA).version());

            ConfluentSchemaRegistry bad = ConfluentSchemaRegistry.builder(server.uri()).basicAuth("key", "wrong").build();
            SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> bad.latest("OrderPlaced"));
            assertEquals(401, e.httpStatus());
            assertEquals("Unauthorized", e.registryMessage());
            assertFalse(e.isTransient());
            assertTrue(e.getMessage().contains("credentials"), e.getMessage());
        }
    }

    @Test
    void bearerTokenIsAskedForEachRequest() throws IOException {
        try (ConfluentTestServer server = ConfluentTestServer.start("Bearer t-1")) {
            ConfluentSchemaRegistry registry = ConfluentSchemaRegistry.builder(server.uri()).bearerToken(() -> "t-1").build();
            assertEquals(1, registry.register("OrderPlaced", SCHEMA).version());
        }
    }

    @Test
    void builderRefusesTwoCredentialsAndBadSettings() {
        ConfluentSchemaRegistry.Builder builder = ConfluentSchemaRegistry.builder(URI.create("http://localhost:1")).basicAuth("a", "b");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> builder.bearerToken(() -> "t"));
        assertTrue(e.getMessage().contains("basicAuth"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ConfluentSchemaRegistry.builder(URI.create("ftp://x")));
        assertThrows(IllegalArgumentException.class, () -> builder.requestTimeout(Duration.ZERO));
    }

    @Test
    void anInvalidSchemaIsRefusedWithTheRegistrysMessage() throws IOException {
        try (ConfluentTestServer server = ConfluentTestServer.start(null)) {
            ConfluentSchemaRegistry registry = ConfluentSchemaRegistry.builder(server.uri()).build();
            registry.register("OrderPlaced", SCHEMA);

            InvalidSchemaException e = assertThrows(InvalidSchemaException.class,
                    () -> registry.register("OrderPlaced", "{\"type\":\"strin\"}"));

            assertTrue(e.getMessage().contains("the registry refused it: Invalid schema"), e.getMessage());
            SchemaRegistryException raw = assertInstanceOf(SchemaRegistryException.class, e.getCause());
            assertEquals("42201", raw.errorCode());
        }
    }

    @Test
    void anUnknownVersionKeepsTheRegistrysCode() throws IOException {
        try (ConfluentTestServer server = ConfluentTestServer.start(null)) {
            ConfluentSchemaRegistry registry = ConfluentSchemaRegistry.builder(server.uri()).build();
            registry.register("OrderPlaced", SCHEMA);

            UnknownSchemaException e = assertThrows(UnknownSchemaException.class, () -> registry.version("OrderPlaced", 3));
            assertEquals("40402", ((SchemaRegistryException) e.getCause()).errorCode());
        }
    }

    @Test
    void versionLookupsAreCached() throws IOException {
        try (ConfluentTestServer server = ConfluentTestServer.start(null)) {
            ConfluentSchemaRegistry registry = ConfluentSchemaRegistry.builder(server.uri()).build();
            registry.register("OrderPlaced", SCHEMA);
            registry.version("OrderPlaced", 1);
            int before = server.requests();

            for (int i = 0; i < 5; i++) {
                registry.version("OrderPlaced", 1);
                registry.find("OrderPlaced", SCHEMA);
            }

            assertEquals(before, server.requests());
        }
    }

    @Test
    void anUnreachableRegistryIsTransientAndTheValidatorFailsClosed() throws IOException {
        ConfluentTestServer server = ConfluentTestServer.start(null);
        ConfluentSchemaRegistry registry = ConfluentSchemaRegistry.builder(server.uri()).requestTimeout(Duration.ofSeconds(2))
                .cacheTtl(Duration.ZERO).build();
        registry.register("OrderPlaced", SCHEMA);
        EventValidator closed = SchemaRegistryEventValidator.builder(registry).cacheTtl(Duration.ZERO).build();
        EventValidator lastKnown = SchemaRegistryEventValidator.builder(registry).cacheTtl(Duration.ZERO)
                .useLastKnownSchemaWhenUnavailable(true).build();
        NewEvent ok = NewEvent.of("OrderPlaced", 1, EventPayload.ofJson("{\"id\":\"o-1\"}"));
        closed.validate("order-1", ok);
        lastKnown.validate("order-1", ok);

        server.close();

        SchemaRegistryUnavailableException e = assertThrows(SchemaRegistryUnavailableException.class, () -> registry.latest("OrderPlaced"));
        assertTrue(e.isTransient());
        assertThrows(SchemaRegistryUnavailableException.class, () -> closed.validate("order-1", ok));
        try (LogCapture logs = LogCapture.start()) {
            assertDoesNotThrow(() -> lastKnown.validate("order-1", ok));
            assertThrows(SchemaViolationException.class,
                    () -> lastKnown.validate("order-1", NewEvent.of("OrderPlaced", 1, EventPayload.ofJson("{}"))));
            logs.assertContains("Schema registry unavailable; validating 'OrderPlaced' v1 against the last schema fetched");
        }
    }

    @Test
    void aConcurrentWriterThatMakesTheCandidateIncompatibleYieldsTheRegistrysRefusal() throws IOException {
        String v1 = "{\"type\":\"object\",\"properties\":{\"qty\":{\"type\":\"integer\"}}}";
        String widened = v1.replace("\"integer\"", "\"number\"");
        String concurrent = v1.replace("\"integer\"", "[\"integer\",\"string\"]");
        try (ConfluentTestServer server = ConfluentTestServer.start(null)) {
            ConfluentSchemaRegistry registry = ConfluentSchemaRegistry.builder(server.uri()).build();
            registry.register("Stock", v1);
            server.beforeNextRegistration(() -> server.registerDirectly("Stock", concurrent));

            io.nexus.core.schema.IncompatibleSchemaException e = assertThrows(io.nexus.core.schema.IncompatibleSchemaException.class,
                    () -> registry.register("Stock", widened));

            assertEquals("REGISTRY_VERDICT", e.incompatibilities().get(0).type());
            assertTrue(e.incompatibilities().get(0).message().contains("incompatible with an earlier schema"), e.getMessage());
            assertEquals(java.util.List.of(1, 2), registry.versions("Stock"));
        }
    }

    @Test
    void theTestServerIsStrict() throws Exception {
        try (ConfluentTestServer server = ConfluentTestServer.start(null)) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> unknownField = http.send(HttpRequest.newBuilder(server.uri().resolve("/subjects/X/versions"))
                    .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"schema\":\"{}\",\"schemaType\":\"JSON\",\"bogus\":1}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(422, unknownField.statusCode());
            HttpResponse<String> avro = http.send(HttpRequest.newBuilder(server.uri().resolve("/subjects/X/versions"))
                    .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"schema\":\"{}\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(avro.body().contains("42201"), avro.body());
            HttpResponse<String> noType = http.send(HttpRequest.newBuilder(server.uri().resolve("/subjects/X/versions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"schema\":\"{}\",\"schemaType\":\"JSON\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(415, noType.statusCode());
            HttpResponse<String> badVersion = http.send(HttpRequest.newBuilder(server.uri().resolve("/subjects/X/versions/abc")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, badVersion.statusCode());
            assertTrue(badVersion.body().contains("40401"), badVersion.body());
        }
    }

    @Test
    void aBreakingChangeRestoresInheritanceOfTheGlobalLevelWhereTheSubjectHadNoneOfItsOwn() throws IOException {
        String v1 = "{\"type\":\"object\",\"properties\":{\"total\":{\"type\":\"number\"}},\"required\":[\"total\"]}";
        String v2 = "{\"type\":\"object\",\"properties\":{\"cents\":{\"type\":\"integer\"}},\"required\":[\"cents\"]}";
        io.nexus.core.upcast.Upcaster upcast = io.nexus.core.upcast.Upcaster.of("Inherits", 1, node -> node);
        io.nexus.core.upcast.Upcaster upcastOwn = io.nexus.core.upcast.Upcaster.of("Own", 1, node -> node);
        try (ConfluentTestServer server = ConfluentTestServer.start(null)) {
            ConfluentSchemaRegistry registry = ConfluentSchemaRegistry.builder(server.uri()).build();
            registry.register("Inherits", v1);
            registry.register("Own", v1);
            registry.setCompatibility("Own", io.nexus.core.schema.CompatibilityMode.FORWARD);
            assertEquals(java.util.Optional.empty(), registry.ownCompatibility("Inherits"));

            io.nexus.core.schema.SchemaEvolution.registerBreakingChange(registry, "Inherits", v2, java.util.List.of(upcast));
            io.nexus.core.schema.SchemaEvolution.registerBreakingChange(registry, "Own", v2, java.util.List.of(upcastOwn));

            assertEquals(java.util.Optional.empty(), registry.ownCompatibility("Inherits"), "no level of its own again");
            assertEquals(java.util.Optional.of(io.nexus.core.schema.CompatibilityMode.FORWARD), registry.ownCompatibility("Own"));
            HttpResponse<String> global = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri().resolve("/config"))
                    .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"FULL\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, global.statusCode(), global.body());
            assertEquals(io.nexus.core.schema.CompatibilityMode.FULL, registry.compatibility("Inherits"),
                    "a change of the global level reaches the subject again");
            assertEquals(io.nexus.core.schema.CompatibilityMode.FORWARD, registry.compatibility("Own"));
            registry.clearCompatibility("Inherits"); // harmless without a level of its own
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
