package io.nexus.core.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Parsing, compiling and applying JSON Schemas (networknt json-schema-validator), shared by every validator
 * and registry of Nexus so they all judge documents the same way. Draft 2020-12 unless a schema's
 * {@code $schema} names another draft. Thread-safe, stateless; a compiled {@link JsonSchema} is immutable.
 */
public final class JsonSchemas {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
            .pathType(PathType.JSON_POINTER).build();
    private static final Set<String> TYPES = Set.of("null", "boolean", "object", "array", "number", "string", "integer");

    private JsonSchemas() {
    }

    /**
     * Parses {@code schema} as JSON.
     *
     * @throws InvalidSchemaException naming {@code subject} when the text is not JSON, or is neither an
     *                                object nor a boolean (the only JSON Schema documents there are)
     */
    public static JsonNode parse(String subject, String schema) {
        if (schema == null || schema.isBlank()) {
            throw new InvalidSchemaException(subject, "the schema text is empty", null);
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(schema);
        } catch (IOException e) {
            throw new InvalidSchemaException(subject, "it is not valid JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
        }
        if (node == null || !(node.isObject() || node.isBoolean())) {
            throw new InvalidSchemaException(subject, "a JSON Schema is an object or a boolean, but the document is "
                    + (node == null ? "empty" : node.getNodeType().name().toLowerCase()), null);
        }
        return node;
    }

    /**
     * Parses and compiles {@code schema}; fails when it is not a usable JSON Schema (unknown draft,
     * {@code type} naming no JSON type, a keyword with a value of the wrong kind, an unresolvable reference).
     *
     * @throws InvalidSchemaException naming {@code subject} and the problem
     */
    public static JsonSchema compile(String subject, String schema) {
        return compile(subject, parse(subject, schema));
    }

    /** Compiles an already parsed document; see {@link #compile(String, String)}. */
    public static JsonSchema compile(String subject, JsonNode node) {
        checkTypes(subject, node, "");
        try {
            SpecVersion.VersionFlag flag = node.isObject() && node.has("$schema")
                    ? SpecVersionDetector.detect(node) : SpecVersion.VersionFlag.V202012;
            JsonSchema compiled = JsonSchemaFactory.getInstance(flag).getSchema(node, CONFIG);
            compiled.initializeValidators();
            return compiled;
        } catch (RuntimeException e) {
            throw new InvalidSchemaException(subject, e.getMessage(), e);
        }
    }

    /**
     * Validates {@code payload} (UTF-8 JSON) against {@code schema}.
     *
     * @return the violations sorted by pointer, empty when the payload conforms
     */
    public static List<Violation> validate(JsonSchema schema, byte[] payload) {
        JsonNode node;
        try {
            node = MAPPER.readTree(payload);
        } catch (IOException e) {
            return List.of(new Violation("", "payload is not valid JSON: " + e.getMessage()));
        }
        if (node == null) {
            return List.of(new Violation("", "payload is empty"));
        }
        Set<ValidationMessage> messages = schema.validate(node);
        if (messages.isEmpty()) {
            return List.of();
        }
        List<Violation> violations = new ArrayList<>(messages.size());
        for (ValidationMessage m : messages) {
            violations.add(new Violation(m.getInstanceLocation().toString(), m.getError() == null ? m.getMessage() : m.getError()));
        }
        violations.sort(Comparator.comparing(Violation::pointer).thenComparing(Violation::message));
        return violations;
    }

    private static final Set<String> SCHEMA_MAPS = Set.of("properties", "patternProperties", "$defs", "definitions",
            "dependentSchemas");
    private static final Set<String> SCHEMA_ARRAYS = Set.of("allOf", "anyOf", "oneOf", "prefixItems");
    private static final Set<String> SCHEMA_VALUES = Set.of("items", "additionalProperties", "additionalItems", "not", "if",
            "then", "else", "contains", "propertyNames", "unevaluatedProperties", "unevaluatedItems");

    // networknt ignores a type name it does not know, and keywords of the wrong kind; a registry must refuse them.
    private static void checkTypes(String subject, JsonNode node, String pointer) {
        if (!node.isObject()) {
            return;
        }
        JsonNode type = node.get("type");
        if (type != null) {
            List<JsonNode> names = new ArrayList<>();
            if (type.isArray()) {
                type.forEach(names::add);
            } else {
                names.add(type);
            }
            for (JsonNode name : names) {
                if (!name.isTextual() || !TYPES.contains(name.asText())) {
                    throw new InvalidSchemaException(subject, "at '" + pointer + "/type' the value " + name
                            + " is not a JSON Schema type (expected one of " + new java.util.TreeSet<>(TYPES) + ")", null);
                }
            }
        }
        JsonNode required = node.get("required");
        if (required != null && !required.isArray()) {
            throw new InvalidSchemaException(subject, "at '" + pointer + "/required' expected an array of property names but found "
                    + required.getNodeType().name().toLowerCase(), null);
        }
        node.fields().forEachRemaining(e -> {
            String key = e.getKey();
            JsonNode value = e.getValue();
            String at = pointer + "/" + key.replace("~", "~0").replace("/", "~1");
            if (SCHEMA_MAPS.contains(key)) {
                if (!value.isObject()) {
                    throw new InvalidSchemaException(subject, "at '" + at + "' expected an object of schemas but found "
                            + value.getNodeType().name().toLowerCase(), null);
                }
                value.fields().forEachRemaining(p -> checkTypes(subject, p.getValue(),
                        at + "/" + p.getKey().replace("~", "~0").replace("/", "~1")));
            } else if (SCHEMA_ARRAYS.contains(key) || key.equals("items") && value.isArray()) {
                if (!value.isArray()) {
                    throw new InvalidSchemaException(subject, "at '" + at + "' expected an array of schemas but found "
                            + value.getNodeType().name().toLowerCase(), null);
                }
                for (int i = 0; i < value.size(); i++) {
                    checkTypes(subject, value.get(i), at + "/" + i);
                }
            } else if (SCHEMA_VALUES.contains(key)) {
                if (!value.isObject() && !value.isBoolean()) {
                    throw new InvalidSchemaException(subject, "at '" + at + "' expected a schema but found "
                            + value.getNodeType().name().toLowerCase(), null);
                }
                checkTypes(subject, value, at);
            }
        });
    }
}
