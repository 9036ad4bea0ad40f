package io.nexus.examples.order.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexus.core.Nexus;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.schema.JsonSchemaEventValidator;
import io.nexus.core.schema.SchemaViolationException;
import io.nexus.core.schema.UnknownSchemaException;
import io.nexus.core.schema.Violation;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.serialization.EventTypeInfo;
import io.nexus.examples.order.OrderModule;
import io.nexus.examples.order.domain.AddLine;
import io.nexus.examples.order.domain.LineAdded;
import io.nexus.examples.order.domain.LineRemoved;
import io.nexus.examples.order.domain.OrderCancelled;
import io.nexus.examples.order.domain.OrderConfirmed;
import io.nexus.examples.order.domain.OrderPlaced;
import io.nexus.examples.order.domain.OrderRules;
import io.nexus.examples.order.domain.PlaceOrder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Order event schemas: strict, in step with the aggregate's limits, and enforced before append. */
class OrderSchemaTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final JsonSchemaEventValidator validator = OrderModule.validator();
    private final EventCodec codec = EventCodec.jackson(OrderModule.eventTypes());

    private NewEvent encode(Object event) {
        return codec.encode(event, UUID.randomUUID(), null, null, Map.of());
    }

    private static NewEvent raw(String type, String json) {
        return NewEvent.of(type, 1, EventPayload.ofBytes(json.getBytes(StandardCharsets.UTF_8)));
    }

    private SchemaViolationException refused(NewEvent event) {
        return assertThrows(SchemaViolationException.class, () -> validator.validate("order-1", event));
    }

    private static List<String> pointers(SchemaViolationException e) {
        return e.violations().stream().map(Violation::pointer).toList();
    }

    @Test
    void everyValidEventPasses() {
        validator.validate("order-1", encode(new OrderPlaced("order-1", "customer-7")));
        validator.validate("order-1", encode(new LineAdded("order-1", "apple", 1, 0)));
        validator.validate("order-1", encode(new LineAdded("order-1", "apple", OrderRules.MAX_QUANTITY, OrderRules.MAX_UNIT_PRICE_CENTS)));
        validator.validate("order-1", encode(new LineRemoved("order-1", "apple")));
        validator.validate("order-1", encode(new OrderConfirmed("order-1")));
        validator.validate("order-1", encode(new OrderCancelled("order-1")));
    }

    @Test
    void aQuantityBelowOneIsRefusedAtItsPointer() {
        SchemaViolationException e = refused(encode(new LineAdded("order-1", "apple", 0, 250)));
        assertEquals(List.of("/quantity"), pointers(e));
        assertEquals("LineAdded", e.eventType());
        assertEquals(1, e.schemaVersion());
        assertTrue(e.getMessage().contains("Event 'LineAdded' does not match schema version 1: /quantity"), e.getMessage());
    }

    @Test
    void outOfRangeValuesAreRefusedAtTheirPointers() {
        assertEquals(List.of("/quantity", "/unitPriceCents"),
                pointers(refused(encode(new LineAdded("order-1", "apple", OrderRules.MAX_QUANTITY + 1, -1)))));
        assertEquals(List.of("/unitPriceCents"),
                pointers(refused(encode(new LineAdded("order-1", "apple", 1, OrderRules.MAX_UNIT_PRICE_CENTS + 1)))));
        assertEquals(List.of("/sku"), pointers(refused(encode(new LineRemoved("order-1", "no spaces")))));
        assertEquals(List.of("/orderId"), pointers(refused(encode(new OrderConfirmed("")))));
        assertEquals(List.of("/customerId"), pointers(refused(encode(new OrderPlaced("order-1", "   ")))));
    }

    @Test
    void unknownFieldsMissingFieldsAndWrongTypesAreRefused() {
        SchemaViolationException extra = refused(raw("OrderConfirmed", "{\"orderId\":\"order-1\",\"note\":\"x\"}"));
        assertEquals(List.of(""), pointers(extra));
        assertTrue(extra.violations().get(0).message().contains("note"), extra.getMessage());

        SchemaViolationException missing = refused(raw("LineAdded", "{\"orderId\":\"order-1\",\"sku\":\"apple\",\"quantity\":1}"));
        assertEquals(List.of(""), pointers(missing));
        assertTrue(missing.violations().get(0).message().contains("unitPriceCents"), missing.getMessage());

        assertEquals(List.of("/quantity"), pointers(refused(raw("LineAdded",
                "{\"orderId\":\"order-1\",\"sku\":\"apple\",\"quantity\":1.5,\"unitPriceCents\":1}"))));
        assertEquals(List.of("/customerId"), pointers(refused(raw("OrderPlaced", "{\"orderId\":\"order-1\",\"customerId\":7}"))));
    }

    @Test
    void anEventTypeWithoutASchemaIsRefused() {
        UnknownSchemaException e = assertThrows(UnknownSchemaException.class,
                () -> validator.validate("order-1", raw("OrderShipped", "{\"orderId\":\"order-1\"}")));
        assertTrue(e.getMessage().contains("'OrderShipped' version 1"), e.getMessage());
    }

    @Test
    void everySchemaIsStrictDraft07AndStatesTheAggregatesLimits() throws IOException {
        for (EventTypeInfo type : OrderModule.eventTypes().all()) {
            JsonNode schema = schema(type.name(), type.version());
            assertEquals("http://json-schema.org/draft-07/schema#", schema.path("$schema").asText(),
                    type.name() + " declares draft-07, a draft every registry (Glue included) accepts");
            assertFalse(schema.path("additionalProperties").asBoolean(true), type.name() + " must refuse unknown fields");
            JsonNode properties = schema.path("properties");
            List<String> fields = List.of(type.javaType().getRecordComponents()).stream().map(c -> c.getName()).toList();
            assertEquals(fields.size(), properties.size(), type.name() + " describes exactly the event's fields");
            for (String field : fields) {
                assertTrue(properties.has(field), type.name() + " describes " + field);
            }
            List<String> required = MAPPER.convertValue(schema.path("required"), MAPPER.getTypeFactory()
                    .constructCollectionType(List.class, String.class));
            assertEquals(fields.stream().sorted().toList(), required.stream().sorted().toList(), type.name() + " requires every field");
            assertEquals(OrderRules.ORDER_ID_PATTERN, properties.path("orderId").path("pattern").asText(), type.name());
        }
        JsonNode lineAdded = schema("LineAdded", 1).path("properties");
        assertEquals(1, lineAdded.path("quantity").path("minimum").asInt());
        assertEquals(OrderRules.MAX_QUANTITY, lineAdded.path("quantity").path("maximum").asInt());
        assertEquals(0, lineAdded.path("unitPriceCents").path("minimum").asLong());
        assertEquals(OrderRules.MAX_UNIT_PRICE_CENTS, lineAdded.path("unitPriceCents").path("maximum").asLong());
        assertEquals(OrderRules.SKU_PATTERN, lineAdded.path("sku").path("pattern").asText());
        assertEquals(OrderRules.SKU_PATTERN, schema("LineRemoved", 1).path("properties").path("sku").path("pattern").asText());
        assertEquals(OrderRules.MAX_CUSTOMER_ID_LENGTH,
                schema("OrderPlaced", 1).path("properties").path("customerId").path("maxLength").asInt());
    }

    @Test
    void theCommandPathRefusesAnEventItsSchemaRefusesAndStoresNothing() {
        // A stricter LineAdded schema than the aggregate's own limit shows the schema deciding on its own.
        String strictLineAdded = "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\","
                + "\"additionalProperties\":false,\"required\":[\"orderId\",\"sku\",\"quantity\",\"unitPriceCents\"],"
                + "\"properties\":{\"orderId\":{\"type\":\"string\"},\"sku\":{\"type\":\"string\"},"
                + "\"quantity\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":5},\"unitPriceCents\":{\"type\":\"integer\"}}}";
        JsonSchemaEventValidator.Builder strict = JsonSchemaEventValidator.builder().schema("LineAdded", 1, strictLineAdded);
        for (EventTypeInfo type : OrderModule.eventTypes().all()) {
            if (!type.name().equals("LineAdded")) {
                strict.classpath(type.name(), type.version(), OrderModule.schemaResource(type.name(), type.version()));
            }
        }
        try (Nexus nexus = Nexus.builder().module(new OrderModule(strict.build())).build()) {
            nexus.commands().send(new PlaceOrder("order-1", "customer-7"));
            nexus.commands().send(new AddLine("order-1", "apple", 5, 100));
            SchemaViolationException e = assertThrows(SchemaViolationException.class,
                    () -> nexus.commands().send(new AddLine("order-1", "pear", 6, 100)));
            assertEquals(List.of("/quantity"), pointers(e));
            assertEquals(2, nexus.eventStore().currentVersion("order-1"));
            assertEquals(2, nexus.eventStore().headPosition());
        }
    }

    private static JsonNode schema(String type, int version) throws IOException {
        try (InputStream in = OrderSchemaTest.class.getClassLoader().getResourceAsStream(OrderModule.schemaResource(type, version))) {
            assertNotNull(in, "schema of " + type + " v" + version);
            return MAPPER.readTree(in);
        }
    }
}
