package io.nexus.core.schema;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compatibility table: each schema change (v1 -> v2) against each mode, with the verdict Confluent Schema
 * Registry gives for JSON Schema. B = backward verdict, F = forward verdict; FULL needs both.
 */
class CompatibilityTableTest {

    private static final String OPEN = "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"qty\":{\"type\":\"integer\"}},\"required\":[\"id\"]}";
    private static final String CLOSED = "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"qty\":{\"type\":\"integer\"}},\"required\":[\"id\"],\"additionalProperties\":false}";

    /**
     * change, v1, v2, the difference that breaks BACKWARD (null: v2 reads v1 data), the difference that breaks
     * FORWARD (null: v1 reads v2 data).
     */
    static Stream<Arguments> changes() {
        return Stream.of(
                row("description only", OPEN, OPEN.replace("{\"type\":\"object\",", "{\"type\":\"object\",\"description\":\"an order\","), null, null),
                row("optional property added, open model", OPEN, OPEN.replace("\"qty\":{\"type\":\"integer\"}", "\"qty\":{\"type\":\"integer\"},\"note\":{\"type\":\"string\"}"), "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", null),
                row("optional property added, closed model", CLOSED, CLOSED.replace("\"qty\":{\"type\":\"integer\"}", "\"qty\":{\"type\":\"integer\"},\"note\":{\"type\":\"string\"}"), null, "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"),
                row("required property added, closed model", CLOSED, CLOSED.replace("\"qty\":{\"type\":\"integer\"}", "\"qty\":{\"type\":\"integer\"},\"note\":{\"type\":\"string\"}").replace("[\"id\"]", "[\"id\",\"note\"]"), "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"),
                row("required property with default added, closed model", CLOSED, CLOSED.replace("\"qty\":{\"type\":\"integer\"}", "\"qty\":{\"type\":\"integer\"},\"note\":{\"type\":\"string\",\"default\":\"\"}").replace("[\"id\"]", "[\"id\",\"note\"]"), null, "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"),
                row("property removed, open model", OPEN, OPEN.replace(",\"qty\":{\"type\":\"integer\"}", ""), null, "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"),
                row("property removed, closed model", CLOSED, CLOSED.replace(",\"qty\":{\"type\":\"integer\"}", ""), "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", null),
                row("type narrowed number -> integer", OPEN.replace("integer", "number"), OPEN, "TYPE_NARROWED", null),
                row("type widened integer -> number", OPEN, OPEN.replace("integer", "number"), null, "TYPE_NARROWED"),
                row("type changed integer -> string", OPEN, OPEN.replace("\"qty\":{\"type\":\"integer\"}", "\"qty\":{\"type\":\"string\"}"), "TYPE_CHANGED", "TYPE_CHANGED"),
                row("enum extended", enumOf("\"A\",\"B\""), enumOf("\"A\",\"B\",\"C\""), null, "ENUM_ARRAY_NARROWED"),
                row("enum narrowed", enumOf("\"A\",\"B\",\"C\""), enumOf("\"A\",\"B\""), "ENUM_ARRAY_NARROWED", null),
                row("enum changed", enumOf("\"A\",\"B\""), enumOf("\"A\",\"C\""), "ENUM_ARRAY_CHANGED", "ENUM_ARRAY_CHANGED"),
                row("optional property made required", OPEN, OPEN.replace("[\"id\"]", "[\"id\",\"qty\"]"), "REQUIRED_ATTRIBUTE_ADDED", null),
                row("required property made optional", OPEN, OPEN.replace("\"required\":[\"id\"]", "\"required\":[]"), null, "REQUIRED_ATTRIBUTE_ADDED"),
                row("model closed (additionalProperties false)", OPEN, OPEN.replace("\"required\":[\"id\"]}", "\"required\":[\"id\"],\"additionalProperties\":false}"), "ADDITIONAL_PROPERTIES_NARROWED", null),
                row("model opened", CLOSED, OPEN, null, "ADDITIONAL_PROPERTIES_NARROWED"),
                row("maxLength added", OPEN, OPEN.replace("\"id\":{\"type\":\"string\"}", "\"id\":{\"type\":\"string\",\"maxLength\":10}"), "MAX_LENGTH_ADDED", null),
                row("maxLength increased", maxLen(10), maxLen(20), null, "MAX_LENGTH_DECREASED"),
                row("pattern added", OPEN, OPEN.replace("\"id\":{\"type\":\"string\"}", "\"id\":{\"type\":\"string\",\"pattern\":\"^o-\"}"), "PATTERN_ADDED", null),
                row("minimum increased", minimum(0), minimum(5), "MINIMUM_INCREASED", null),
                row("items type narrowed", array("number"), array("integer"), "TYPE_NARROWED", null),
                row("nested property added to open model", nested(""), nested(",\"zip\":{\"type\":\"string\"}"), "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", null),
                row("property added to partially open model, covered", partial("string"), partial("string").replace("\"id\":{\"type\":\"string\"}", "\"id\":{\"type\":\"string\"},\"note\":{\"type\":\"string\"}"), null, null),
                row("property added to partially open model, not covered", partial("string"), partial("string").replace("\"id\":{\"type\":\"string\"}", "\"id\":{\"type\":\"string\"},\"note\":{\"type\":\"integer\"}"), "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"),
                row("oneOf alternative added", "{\"oneOf\":[{\"type\":\"string\"}]}", "{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}", null, "COMBINED_TYPE_SUBSCHEMAS_CHANGED"),
                row("local $ref target narrowed", ref("number"), ref("integer"), "TYPE_NARROWED", null));
    }

