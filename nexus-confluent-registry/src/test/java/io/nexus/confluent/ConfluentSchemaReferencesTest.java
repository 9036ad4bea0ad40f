package io.nexus.confluent;

import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.schema.CompatibilityMode;
import io.nexus.core.schema.EventValidator;
import io.nexus.core.schema.IncompatibleSchemaException;
import io.nexus.core.schema.InvalidSchemaException;
import io.nexus.core.schema.SchemaRegistryEventValidator;
import io.nexus.core.schema.SchemaVersion;
import io.nexus.core.schema.SchemaViolationException;
import io.nexus.core.schema.UnknownSchemaException;
import io.nexus.core.schema.Violation;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Schema references both ways: registering a schema whose {@code $ref}s name schemas of other subjects, and
 * reading it back with those resolved so payloads are validated against the whole referencing schema.
 */
class ConfluentSchemaReferencesTest {

    /** A customer, with an internal pointer of its own to show the embedded copy keeps its base. */
    static final String CUSTOMER = """
            {"type":"object","properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"}},
             "required":["name"],"$defs":{"address":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}""";
    static final String MONEY = "{\"type\":\"object\",\"properties\":{\"amount\":{\"type\":\"integer\"},"
            + "\"currency\":{\"type\":\"string\",\"pattern\":\"^[A-Z]{3}$\"}},\"required\":[\"amount\",\"currency\"]}";
    /** The order refers to the customer whole and to the customer's address by a pointer into it. */
    static final String ORDER = """
            {"type":"object","properties":{"id":{"type":"string"},"customer":{"$ref":"customer.json"},
             "shipTo":{"$ref":"customer.json#/$defs/address"},"total":{"$ref":"money.json"}},"required":["id","customer"]}""";

    static final List<ConfluentSchemaReference> REFS = List.of(
            new ConfluentSchemaReference("customer.json", "Customer", 1),
            new ConfluentSchemaReference("money.json", "Money", 1));

    @Test
    void aSchemaRegisteredWithReferencesIsReadWithThemResolvedAndValidatesPayloadsAgainstThem() throws IOException {
        try (ConfluentTestServer server = ConfluentTestServer.start(null)) {
            ConfluentSchemaRegistry registry = ConfluentSchemaRegistry.builder(server.uri()).build();
            // tag::references[]
            registry.register("Customer", CUSTOMER);               // version 1 of each
            registry.register("Money", MONEY);
            // ORDER says {"$ref": "customer.json"}, {"$ref": "customer.json#/$defs/address"}, {"$ref": "money.json"}
            SchemaVersion order = registry.register("OrderPlaced", ORDER, List.of(
                    new ConfluentSchemaReference("customer.json", "Customer", 1),
                    new ConfluentSchemaReference("money.json", "Money", 1)));

            registry.references("OrderPlaced", 1);                  // the two references, as registered
            registry.registeredSchema("OrderPlaced", 1);            // ORDER, its $refs unresolved
            registry.version("OrderPlaced", 1).schema();            // one document: ORDER with both schemas embedded
            EventValidator validator = SchemaRegistryEventValidator.builder(registry).build();
            // end::references[]

            assertEquals(1, order.version());
            assertEquals(REFS, registry.references("OrderPlaced", 1));
            assertEquals(ORDER, registry.registeredSchema("OrderPlaced", 1));
            assertEquals(1, registry.referencedBy("Customer", 1).size());
            assertEquals(registry.referencedBy("Customer", 1), registry.referencedBy("Money", 1));
            assertEquals(order, registry.latest("OrderPlaced"));
            ConfluentSchemaRegistry fresh = ConfluentSchemaRegistry.builder(server.uri()).build();
            assertEquals(order, fresh.version("OrderPlaced", 1), "read back by a client that never saw the references");
            EventValidator freshValidator = SchemaRegistryEventValidator.builder(fresh).build();
            freshValidator.validate("order-1", event("{\"id\":\"o-2\",\"customer\":{\"name\":\"Bo\"}}"));
            assertThrows(SchemaViolationException.class, () -> freshValidator.validate("order-1", event("{\"id\":\"o-2\",\"customer\":{}}")));

            validator.validate("order-1", event("""
                    {"id":"o-1","customer":{"name":"Ada","address":{"city":"London"}},"shipTo":{"city":"Leeds"},
                     "total":{"amount":12,"currency":"EUR"}}"""));
            SchemaViolationException e = assertThrows(SchemaViolationException.class, () -> validator.validate("order-1", event("""
                    {"id":"o-1","customer":{"address":{}},"shipTo":{"city":7},"total":{"amount":12,"currency":"euro"}}""")));
            List<String> pointers = e.violations().stream().map(Violation::pointer).toList();
            assertTrue(pointers.containsAll(List.of("/customer", "/customer/address", "/shipTo/city", "/total/currency")),
                    "violations inside every referenced schema: " + e.violations());
        }
    }

