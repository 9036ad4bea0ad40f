package io.nexus.core.schema;

import io.nexus.core.serialization.EventTypes;
import io.nexus.core.upcast.Upcaster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchemaEvolutionTest {

    record OrderPlaced(String orderId, long totalCents) {
    }

    private static final String V1 = "{\"type\":\"object\",\"properties\":{\"orderId\":{\"type\":\"string\"},\"total\":{\"type\":\"number\"}},\"required\":[\"orderId\",\"total\"]}";
    private static final String V2_BREAKING = "{\"type\":\"object\",\"properties\":{\"orderId\":{\"type\":\"string\"},\"totalCents\":{\"type\":\"integer\"}},\"required\":[\"orderId\",\"totalCents\"]}";
    private static final Upcaster V1_TO_V2 = Upcaster.of("OrderPlaced", 1, node -> {
        node.put("totalCents", Math.round(node.remove("total").asDouble() * 100));
        return node;
    });

    private final InMemorySchemaRegistry registry = InMemorySchemaRegistry.create();

    @Test
    void aBreakingChangeIsRefusedByThePlainRegistration() {
        registry.register("OrderPlaced", V1);

        IncompatibleSchemaException e = assertThrows(IncompatibleSchemaException.class, () -> registry.register("OrderPlaced", V2_BREAKING));

        assertEquals(CompatibilityMode.BACKWARD, e.mode());
        assertTrue(e.getMessage().contains("BACKWARD") && e.getMessage().contains("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"), e.getMessage());
        assertEquals(List.of(1), registry.versions("OrderPlaced"));
    }

    @Test
    void aBreakingChangeNeedsAnUpcasterAndRestoresTheMode() {
        registry.register("OrderPlaced", V1);

        MissingUpcasterException missing = assertThrows(MissingUpcasterException.class,
                () -> SchemaEvolution.registerBreakingChange(registry, "OrderPlaced", V2_BREAKING, List.of()));
        assertEquals(1, missing.missing().get(0).fromVersion());
        assertEquals(List.of(1), registry.versions("OrderPlaced"));

        SchemaVersion v2 = SchemaEvolution.registerBreakingChange(registry, "OrderPlaced", V2_BREAKING, List.of(V1_TO_V2));

        assertEquals(2, v2.version());
        assertEquals(CompatibilityMode.BACKWARD, registry.compatibility("OrderPlaced"));
    }

    @Test
    void tellsWhichUpcastersAreMissing() {
        registry.register("OrderPlaced", V1);
        SchemaEvolution.registerBreakingChange(registry, "OrderPlaced", V2_BREAKING, List.of(V1_TO_V2));
        registry.register("OrderShipped", "{\"type\":\"object\"}");
        EventTypes types = EventTypes.builder().register(OrderPlaced.class, "OrderPlaced", 2)
                .register(String.class, "OrderShipped", 1).register(Integer.class, "OrderCancelled", 1).build();

        List<MissingUpcaster> missing = SchemaEvolution.missingUpcasters(registry, types, List.of());

        assertEquals(1, missing.size());
        assertEquals("OrderPlaced", missing.get(0).eventType());
        assertEquals(2, missing.get(0).toVersion());
        assertTrue(missing.get(0).breakingChanges().stream().anyMatch(i -> i.pointer().equals("/properties/totalCents")), missing.toString());
        assertEquals(List.of(), SchemaEvolution.missingUpcasters(registry, types, List.of(V1_TO_V2)));
        assertEquals(List.of("OrderCancelled v1"), SchemaEvolution.missingSchemas(registry, types));
    }

    @Test
    void registersFilesInVersionOrderAndIsIdempotent(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("OrderPlaced.v2.json"), V1.replace("\"required\"", "\"description\":\"v2\",\"required\""));
        Files.writeString(dir.resolve("OrderPlaced.v1.json"), V1);
        Files.writeString(dir.resolve("OrderShipped.v1.json"), "{\"type\":\"object\"}");

        List<SchemaVersion> first = SchemaFiles.registerDirectory(registry, dir);
        List<SchemaVersion> again = SchemaFiles.registerDirectory(registry, dir);

        assertEquals(3, first.size());
        assertEquals(first, again);
        assertEquals(List.of(1, 2), registry.versions("OrderPlaced"));
    }

    @Test
    void registersClasspathResources(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("schemas"));
        Files.writeString(dir.resolve("schemas/OrderPlaced.v1.json"), V1);
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (java.net.URLClassLoader loader = new java.net.URLClassLoader(new java.net.URL[]{dir.toUri().toURL()}, previous)) {
            Thread.currentThread().setContextClassLoader(loader);

            List<SchemaVersion> registered = SchemaFiles.registerClasspath(registry, "schemas/OrderPlaced.v1.json");

            assertEquals(1, registered.size());
            assertEquals(SchemaFingerprint.of("OrderPlaced", V1), registry.latest("OrderPlaced").fingerprint());
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    @Test
    void refusesMisnamedGappedAndMisalignedFiles(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("OrderPlaced.json"), V1);
        assertThrows(SchemaFiles.SchemaFileException.class, () -> SchemaFiles.registerDirectory(registry, dir));
        Files.delete(dir.resolve("OrderPlaced.json"));

        Files.writeString(dir.resolve("OrderPlaced.v2.json"), V1);
        SchemaFiles.SchemaFileException gap = assertThrows(SchemaFiles.SchemaFileException.class, () -> SchemaFiles.registerDirectory(registry, dir));
        assertTrue(gap.getMessage().contains("OrderPlaced.v1.json"), gap.getMessage());
        Files.delete(dir.resolve("OrderPlaced.v2.json"));

        registry.register("OrderPlaced", "{\"type\":\"object\",\"description\":\"registered elsewhere\"}");
        Files.writeString(dir.resolve("OrderPlaced.v1.json"), "{\"type\":\"object\",\"description\":\"other\"}");
        SchemaFiles.SchemaFileException misaligned = assertThrows(SchemaFiles.SchemaFileException.class, () -> SchemaFiles.registerDirectory(registry, dir));
        assertTrue(misaligned.getMessage().contains("version 2"), misaligned.getMessage());

        assertThrows(SchemaFiles.SchemaFileException.class, () -> SchemaFiles.registerClasspath(registry, "schemas/Nope.v1.json"));
    }
}
