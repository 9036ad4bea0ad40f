package io.nexus.core.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Canonical form and fingerprint of JSON Schema documents: object keys sorted, insignificant whitespace
 * removed; the fingerprint is the SHA-256 of the canonical UTF-8 text. Thread-safe, stateless.
 */
public final class SchemaFingerprint {

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    private SchemaFingerprint() {
    }

    /**
     * The canonical text of {@code schema}.
     *
     * @throws InvalidSchemaException if {@code schema} is not JSON
     */
    public static String canonical(String subject, String schema) {
        return canonical(JsonSchemas.parse(subject, schema));
    }

    /** The canonical text of an already parsed document. */
    public static String canonical(JsonNode node) {
        try {
            return CANONICAL.writeValueAsString(sorted(node));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a parsed JSON tree cannot be written back", e);
        }
    }

    /**
     * The fingerprint of {@code schema}.
     *
     * @throws InvalidSchemaException if {@code schema} is not JSON
     */
    public static String of(String subject, String schema) {
        return sha256(canonical(subject, schema));
    }

    /** The fingerprint of an already parsed document. */
    public static String of(JsonNode node) {
        return sha256(canonical(node));
    }

    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            for (String name : names) {
                out.set(name, sorted(node.get(name)));
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            node.forEach(e -> out.add(sorted(e)));
            return out;
        }
        return node;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