    @ParameterizedTest(name = "{0} under {1}")
    @MethodSource("table")
    void verdict(String change, CompatibilityMode mode, String v1, String v2, boolean expectedCompatible, String expectedType) {
        List<SchemaVersion> existing = List.of(new SchemaVersion("T", 1, v1, Instant.EPOCH, SchemaFingerprint.of("T", v1)));
        CompatibilityReport report = JsonSchemaCompatibility.check("T", mode, v2, existing);

        assertEquals(expectedCompatible, report.isCompatible(), change + " under " + mode + ": " + report.incompatibilities());
        assertEquals(mode, report.mode());
        if (!expectedCompatible) {
            assertTrue(report.incompatibilities().stream().anyMatch(i -> i.type().equals(expectedType)),
                    "expected " + expectedType + " in " + report.incompatibilities());
            assertTrue(report.incompatibilities().stream().allMatch(i -> i.againstVersion() == 1));
        }
    }

    static Stream<Arguments> table() {
        List<Arguments> rows = new ArrayList<>();
        changes().forEach(a -> {
            Object[] r = a.get();
            String name = (String) r[0];
            String v1 = (String) r[1];
            String v2 = (String) r[2];
            String backwardBreak = (String) r[3];
            String forwardBreak = (String) r[4];
            for (CompatibilityMode mode : CompatibilityMode.values()) {
                String expected = mode.checksBackward() && backwardBreak != null ? backwardBreak
                        : mode.checksForward() && forwardBreak != null ? forwardBreak : null;
                rows.add(Arguments.of(name, mode, v1, v2, expected == null, expected));
            }
        });
        return rows.stream();
    }

    private static Arguments row(String name, String v1, String v2, String backwardBreak, String forwardBreak) {
        return Arguments.of(name, v1, v2, backwardBreak, forwardBreak);
    }

    private static String enumOf(String values) {
        return "{\"type\":\"object\",\"properties\":{\"status\":{\"type\":\"string\",\"enum\":[" + values + "]}}}";
    }

    private static String maxLen(int n) {
        return "{\"type\":\"string\",\"maxLength\":" + n + "}";
    }

    private static String minimum(int n) {
        return "{\"type\":\"number\",\"minimum\":" + n + "}";
    }

    private static String array(String itemType) {
        return "{\"type\":\"array\",\"items\":{\"type\":\"" + itemType + "\"}}";
    }

    private static String nested(String extra) {
        return "{\"type\":\"object\",\"properties\":{\"address\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}" + extra + "}}}}";
    }

    private static String partial(String apType) {
        return "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"}},\"additionalProperties\":{\"type\":\"" + apType + "\"}}";
    }

    private static String ref(String type) {
        return "{\"$defs\":{\"amount\":{\"type\":\"" + type + "\"}},\"type\":\"object\",\"properties\":{\"total\":{\"$ref\":\"#/$defs/amount\"}}}";
    }
}
