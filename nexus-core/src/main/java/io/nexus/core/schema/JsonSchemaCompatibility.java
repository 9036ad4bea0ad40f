package io.nexus.core.schema;

import org.jspecify.annotations.Nullable;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The JSON Schema compatibility checker used by every Nexus registry (and by the test servers that stand in
 * for Glue and Confluent). Thread-safe, stateless.
 *
 * <h2>Implementation notes</h2>
 * {@link #diff(JsonNode, JsonNode)} compares a <em>writer</em> schema (the one data was written with) to a
 * <em>reader</em> schema (the one that must read it) and lists every difference, each marked compatible or
 * not, with the difference names and verdicts Confluent Schema Registry uses for JSON Schema:
 * <ul>
 *   <li>content models: without {@code additionalProperties: false} an object is <em>open</em>, so old data may
 *       already hold any property; adding a property to an open model is therefore incompatible
 *       ({@code PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL}) unless its schema is empty, removing one is compatible;
 *       in a closed model it is the other way round, and a partially open model
 *       ({@code additionalProperties: {schema}}) asks whether that schema covers the property;</li>
 *   <li>required properties added are incompatible unless they have a {@code default}; removed ones are fine;</li>
 *   <li>types: widening ({@code integer -> number}, adding a type to a union) is compatible, narrowing or
 *       changing is not; enums and constants likewise;</li>
 *   <li>bounds ({@code maxLength}, {@code maximum}, {@code maxItems}, ...): relaxing is compatible, tightening
 *       or adding is not; {@code pattern} added or changed is incompatible;</li>
 *   <li>{@code items}, {@code properties}, {@code additionalProperties}, {@code oneOf}/{@code anyOf}/{@code allOf}
 *       and local {@code $ref}s are compared recursively; {@code not} with the roles swapped;</li>
 *   <li>annotations ({@code title}, {@code description}, {@code $id}, {@code default}, {@code examples},
 *       {@code format}) never break compatibility.</li>
 * </ul>
 * A mode is applied by {@link #check}: BACKWARD reads old data with the candidate ({@code diff(old, candidate)}),
 * FORWARD the reverse, FULL both; transitive modes compare with every version, the others with the latest.
 */
public final class JsonSchemaCompatibility {

    /**
     * One difference found by {@link #diff}.
     *
     * @param pointer    JSON pointer into the reader schema
     * @param type       the difference kind, as Confluent names it
     * @param compatible whether the reader can still read every document valid under the writer schema
     * @param message    a readable description
     */
    public record Difference(String pointer, String type, boolean compatible, String message) {
    }

    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "$id", "id", "$schema", "$comment",
            "examples", "default", "$defs", "definitions", "format", "readOnly", "writeOnly", "deprecated", "$anchor");

    private JsonSchemaCompatibility() {
    }

    /**
     * Checks {@code candidate} for {@code subject} against {@code existing} (ascending by version) under
     * {@code mode}.
     *
     * @throws InvalidSchemaException if the candidate is not a valid JSON Schema
     */
    public static CompatibilityReport check(String subject, CompatibilityMode mode, String candidate, List<SchemaVersion> existing) {
        Objects.requireNonNull(mode, "mode");
        JsonNode reader = JsonSchemas.parse(subject, candidate);
        JsonSchemas.compile(subject, reader);
        List<Incompatibility> found = new ArrayList<>();
        if (mode != CompatibilityMode.NONE && !existing.isEmpty()) {
            List<SchemaVersion> against = mode.isTransitive() ? existing : List.of(existing.get(existing.size() - 1));
            for (SchemaVersion old : against) {
                JsonNode oldNode = JsonSchemas.parse(subject, old.schema());
                if (mode.checksBackward()) {
                    collect(found, old.version(), "BACKWARD", diff(oldNode, reader));
                }
                if (mode.checksForward()) {
                    collect(found, old.version(), "FORWARD", diff(reader, oldNode));
                }
            }
        }
        return new CompatibilityReport(subject, mode, found);
    }

    private static void collect(List<Incompatibility> out, int version, String direction, List<Difference> diffs) {
        for (Difference d : diffs) {
            if (!d.compatible()) {
                out.add(new Incompatibility(version, direction, d.pointer(), d.type(), d.message()));
            }
        }
    }

    /** Whether {@code reader} can read every document valid under {@code writer}. */
    public static boolean canRead(JsonNode writer, JsonNode reader) {
        return diff(writer, reader).stream().allMatch(Difference::compatible);
    }

    /** Every difference between a writer and a reader schema; see the class notes. */
    public static List<Difference> diff(JsonNode writer, JsonNode reader) {
        Context ctx = new Context(writer, reader);
        ctx.compare("", writer, reader);
        return ctx.out;
    }

    private static final class Context {
        private final JsonNode writerRoot;
        private final JsonNode readerRoot;
        private final List<Difference> out = new ArrayList<>();
        private final Set<String> visitedRefs = new HashSet<>();

        Context(JsonNode writerRoot, JsonNode readerRoot) {
            this.writerRoot = writerRoot;
            this.readerRoot = readerRoot;
        }

        private void add(String pointer, String type, boolean compatible, String message) {
            out.add(new Difference(pointer, type, compatible, message));
        }

        /** A nested comparison whose result decides one difference instead of being reported piecemeal. */
        private boolean covers(String pointer, JsonNode writer, JsonNode reader) {
            Context nested = new Context(writerRoot, readerRoot);
            nested.visitedRefs.addAll(visitedRefs);
            nested.compare(pointer, writer, reader);
            return nested.out.stream().allMatch(Difference::compatible);
        }

        void compare(String p, JsonNode w0, JsonNode r0) {
            String wRef = ref(w0);
            String rRef = ref(r0);
            if (wRef != null || rRef != null) {
                if (!visitedRefs.add(wRef + "|" + rRef)) {
                    return;
                }
            }
            JsonNode w = normalize(resolve(w0, writerRoot));
            JsonNode r = normalize(resolve(r0, readerRoot));
            if (w.equals(r)) {
                return;
            }
            if (isFalse(w)) {
                return;
            }
            if (isFalse(r)) {
                add(p, "TYPE_NARROWED", false, "the schema now accepts nothing");
                return;
            }
            if (isEmpty(r)) {
                return;
            }
            if (isEmpty(w)) {
                add(p, "TYPE_NARROWED", false, "the schema accepted any value and now restricts it");
                return;
            }
            compareCombined(p, w, r);
            if (!compareTypes(p, w, r)) {
                return;
            }
            compareValues(p, "enum", "ENUM_ARRAY", w, r);
            compareConst(p, w, r);
            upper(p, "maxLength", "MAX_LENGTH", w, r);
            lower(p, "minLength", "MIN_LENGTH", w, r);
            comparePattern(p, w, r);
            upper(p, "maximum", "MAXIMUM", w, r);
            upper(p, "exclusiveMaximum", "EXCLUSIVE_MAXIMUM", w, r);
            lower(p, "minimum", "MINIMUM", w, r);
            lower(p, "exclusiveMinimum", "EXCLUSIVE_MINIMUM", w, r);
            compareMultipleOf(p, w, r);
            compareItems(p, w, r);
            upper(p, "maxItems", "MAX_ITEMS", w, r);
            lower(p, "minItems", "MIN_ITEMS", w, r);
            compareFlag(p, "uniqueItems", "UNIQUE_ITEMS", w, r);
            compareObject(p, w, r);
            upper(p, "maxProperties", "MAX_PROPERTIES", w, r);
            lower(p, "minProperties", "MIN_PROPERTIES", w, r);
            compareNot(p, w, r);
        }

        private boolean compareTypes(String p, JsonNode w, JsonNode r) {
            Set<String> wt = types(w);
            Set<String> rt = types(r);
            if (wt == null && rt == null) {
                return true;
            }
            if (rt == null) {
                add(p + "/type", "TYPE_EXTENDED", true, "type " + wt + " was dropped, so any type is read");
                return true;
            }
            if (wt == null) {
                add(p + "/type", "TYPE_NARROWED", false, "type " + rt + " was added where any type was allowed");
                return false;
            }
            boolean writerCovered = coveredBy(wt, rt);
            boolean readerCovered = coveredBy(rt, wt);
            if (writerCovered && readerCovered) {
                return true;
            }
            if (writerCovered) {
                add(p + "/type", "TYPE_EXTENDED", true, "type widened from " + wt + " to " + rt);
                return true;
            }
            if (readerCovered) {
                add(p + "/type", "TYPE_NARROWED", false, "type narrowed from " + wt + " to " + rt);
            } else {
                add(p + "/type", "TYPE_CHANGED", false, "type changed from " + wt + " to " + rt);
            }
            return false;
        }

        private void compareValues(String p, String key, String base, JsonNode w, JsonNode r) {
            JsonNode wv = w.get(key);
            JsonNode rv = r.get(key);
            if (wv == null && rv == null || wv != null && wv.equals(rv)) {
                return;
            }
            if (wv == null) {
                add(p + "/" + key, base + "_NARROWED", false, key + " " + rv + " was added");
                return;
            }
            if (rv == null) {
                add(p + "/" + key, base + "_EXTENDED", true, key + " " + wv + " was removed");
                return;
            }
            Set<JsonNode> ws = new LinkedHashSet<>();
            wv.forEach(ws::add);
            Set<JsonNode> rs = new LinkedHashSet<>();
            rv.forEach(rs::add);
            if (rs.containsAll(ws)) {
                if (!ws.containsAll(rs)) {
                    add(p + "/" + key, base + "_EXTENDED", true, key + " extended from " + wv + " to " + rv);
                }
            } else if (ws.containsAll(rs)) {
                add(p + "/" + key, base + "_NARROWED", false, key + " narrowed from " + wv + " to " + rv);
            } else {
                add(p + "/" + key, base + "_CHANGED", false, key + " changed from " + wv + " to " + rv);
            }
        }

        private void compareConst(String p, JsonNode w, JsonNode r) {
            JsonNode wv = w.get("const");
            JsonNode rv = r.get("const");
            if (Objects.equals(wv, rv)) {
                return;
            }
            if (wv == null) {
                add(p + "/const", "CONST_ADDED", false, "const " + rv + " was added");
            } else if (rv == null) {
                add(p + "/const", "CONST_REMOVED", true, "const " + wv + " was removed");
            } else {
                add(p + "/const", "CONST_CHANGED", false, "const changed from " + wv + " to " + rv);
            }
        }

        private void upper(String p, String key, String base, JsonNode w, JsonNode r) {
            bound(p, key, base, w, r, true);
        }

        private void lower(String p, String key, String base, JsonNode w, JsonNode r) {
            bound(p, key, base, w, r, false);
        }

        private void bound(String p, String key, String base, JsonNode w, JsonNode r, boolean upper) {
            JsonNode wv = w.get(key);
            JsonNode rv = r.get(key);
            if (wv != null && !wv.isNumber() || rv != null && !rv.isNumber()) {
                if (!Objects.equals(wv, rv)) {
                    add(p + "/" + key, base + "_CHANGED", false, key + " changed from " + wv + " to " + rv);
                }
                return;
            }
            if (wv == null && rv == null) {
                return;
            }
            if (wv == null) {
                add(p + "/" + key, base + "_ADDED", false, key + " " + rv + " was added");
                return;
            }
            if (rv == null) {
                add(p + "/" + key, base + "_REMOVED", true, key + " " + wv + " was removed");
                return;
            }
            int cmp = rv.decimalValue().compareTo(wv.decimalValue());
            if (cmp == 0) {
                return;
            }
            boolean relaxed = upper ? cmp > 0 : cmp < 0;
            add(p + "/" + key, base + (cmp > 0 ? "_INCREASED" : "_DECREASED"), relaxed,
                    key + (cmp > 0 ? " increased" : " decreased") + " from " + wv + " to " + rv);
        }

        private void comparePattern(String p, JsonNode w, JsonNode r) {
            JsonNode wv = w.get("pattern");
            JsonNode rv = r.get("pattern");
            if (Objects.equals(wv, rv)) {
                return;
            }
            if (wv == null) {
                add(p + "/pattern", "PATTERN_ADDED", false, "pattern " + rv + " was added");
            } else if (rv == null) {
                add(p + "/pattern", "PATTERN_REMOVED", true, "pattern " + wv + " was removed");
            } else {
                add(p + "/pattern", "PATTERN_CHANGED", false, "pattern changed from " + wv + " to " + rv);
            }
        }

        private void compareMultipleOf(String p, JsonNode w, JsonNode r) {
            JsonNode wv = w.get("multipleOf");
            JsonNode rv = r.get("multipleOf");
            if (Objects.equals(wv, rv)) {
                return;
            }
            if (wv == null) {
                add(p + "/multipleOf", "MULTIPLE_OF_ADDED", false, "multipleOf " + rv + " was added");
            } else if (rv == null) {
                add(p + "/multipleOf", "MULTIPLE_OF_REMOVED", true, "multipleOf " + wv + " was removed");
            } else if (rv.isNumber() && wv.isNumber() && rv.decimalValue().signum() != 0
                    && wv.decimalValue().remainder(rv.decimalValue()).signum() == 0) {
                add(p + "/multipleOf", "MULTIPLE_OF_EXPANDED", true, "multipleOf relaxed from " + wv + " to " + rv);
            } else {
                add(p + "/multipleOf", "MULTIPLE_OF_CHANGED", false, "multipleOf changed from " + wv + " to " + rv);
            }
        }

        private void compareFlag(String p, String key, String base, JsonNode w, JsonNode r) {
            boolean wv = w.path(key).asBoolean(false);
            boolean rv = r.path(key).asBoolean(false);
            if (wv == rv) {
                return;
            }
            add(p + "/" + key, base + (rv ? "_ADDED" : "_REMOVED"), !rv, key + (rv ? " was added" : " was removed"));
        }

        private void compareItems(String p, JsonNode w, JsonNode r) {
            JsonNode wi = w.get("items");
            JsonNode ri = r.get("items");
            if (wi == null && ri == null) {
                return;
            }
            JsonNode any = JsonNodeFactory.instance.objectNode();
            if (wi != null && wi.isArray() || ri != null && ri.isArray()) {
                JsonNode wa = wi == null ? JsonNodeFactory.instance.arrayNode() : wi;
                JsonNode ra = ri == null ? JsonNodeFactory.instance.arrayNode() : ri;
                int n = Math.max(wa.size(), ra.size());
                for (int i = 0; i < n; i++) {
                    compare(p + "/items/" + i, wa.isArray() ? wa.path(i).isMissingNode() ? any : wa.get(i) : wa,
                            ra.isArray() ? ra.path(i).isMissingNode() ? any : ra.get(i) : ra);
                }
                return;
            }
            compare(p + "/items", wi == null ? any : wi, ri == null ? any : ri);
        }

        private enum Model { OPEN, CLOSED, PARTIAL }

        private Model model(JsonNode node) {
            JsonNode ap = node.get("additionalProperties");
            if (ap == null || ap.isBoolean() && ap.asBoolean() || isEmpty(ap)) {
                return Model.OPEN;
            }
            if (ap.isBoolean() || isFalse(normalize(ap))) {
                return Model.CLOSED;
            }
            return Model.PARTIAL;
        }

        private void compareObject(String p, JsonNode w, JsonNode r) {
            boolean objectish = w.has("properties") || r.has("properties") || w.has("required") || r.has("required")
                    || w.has("additionalProperties") || r.has("additionalProperties");
            if (!objectish) {
                return;
            }
            Map<String, JsonNode> wp = properties(w);
            Map<String, JsonNode> rp = properties(r);
            Set<String> wr = required(w);
            Set<String> rr = required(r);
            Model wm = model(w);
            Model rm = model(r);
            for (Map.Entry<String, JsonNode> e : wp.entrySet()) {
                String name = e.getKey();
                String at = p + "/properties/" + escape(name);
                if (rp.containsKey(name)) {
                    compare(at, e.getValue(), rp.get(name));
                    continue;
                }
                switch (rm) {
                    case OPEN -> add(at, "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL", true,
                            "property '" + name + "' was removed; the open content model still reads it");
                    case CLOSED -> add(at, "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", false,
                            "property '" + name + "' was removed from a closed content model, so old data holding it is refused");
                    case PARTIAL -> {
                        boolean covered = covers(at, e.getValue(), r.get("additionalProperties"));
                        add(at, covered ? "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
                                        : "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", covered,
                                "property '" + name + "' was removed and additionalProperties " + (covered ? "covers" : "does not cover") + " it");
                    }
                }
            }
            for (Map.Entry<String, JsonNode> e : rp.entrySet()) {
                String name = e.getKey();
                if (wp.containsKey(name)) {
                    continue;
                }
                String at = p + "/properties/" + escape(name);
                JsonNode schema = normalize(resolve(e.getValue(), readerRoot));
                boolean requiredNow = rr.contains(name);
                boolean hasDefault = schema.has("default");
                switch (wm) {
                    case OPEN -> {
                        if (isEmpty(schema) && !requiredNow) {
                            add(at, "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", true,
                                    "property '" + name + "' with an empty schema was added");
                        } else {
                            add(at, "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", false, "property '" + name
                                    + "' was added to an open content model, where old data may already hold it with any value");
                        }
                    }
                    case CLOSED -> {
                        if (!requiredNow) {
                            add(at, "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", true, "optional property '" + name + "' was added");
                        } else if (hasDefault) {
                            add(at, "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL", true,
                                    "required property '" + name + "' with a default was added");
                        } else {
                            add(at, "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", false,
                                    "required property '" + name + "' was added; old data does not have it");
                        }
                    }
                    case PARTIAL -> {
                        boolean covered = covers(at, w.get("additionalProperties"), e.getValue());
                        add(at, covered ? "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
                                        : "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", covered,
                                "property '" + name + "' was added and the old additionalProperties schema "
                                        + (covered ? "is read by" : "is not read by") + " it");
                        if (requiredNow && !hasDefault) {
                            add(p + "/required", "REQUIRED_ATTRIBUTE_ADDED", false, "property '" + name + "' became required");
                        }
                    }
                }
            }
            for (String name : rr) {
                if (!wr.contains(name) && (wp.containsKey(name) || !rp.containsKey(name))) {
                    JsonNode schema = rp.containsKey(name) ? normalize(resolve(rp.get(name), readerRoot)) : null;
                    if (schema != null && schema.has("default")) {
                        add(p + "/required", "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED", true, "property '" + name + "' became required, with a default");
                    } else {
                        add(p + "/required", "REQUIRED_ATTRIBUTE_ADDED", false, "property '" + name + "' became required; old data may lack it");
                    }
                }
            }
            for (String name : wr) {
                if (!rr.contains(name)) {
                    add(p + "/required", "REQUIRED_ATTRIBUTE_REMOVED", true, "property '" + name + "' is no longer required");
                }
            }
            String ap = p + "/additionalProperties";
            if (wm == rm) {
                if (wm == Model.PARTIAL) {
                    compare(ap, w.get("additionalProperties"), r.get("additionalProperties"));
                }
            } else if (wm == Model.CLOSED || rm == Model.OPEN) {
                add(ap, "ADDITIONAL_PROPERTIES_EXTENDED", true, "additional properties now accepted more widely");
            } else {
                add(ap, "ADDITIONAL_PROPERTIES_NARROWED", false, "additional properties were "
                        + (wm == Model.OPEN ? "allowed freely" : "allowed by a schema") + " and are now "
                        + (rm == Model.CLOSED ? "refused" : "restricted by a schema"));
            }
        }

        private void compareCombined(String p, JsonNode w, JsonNode r) {
            for (String key : List.of("oneOf", "anyOf")) {
                JsonNode wc = w.get(key);
                JsonNode rc = r.get(key);
                if (wc == null && rc == null || wc != null && wc.equals(rc)) {
                    continue;
                }
                if (wc != null && rc != null) {
                    for (int i = 0; i < wc.size(); i++) {
                        boolean matched = false;
                        for (int j = 0; j < rc.size() && !matched; j++) {
                            matched = covers(p + "/" + key + "/" + j, wc.get(i), rc.get(j));
                        }
                        if (!matched) {
                            add(p + "/" + key, "COMBINED_TYPE_SUBSCHEMAS_CHANGED", false,
                                    key + " alternative " + i + " of the old schema is read by no alternative of the new one");
                        }
                    }
                    if (rc.size() > wc.size()) {
                        add(p + "/" + key, "SUM_TYPE_EXTENDED", true, key + " gained alternatives");
                    }
                } else if (wc != null) {
                    for (int i = 0; i < wc.size(); i++) {
                        if (!covers(p, wc.get(i), withoutKey(r, key))) {
                            add(p + "/" + key, "COMBINED_TYPE_CHANGED", false, key + " alternative " + i + " is no longer read");
                        }
                    }
                } else {
                    boolean matched = false;
                    for (int j = 0; j < rc.size() && !matched; j++) {
                        matched = covers(p + "/" + key + "/" + j, withoutKey(w, key), rc.get(j));
                    }
                    add(p + "/" + key, matched ? "SUM_TYPE_EXTENDED" : "COMBINED_TYPE_CHANGED", matched,
                            matched ? "the schema became one alternative of " + key : key + " was added and no alternative reads the old schema");
                }
            }
            JsonNode wa = w.get("allOf");
            JsonNode ra = r.get("allOf");
            if (wa != null || ra != null) {
                int wn = wa == null ? 0 : wa.size();
                int rn = ra == null ? 0 : ra.size();
                for (int i = 0; i < Math.min(wn, rn); i++) {
                    compare(p + "/allOf/" + i, wa.get(i), ra.get(i));
                }
                if (rn > wn) {
                    add(p + "/allOf", "PRODUCT_TYPE_EXTENDED", false, "allOf gained constraints");
                } else if (rn < wn) {
                    add(p + "/allOf", "PRODUCT_TYPE_NARROWED", true, "allOf lost constraints");
                }
            }
        }

        private void compareNot(String p, JsonNode w, JsonNode r) {
            JsonNode wn = w.get("not");
            JsonNode rn = r.get("not");
            if (Objects.equals(wn, rn)) {
                return;
            }
            if (wn == null) {
                add(p + "/not", "NOT_TYPE_ADDED", false, "a 'not' constraint was added");
            } else if (rn == null) {
                add(p + "/not", "NOT_TYPE_REMOVED", true, "the 'not' constraint was removed");
            } else if (!covers(p + "/not", rn, wn)) {
                add(p + "/not", "NOT_TYPE_NARROWED", false, "the 'not' constraint now excludes more");
            }
        }
    }

    private static JsonNode withoutKey(JsonNode node, String key) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = ((com.fasterxml.jackson.databind.node.ObjectNode) node).deepCopy();
        copy.remove(key);
        return copy;
    }

    private static @Nullable String ref(@Nullable JsonNode node) {
        return node != null && node.isObject() && node.has("$ref") ? node.get("$ref").asText() : null;
    }

    private static JsonNode resolve(JsonNode node, JsonNode root) {
        JsonNode current = node;
        for (int hops = 0; hops < 32; hops++) {
            String ref = ref(current);
            if (ref == null || !ref.startsWith("#")) {
                return current;
            }
            JsonNode target = root.at(ref.substring(1));
            if (target.isMissingNode()) {
                return current;
            }
            current = target;
        }
        return current;
    }

    private static JsonNode normalize(JsonNode node) {
        if (node == null || node.isBoolean() && node.asBoolean()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (node.isBoolean()) {
            com.fasterxml.jackson.databind.node.ObjectNode never = JsonNodeFactory.instance.objectNode();
            never.set("not", JsonNodeFactory.instance.objectNode());
            return never;
        }
        return node;
    }

    private static boolean isFalse(JsonNode node) {
        return node.isObject() && node.size() == 1 && node.has("not") && isEmpty(node.get("not"));
    }

    private static boolean isEmpty(JsonNode node) {
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        if (!node.isObject()) {
            return false;
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            if (!ANNOTATIONS.contains(names.next())) {
                return false;
            }
        }
        return true;
    }

    private static @Nullable Set<String> types(JsonNode node) {
        JsonNode type = node.get("type");
        if (type == null) {
            return null;
        }
        Set<String> out = new LinkedHashSet<>();
        if (type.isArray()) {
            type.forEach(t -> out.add(t.asText()));
        } else {
            out.add(type.asText());
        }
        return out;
    }

    private static boolean coveredBy(Set<String> types, Set<String> by) {
        for (String t : types) {
            if (!by.contains(t) && !(t.equals("integer") && by.contains("number"))) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, JsonNode> properties(JsonNode node) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        JsonNode props = node.get("properties");
        if (props != null && props.isObject()) {
            props.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
        }
        return out;
    }

    private static Set<String> required(JsonNode node) {
        Set<String> out = new LinkedHashSet<>();
        JsonNode req = node.get("required");
        if (req != null && req.isArray()) {
            req.forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
