package io.nexus.docs;

import io.nexus.core.Nexus;
import io.nexus.core.schema.InMemorySchemaRegistry;
import io.nexus.core.schema.MissingUpcaster;
import io.nexus.core.schema.SchemaEvolution;
import io.nexus.core.schema.SchemaFiles;
import io.nexus.core.schema.SchemaRegistry;
import io.nexus.core.schema.SchemaRegistryEventValidator;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.upcast.Upcaster;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The code of docs/schema-governance.md on the embedded registry. */
class SchemaGovernanceDocTest {

    record OrderPlaced(String orderId, double total, String note) { }

    record OrderShipped(String orderId) { }

    private static final String V1 = "{\"type\": \"object\", \"properties\": {\"orderId\": {\"type\": \"string\"}, "
            + "\"total\": {\"type\": \"number\"}}, \"required\": [\"orderId\", \"total\"], \"additionalProperties\": false}";

    @Test
    void schemaFilesAreRegisteredAndValidateTheCommandPath() {
        EventTypes eventTypes = EventTypes.builder().register(OrderPlaced.class, "OrderPlaced", 1)
                .register(OrderShipped.class, "OrderShipped", 1).build();
        // tag::register[]
        SchemaRegistry registry = InMemorySchemaRegistry.create();          // or GlueSchemaRegistry / ConfluentSchemaRegistry
        SchemaFiles.registerClasspath(registry,
                "schemas/OrderPlaced.v1.json", "schemas/OrderPlaced.v2.json", "schemas/OrderShipped.v1.json");
        // or SchemaFiles.registerDirectory(registry, Path.of("config/schemas"));

        Nexus nexus = Nexus.builder()
                .validator(SchemaRegistryEventValidator.builder(registry).build())
                .eventTypes(eventTypes)
                .build();
        // end::register[]
        try (nexus) {
            assertEquals(2, registry.latest("OrderPlaced").version());
            assertEquals(1, registry.latest("OrderShipped").version());
        }
    }

    @Test
    void aBreakingChangeIsRegisteredWithItsUpcasterAndAudited() {
        SchemaRegistry registry = InMemorySchemaRegistry.create();
        registry.register("OrderPlaced", V1);
        String v2Schema = "{\"type\": \"object\", \"properties\": {\"orderId\": {\"type\": \"string\"}, "
                + "\"totalCents\": {\"type\": \"integer\"}}, \"required\": [\"orderId\", \"totalCents\"], \"additionalProperties\": false}";
        // tag::upcast[]
        Upcaster v1ToV2 = Upcaster.of("OrderPlaced", 1, node -> {
            node.put("totalCents", Math.round(node.remove("total").asDouble() * 100));
            return node;
        });
        SchemaEvolution.registerBreakingChange(registry, "OrderPlaced", v2Schema, List.of(v1ToV2));
        // end::upcast[]
        assertEquals(2, registry.latest("OrderPlaced").version());

        EventTypes eventTypes = EventTypes.builder().register(OrderPlaced.class, "OrderPlaced", 2)
                .register(OrderShipped.class, "OrderShipped", 1).build();
        List<Upcaster> upcasters = List.of();
        // tag::audit[]
        List<MissingUpcaster> missing = SchemaEvolution.missingUpcasters(registry, eventTypes, upcasters);
        List<String> unregistered = SchemaEvolution.missingSchemas(registry, eventTypes);   // ["OrderShipped v1"]
        // end::audit[]
        assertEquals(1, missing.size(), missing.toString());
        assertEquals("OrderPlaced", missing.get(0).eventType());
        assertEquals(List.of("OrderShipped v1"), unregistered);
    }
}
