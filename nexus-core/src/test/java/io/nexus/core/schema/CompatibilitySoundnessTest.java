package io.nexus.core.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The checker against the validator: for schema pairs in both directions, when the checker says the reader can
 * read the writer's data, no generated document valid under the writer may be invalid under the reader
 * (soundness); when it says it cannot, the generator must find such a document (a witness), so the verdict is
 * not merely syntactic. 5,000 seeded random documents per pair and direction.
 */
class CompatibilitySoundnessTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String[] KEYS = {"id", "qty", "note", "status", "total", "address", "type"};
    private static final String[] WORDS = {"A", "B", "C", "o-1", "o-22", "x", "", "EUR", "hello world", "abcdefghijklmnop"};

    private static final String OPEN = "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"qty\":{\"type\":\"integer\"}},\"required\":[\"id\"]}";
    private static final String CLOSED = "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"qty\":{\"type\":\"integer\"}},\"required\":[\"id\"],\"additionalProperties\":false}";

    static Stream<Arguments> pairs() {
        return Stream.of(
                Arguments.of("note added to open model", OPEN, OPEN.replace("\"qty\":{\"type\":\"integer\"}", "\"qty\":{\"type\":\"integer\"},\"note\":{\"type\":\"string\"}")),
                Arguments.of("note added to closed model", CLOSED, CLOSED.replace("\"qty\":{\"type\":\"integer\"}", "\"qty\":{\"type\":\"integer\"},\"note\":{\"type\":\"string\"}")),
                Arguments.of("qty removed, open", OPEN, OPEN.replace(",\"qty\":{\"type\":\"integer\"}", "")),
                Arguments.of("qty removed, closed", CLOSED, CLOSED.replace(",\"qty\":{\"type\":\"integer\"}", "")),
                Arguments.of("qty integer -> number", OPEN, OPEN.replace("\"qty\":{\"type\":\"integer\"}", "\"qty\":{\"type\":\"number\"}")),
                Arguments.of("qty integer -> string", OPEN, OPEN.replace("\"qty\":{\"type\":\"integer\"}", "\"qty\":{\"type\":\"string\"}")),
                Arguments.of("qty made required", OPEN, OPEN.replace("[\"id\"]", "[\"id\",\"qty\"]")),
                Arguments.of("model closed", OPEN, CLOSED),
                Arguments.of("status enum extended", "{\"type\":\"string\",\"enum\":[\"A\",\"B\"]}", "{\"type\":\"string\",\"enum\":[\"A\",\"B\",\"C\"]}"),
                Arguments.of("maxLength 5 -> 12", "{\"type\":\"string\",\"maxLength\":5}", "{\"type\":\"string\",\"maxLength\":12}"),
                Arguments.of("pattern added", "{\"type\":\"string\"}", "{\"type\":\"string\",\"pattern\":\"^o-\"}"),
                Arguments.of("minimum 0 -> 5", "{\"type\":\"integer\",\"minimum\":0}", "{\"type\":\"integer\",\"minimum\":5}"),
                Arguments.of("partially open model covers note", "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"}},\"additionalProperties\":{\"type\":\"string\"}}",
                        "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"note\":{\"type\":\"string\"}},\"additionalProperties\":{\"type\":\"string\"}}"),
                Arguments.of("oneOf gains integer", "{\"oneOf\":[{\"type\":\"string\"}]}", "{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}"),
                Arguments.of("nested city required", "{\"type\":\"object\",\"properties\":{\"address\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}",
                        "{\"type\":\"object\",\"properties\":{\"address\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void verdictsAgreeWithTheValidator(String change, String a, String b) throws Exception {
        check(change + " (v1 -> v2)", a, b);
        check(change + " (v2 -> v1)", b, a);
    }

    private static void check(String name, String writerText, String readerText) throws Exception {
        JsonNode writer = MAPPER.readTree(writerText);
        JsonNode reader = MAPPER.readTree(readerText);
        JsonSchema writerSchema = JsonSchemas.compile("w", writer);
        JsonSchema readerSchema = JsonSchemas.compile("r", reader);
        boolean compatible = JsonSchemaCompatibility.canRead(writer, reader);
        Random random = new Random(name.hashCode());
        int validUnderWriter = 0;
        for (int i = 0; i < 5_000; i++) {
            byte[] doc = MAPPER.writeValueAsBytes(document(random, 0));
            if (!JsonSchemas.validate(writerSchema, doc).isEmpty()) {
                continue;
            }
            validUnderWriter++;
            List<Violation> underReader = JsonSchemas.validate(readerSchema, doc);
            if (!underReader.isEmpty()) {
                if (compatible) {
                    fail(name + ": the checker says compatible, but " + new String(doc, StandardCharsets.UTF_8)
                            + " is valid under the writer and not under the reader: " + underReader);
                }
                return;
            }
        }
        assertTrue(validUnderWriter >= 50, name + ": only " + validUnderWriter + " generated documents were valid under the writer");
        if (!compatible) {
            fail(name + ": the checker says incompatible, but none of " + validUnderWriter
                    + " documents valid under the writer was refused by the reader: " + JsonSchemaCompatibility.diff(writer, reader));
        }
    }

    private static JsonNode document(Random random, int depth) {
        int kind = random.nextInt(10);
        if (depth > 0 || kind >= 4) {
            return kind < 7 || depth > 1 ? object(random, depth) : value(random, depth);
        }
        return value(random, depth);
    }

    private static ObjectNode object(Random random, int depth) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        if (random.nextInt(10) < 8) {
            node.put("id", WORDS[random.nextInt(WORDS.length)]);
        }
        if (random.nextInt(10) < 4) {
            node.put("qty", random.nextInt(20) - 5);
        }
        int extra = random.nextInt(4);
        for (int i = 0; i < extra; i++) {
            String key = KEYS[random.nextInt(KEYS.length)];
            if (key.equals("address") && depth < 1) {
                ObjectNode address = JsonNodeFactory.instance.objectNode();
                if (random.nextBoolean()) {
                    address.set("city", value(random, depth + 1));
                }
                node.set("address", address);
            } else {
                node.set(key, value(random, depth + 1));
            }
        }
        return node;
    }

    private static JsonNode value(Random random, int depth) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (random.nextInt(depth > 1 ? 6 : 7)) {
            case 0, 1 -> f.textNode(WORDS[random.nextInt(WORDS.length)]);
            case 2 -> f.numberNode(random.nextInt(20) - 5);
            case 3 -> f.numberNode(random.nextInt(200) / 10.0);
            case 4 -> f.booleanNode(random.nextBoolean());
            case 5 -> f.nullNode();
            default -> {
                ArrayNode array = f.arrayNode();
                array.add(value(random, depth + 1));
                yield array;
            }
        };
    }
}
