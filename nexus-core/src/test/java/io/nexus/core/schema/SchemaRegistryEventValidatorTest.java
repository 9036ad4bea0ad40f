package io.nexus.core.schema;

import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchemaRegistryEventValidatorTest {

    private static final String ORDER_PLACED = """
            {"type":"object","properties":{"orderId":{"type":"string"},"total":{"type":"number","minimum":0}},
             "required":["orderId","total"]}""";

    private final InMemorySchemaRegistry registry = InMemorySchemaRegistry.create();

    @Test
    void acceptsAConformingEvent() {
        registry.register("OrderPlaced", ORDER_PLACED);
        EventValidator validator = SchemaRegistryEventValidator.builder(registry).build();

        assertDoesNotThrow(() -> validator.validate("order-1", event("OrderPlaced", 1, "{\"orderId\":\"o-1\",\"total\":5}")));
    }

    @Test
    void refusesAViolationNamingTypeVersionPointerAndMessage() {
        registry.register("OrderPlaced", ORDER_PLACED);
        EventValidator validator = SchemaRegistryEventValidator.builder(registry).build();

        SchemaViolationException e = assertThrows(SchemaViolationException.class,
                () -> validator.validate("order-1", event("OrderPlaced", 1, "{\"total\":-1}")));

        assertEquals("OrderPlaced", e.eventType());
        assertEquals(1, e.schemaVersion());
        assertEquals(2, e.violations().size(), e.violations().toString());
        assertTrue(e.violations().stream().anyMatch(v -> v.pointer().equals("/total") && v.message().contains("minimum")), e.violations().toString());
        assertTrue(e.violations().stream().anyMatch(v -> v.pointer().isEmpty() && v.message().contains("orderId")), e.violations().toString());
        assertTrue(e.getMessage().contains("'OrderPlaced'") && e.getMessage().contains("version 1"), e.getMessage());
    }

    @Test
    void refusesAPayloadThatIsNotJson() {
        registry.register("OrderPlaced", ORDER_PLACED);
        EventValidator validator = SchemaRegistryEventValidator.builder(registry).build();

        SchemaViolationException e = assertThrows(SchemaViolationException.class,
                () -> validator.validate("order-1", event("OrderPlaced", 1, "{not json")));
        assertTrue(e.violations().get(0).message().contains("not valid JSON"));
    }

    @Test
    void refusesAnUnregisteredTypeAndAnUnregisteredVersion() {
        registry.register("OrderPlaced", ORDER_PLACED);
        EventValidator validator = SchemaRegistryEventValidator.builder(registry).build();

        UnknownSchemaException type = assertThrows(UnknownSchemaException.class,
                () -> validator.validate("order-1", event("OrderShipped", 1, "{}")));
        assertEquals("OrderShipped", type.eventType());
        UnknownSchemaException version = assertThrows(UnknownSchemaException.class,
                () -> validator.validate("order-1", event("OrderPlaced", 2, "{\"orderId\":\"o\",\"total\":1}")));
        assertEquals(2, version.schemaVersion());
    }

    @Test
    void failsClosedWhenTheRegistryIsUnavailable() {
        registry.register("OrderPlaced", ORDER_PLACED);
        FlakyRegistry flaky = new FlakyRegistry(registry);
        EventValidator validator = SchemaRegistryEventValidator.builder(flaky).cacheTtl(Duration.ZERO).build();
        validator.validate("order-1", event("OrderPlaced", 1, "{\"orderId\":\"o-1\",\"total\":5}"));

        flaky.down.set(true);

        SchemaRegistryUnavailableException e = assertThrows(SchemaRegistryUnavailableException.class,
                () -> validator.validate("order-1", event("OrderPlaced", 1, "{\"orderId\":\"o-1\",\"total\":5}")));
        assertTrue(e.isTransient());
    }

    @Test
    void usesTheLastKnownSchemaWhenConfiguredAndStillValidates() {
        registry.register("OrderPlaced", ORDER_PLACED);
        FlakyRegistry flaky = new FlakyRegistry(registry);
        EventValidator validator = SchemaRegistryEventValidator.builder(flaky).cacheTtl(Duration.ZERO)
                .useLastKnownSchemaWhenUnavailable(true).build();
        validator.validate("order-1", event("OrderPlaced", 1, "{\"orderId\":\"o-1\",\"total\":5}"));

        flaky.down.set(true);

        assertDoesNotThrow(() -> validator.validate("order-1", event("OrderPlaced", 1, "{\"orderId\":\"o-2\",\"total\":7}")));
        assertThrows(SchemaViolationException.class,
                () -> validator.validate("order-1", event("OrderPlaced", 1, "{\"orderId\":\"o-2\"}")));
        // A version never fetched has no last known schema: still refused.
        assertThrows(SchemaRegistryUnavailableException.class,
                () -> validator.validate("order-1", event("OrderPlaced", 2, "{}")));
    }

    @Test
    void cachesCompiledSchemasWithinTheTtl() {
        registry.register("OrderPlaced", ORDER_PLACED);
        FlakyRegistry flaky = new FlakyRegistry(registry);
        EventValidator validator = SchemaRegistryEventValidator.builder(flaky).cacheTtl(Duration.ofHours(1)).build();
        validator.validate("order-1", event("OrderPlaced", 1, "{\"orderId\":\"o-1\",\"total\":5}"));
        flaky.down.set(true);

        assertDoesNotThrow(() -> validator.validate("order-1", event("OrderPlaced", 1, "{\"orderId\":\"o-1\",\"total\":5}")));
        assertEquals(1, flaky.fetches);
    }

    @Test
    void builderRejectsBadSettings() {
        SchemaRegistryEventValidator.Builder builder = SchemaRegistryEventValidator.builder(registry);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> builder.cacheTtl(Duration.ofSeconds(-1)));
        assertTrue(e.getMessage().contains("cacheTtl"));
        assertThrows(IllegalArgumentException.class, () -> builder.maximumSize(0));
    }

    @Test
    void jsonSchemaEventValidatorSharesTheSameJudgement() {
        EventValidator fixed = JsonSchemaEventValidator.builder().schema("OrderPlaced", 1, ORDER_PLACED).build();
        SchemaViolationException e = assertThrows(SchemaViolationException.class,
                () -> fixed.validate("order-1", event("OrderPlaced", 1, "{\"total\":-1}")));
        assertEquals(2, e.violations().size());
        InvalidSchemaException invalid = assertThrows(InvalidSchemaException.class,
                () -> JsonSchemaEventValidator.builder().schema("Bad", 1, "{\"type\":\"strin\"}"));
        assertTrue(invalid.getMessage().contains("'Bad'"), invalid.getMessage());
    }

    @Test
    void aPropertyNamedTypeIsNotMistakenForTheKeyword() {
        registry.register("Tagged", "{\"type\":\"object\",\"properties\":{\"type\":{\"type\":\"string\"},"
                + "\"items\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}}}");
        EventValidator validator = SchemaRegistryEventValidator.builder(registry).build();

        assertDoesNotThrow(() -> validator.validate("t-1", event("Tagged", 1, "{\"type\":\"x\",\"items\":[1,2]}")));
        SchemaViolationException e = assertThrows(SchemaViolationException.class,
                () -> validator.validate("t-1", event("Tagged", 1, "{\"type\":1,\"items\":[\"a\"]}")));
        assertEquals(List.of("/items/0", "/type"), e.violations().stream().map(Violation::pointer).toList());
    }

    @Test
    void keywordsOfTheWrongKindAreRefused() {
        for (String bad : List.of("{\"type\":\"strin\"}", "{\"type\":[\"string\",3]}", "{\"properties\":[]}",
                "{\"required\":\"id\"}", "{\"properties\":{\"a\":{\"type\":\"nope\"}}}", "{\"items\":5}",
                "{\"anyOf\":{}}", "{\"$defs\":{\"x\":{\"type\":\"bad\"}}}")) {
            assertThrows(InvalidSchemaException.class, () -> registry.register("Bad", bad), bad);
        }
        assertThrows(UnknownSubjectException.class, () -> registry.versions("Bad"));
    }

    private static NewEvent event(String type, int version, String json) {
        return NewEvent.of(type, version, EventPayload.ofJson(json));
    }

    /** A registry front that can be switched off, standing in for a network partition. */
    private static final class FlakyRegistry implements ReadSchemas {
        private final ReadSchemas delegate;
        private final AtomicBoolean down = new AtomicBoolean();
        private int fetches;

        FlakyRegistry(ReadSchemas delegate) {
            this.delegate = delegate;
        }

        private void check(String op) {
            if (down.get()) {
                throw new SchemaRegistryUnavailableException("flaky", op, new java.net.ConnectException("Connection refused"));
            }
        }

        @Override
        public SchemaVersion version(String subject, int version) {
            check("version");
            fetches++;
            return delegate.version(subject, version);
        }

        @Override
        public SchemaVersion latest(String subject) {
            check("latest");
            return delegate.latest(subject);
        }

        @Override
        public Optional<SchemaVersion> find(String subject, String schema) {
            check("find");
            return delegate.find(subject, schema);
        }

        @Override
        public List<Integer> versions(String subject) {
            check("versions");
            return delegate.versions(subject);
        }

        @Override
        public List<String> subjects() {
            check("subjects");
            return delegate.subjects();
        }
    }
}
