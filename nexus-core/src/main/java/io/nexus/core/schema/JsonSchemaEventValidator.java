package io.nexus.core.schema;

import com.networknt.schema.JsonSchema;
import io.nexus.core.NexusException;
import io.nexus.core.event.NewEvent;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Validates new events against a fixed set of JSON Schemas given at startup, one per event type and schema
 * version, without a registry (see {@link SchemaRegistryEventValidator} for validation against a
 * {@link SchemaRegistry}). Draft 2020-12 unless a schema's {@code $schema} says otherwise. With {@code requireSchema} (the default),
 * an event type with no schema is refused: governance first. Schemas are compiled once. Thread-safe.
 *
 * <pre>{@code
 * EventValidator validator = JsonSchemaEventValidator.builder()
 *         .classpath("OrderPlaced", 1, "schemas/OrderPlaced-v1.json")
 *         .build();
 * }</pre>
 */
public final class JsonSchemaEventValidator implements EventValidator {

    private final Map<String, JsonSchema> schemas;
    private final boolean requireSchema;

    private JsonSchemaEventValidator(Map<String, JsonSchema> schemas, boolean requireSchema) {
        this.schemas = Map.copyOf(schemas);
        this.requireSchema = requireSchema;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void validate(String streamId, NewEvent event) {
        JsonSchema schema = schemas.get(key(event.eventType(), event.schemaVersion()));
        if (schema == null) {
            if (requireSchema) {
                throw new UnknownSchemaException(event.eventType(), event.schemaVersion());
            }
            return;
        }
        List<Violation> violations = JsonSchemas.validate(schema, event.payload().unsafeBytes());
        if (!violations.isEmpty()) {
            throw new SchemaViolationException(event.eventType(), event.schemaVersion(), violations);
        }
    }

    private static String key(String eventType, int version) {
        return eventType + "#" + version;
    }

    /** Collects schemas; each is parsed and compiled immediately, so a broken schema fails the build. */
    public static final class Builder {
        private final Map<String, JsonSchema> schemas = new HashMap<>();
        private boolean requireSchema = true;

        private Builder() {
        }

        /** Registers {@code schemaJson} for {@code eventType} at {@code version}. */
        public Builder schema(String eventType, int version, String schemaJson) {
            Objects.requireNonNull(eventType, "eventType");
            JsonSchema schema;
            try {
                schema = JsonSchemas.compile(eventType, schemaJson);
            } catch (InvalidSchemaException e) {
                throw new InvalidSchemaException(eventType, version, e.getMessage(), e);
            }
            if (schemas.putIfAbsent(key(eventType, version), schema) != null) {
                throw new IllegalArgumentException("a schema for '" + eventType + "' v" + version + " is registered twice");
            }
            return this;
        }

        /** Registers the schema in classpath resource {@code resource}. */
        public Builder classpath(String eventType, int version, String resource) {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            try (InputStream in = (loader != null ? loader : JsonSchemaEventValidator.class.getClassLoader()).getResourceAsStream(resource)) {
                if (in == null) {
                    throw new InvalidSchemaException(eventType, version, "classpath resource '" + resource + "' does not exist", null);
                }
                return schema(eventType, version, new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new NexusException("Cannot read schema resource '" + resource + "': " + e.getMessage(), e);
            }
        }

        /** Whether an event type without a schema is refused (true by default). */
        public Builder requireSchema(boolean value) {
            this.requireSchema = value;
            return this;
        }

        public JsonSchemaEventValidator build() {
            return new JsonSchemaEventValidator(schemas, requireSchema);
        }
    }
}
