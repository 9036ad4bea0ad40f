package io.nexus.confluent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nexus.core.schema.InvalidSchemaException;
import io.nexus.core.schema.JsonSchemas;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Turns a schema with Confluent references into one self-contained JSON Schema document, by the bundling
 * rule of JSON Schema (2020-12, section 9.3; the same holds for drafts 6 and 7): every referenced schema is
 * embedded under {@code $defs} ({@code definitions} before 2019-09) with its reference name as {@code $id},
 * so a {@code $ref} to that name, with or without a fragment, resolves to the embedded copy and the embedded
 * schema's own {@code #...} pointers stay relative to itself. A root without {@code $id} gets one under
 * {@code https://schema-registry.invalid/} (a reserved domain: nothing is ever fetched), since relative
 * names need a base URI.
 */
final class ReferenceBundle {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ReferenceBundle() {
    }

    /**
     * The bundled document of {@code schema} (of {@code subject}) with the referenced schemas
     * {@code byName} (reference name → schema text, transitively: references of references included).
     *
     * @throws InvalidSchemaException if a document is not JSON, the root is not an object, or a name is taken
     *                                by a definition of the root's own
     */
    static String bundle(String subject, String schema, Map<String, String> byName) {
        if (byName.isEmpty()) {
            return schema;
        }
        JsonNode parsed = JsonSchemas.parse(subject, schema);
        if (!parsed.isObject()) {
            throw new InvalidSchemaException(subject, "a schema with references must be a JSON object, but it is "
                    + parsed.getNodeType().name().toLowerCase(), null);
        }
        ObjectNode root = ((ObjectNode) parsed).deepCopy();
        String draft = root.path("$schema").asText("");
        boolean old = draft.contains("draft-04") || draft.contains("draft-06") || draft.contains("draft-07");
        String idKey = draft.contains("draft-04") ? "id" : "$id";
        String defsKey = old ? "definitions" : "$defs";
        if (!root.has(idKey)) {
            root.put(idKey, "https://schema-registry.invalid/subjects/"
                    + URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20") + "/schema.json");
        }
        JsonNode existing = root.get(defsKey);
        ObjectNode defs = existing instanceof ObjectNode o ? o : root.putObject(defsKey);
        for (Map.Entry<String, String> ref : byName.entrySet()) {
            if (defs.has(ref.getKey())) {
                throw new InvalidSchemaException(subject, "its '" + defsKey + "' already defines '" + ref.getKey()
                        + "', the name of a reference; rename the definition or the reference", null);
            }
            JsonNode referenced = JsonSchemas.parse(subject + " -> " + ref.getKey(), ref.getValue());
            ObjectNode embedded;
            if (referenced.isObject()) {
                embedded = ((ObjectNode) referenced).deepCopy();
            } else {
                // A boolean schema cannot carry an $id: wrap it.
                embedded = MAPPER.createObjectNode();
                embedded.putArray("allOf").add(referenced);
            }
            embedded.put(idKey, ref.getKey());
            defs.set(ref.getKey(), embedded);
        }
        return root.toString();
    }
}