    @Test
    void theSameTextWithOtherReferencesIsAnotherVersionAndTheSameReferencesAreIdempotent() throws IOException {
        try (ConfluentTestServer server = ConfluentTestServer.start(null)) {
            ConfluentSchemaRegistry registry = ConfluentSchemaRegistry.builder(server.uri()).build();
            registry.register("Customer", CUSTOMER);
            registry.register("Money", MONEY);
            registry.register("OrderPlaced", ORDER, REFS);
            // Widening the name is BACKWARD-compatible, for Customer and for an order that refers to it.
            String customerV2 = CUSTOMER.replace("\"name\":{\"type\":\"string\"}", "\"name\":{\"type\":[\"string\",\"null\"]}");
            assertEquals(2, registry.register("Customer", customerV2).version());
            int requestsBefore = server.requests();

            assertEquals(1, registry.register("OrderPlaced", ORDER, REFS).version());
            assertEquals(requestsBefore, server.requests(), "a known schema with the same references is answered from the cache");
            List<ConfluentSchemaReference> onV2 = List.of(new ConfluentSchemaReference("customer.json", "Customer", 2), REFS.get(1));
            SchemaVersion v2 = registry.register("OrderPlaced", ORDER, onV2);

            assertEquals(2, v2.version());
            assertEquals(onV2, registry.references("OrderPlaced", 2));
            assertTrue(v2.schema().contains("[\"string\",\"null\"]"), v2.schema());
            assertEquals(1, registry.find("OrderPlaced", ORDER, REFS).orElseThrow().version());
            assertTrue(registry.find("OrderPlaced", ORDER).isEmpty(), "the text without its references is another schema");
        }
    }

    @Test
    void compatibilityIsJudgedWithTheReferencesResolved() throws IOException {
        try (ConfluentTestServer server = ConfluentTestServer.start(null)) {
            ConfluentSchemaRegistry registry = ConfluentSchemaRegistry.builder(server.uri()).build();
            registry.register("Customer", CUSTOMER);
            registry.register("Money", MONEY);
            registry.register("OrderPlaced", ORDER, REFS);
            registry.setCompatibility("Money", CompatibilityMode.NONE);
            // Money v2 narrows the amount to strings: an order referring to it no longer reads old orders.
            registry.register("Money", MONEY.replace("\"amount\":{\"type\":\"integer\"}", "\"amount\":{\"type\":\"string\"}"));
            List<ConfluentSchemaReference> onMoneyV2 = List.of(REFS.get(0), new ConfluentSchemaReference("money.json", "Money", 2));

            assertFalse(registry.check("OrderPlaced", ORDER, onMoneyV2).isCompatible());
            assertThrows(IncompatibleSchemaException.class, () -> registry.register("OrderPlaced", ORDER, onMoneyV2));
            assertEquals(List.of(1), registry.versions("OrderPlaced"));
        }
    }

    @Test
    void aReferenceToAMissingVersionIsRefusedByTheAdapterAndByTheRegistry() throws IOException, InterruptedException {
        try (ConfluentTestServer server = ConfluentTestServer.start(null)) {
            ConfluentSchemaRegistry registry = ConfluentSchemaRegistry.builder(server.uri()).build();
            registry.register("Customer", CUSTOMER);
            List<ConfluentSchemaReference> missing = List.of(new ConfluentSchemaReference("customer.json", "Customer", 9));

            assertThrows(UnknownSchemaException.class, () -> registry.register("OrderPlaced", ORDER, missing));
            assertThrows(UnknownSchemaException.class, () -> registry.check("OrderPlaced", ORDER, missing));

            HttpResponse<String> raw = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.uri() + "/subjects/OrderPlaced/versions"))
                    .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"schemaType\":\"JSON\",\"schema\":" + quote(ORDER)
                            + ",\"references\":[{\"name\":\"customer.json\",\"subject\":\"Customer\",\"version\":9}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(422, raw.statusCode());
            assertTrue(raw.body().contains("42201"), raw.body());
            assertThrows(io.nexus.core.schema.UnknownSubjectException.class, () -> registry.versions("OrderPlaced"));
        }
    }

    @Test
    void aReferenceNameThatClashesWithAnOwnDefinitionOrMeansTwoSchemasIsRefused() throws IOException {
        try (ConfluentTestServer server = ConfluentTestServer.start(null)) {
            ConfluentSchemaRegistry registry = ConfluentSchemaRegistry.builder(server.uri()).build();
            registry.register("Customer", CUSTOMER);
            String clashing = "{\"type\":\"object\",\"properties\":{\"c\":{\"$ref\":\"customer.json\"}},"
                    + "\"$defs\":{\"customer.json\":{\"type\":\"string\"}}}";

            InvalidSchemaException e = assertThrows(InvalidSchemaException.class,
                    () -> registry.register("Clash", clashing, List.of(REFS.get(0))));
            assertTrue(e.getMessage().contains("already defines 'customer.json'"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new ConfluentSchemaReference("x.json", "X", 0));
            assertThrows(IllegalArgumentException.class, () -> new ConfluentSchemaReference(" ", "X", 1));
        }
    }

    private static NewEvent event(String json) {
        return NewEvent.of("OrderPlaced", 1, EventPayload.ofJson(json));
    }

    private static String quote(String text) {
        return new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(text).toString();
    }
}
