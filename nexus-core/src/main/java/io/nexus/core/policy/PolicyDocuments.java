package io.nexus.core.policy;

import org.jspecify.annotations.Nullable;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nexus.core.NexusException;
import io.nexus.core.event.EventPayload;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON forms of the policy documents, specified in {@code docs/governance.md}: the input document
 * ({@link PolicyRequest}, version {@value #INPUT_VERSION}) that external engines such as OPA receive, and the
 * decision document ({@link PolicyDecision}) they answer with. Stateless and thread-safe.
 */
public final class PolicyDocuments {

    /** The version of the input document's shape, sent as {@code "version"}; raised only when a field changes meaning. */
    public static final int INPUT_VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    private PolicyDocuments() {
    }

    /**
     * The facts a policy may see about an event with {@code payload}: its size and its field paths (read with a
     * streaming parser; values are skipped). A payload that is not JSON yields no fields.
     */
    public static PolicyEvent event(String type, int schemaVersion, @Nullable EventPayload payload) {
        if (payload == null) {
            return new PolicyEvent(type, schemaVersion, 0, Set.of());
        }
        return new PolicyEvent(type, schemaVersion, payload.size(), fieldPaths(payload.unsafeBytes()));
    }

    /** Every field path in {@code json}, dotted from the root; array elements take their array's path. */
    static Set<String> fieldPaths(byte[] json) {
        Set<String> fields = new LinkedHashSet<>();
        Deque<String> objects = new ArrayDeque<>();
        String pending = null;
        try (JsonParser parser = FACTORY.createParser(json)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                switch (token) {
                    case FIELD_NAME -> {
                        String parent = objects.peek();
                        pending = parent == null || parent.isEmpty() ? parser.currentName() : parent + "." + parser.currentName();
                        fields.add(pending);
                    }
                    case START_OBJECT -> {
                        objects.push(pending != null ? pending : objects.isEmpty() ? "" : objects.peek());
                        pending = null;
                    }
                    case START_ARRAY -> {
                        objects.push(pending != null ? pending : objects.isEmpty() ? "" : objects.peek());
                        pending = null;
                    }
                    case END_OBJECT, END_ARRAY -> {
                        objects.pop();
                        pending = null;
                    }
                    default -> pending = null;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
        return fields;
    }

    /** The input document of {@code request}, as a Jackson tree. */
    public static ObjectNode toTree(PolicyRequest request) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("version", INPUT_VERSION);
        root.put("action", request.action());
        ObjectNode principal = root.putObject("principal");
        request.principal().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> principal.put(e.getKey(), e.getValue()));
        putNullable(root, "tenant", request.tenant());
        ObjectNode aggregate = root.putObject("aggregate");
        putNullable(aggregate, "type", request.aggregateType());
        putNullable(aggregate, "id", request.aggregateId());
        ArrayNode events = root.putArray("events");
        for (PolicyEvent event : request.events()) {
            ObjectNode e = events.addObject();
            e.put("type", event.type());
            e.put("schemaVersion", event.schemaVersion());
            e.put("payloadSize", event.payloadSize());
            ArrayNode fields = e.putArray("fields");
            event.fields().stream().sorted().forEach(fields::add);
        }
        if (request.command() == null) {
            root.putNull("command");
        } else {
            ObjectNode command = root.putObject("command");
            command.put("id", request.command().commandId());
            command.put("correlationId", request.command().correlationId());
            ObjectNode attributes = command.putObject("attributes");
            request.command().attributes().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> attributes.put(e.getKey(), e.getValue()));
        }
        ObjectNode attributes = root.putObject("attributes");
        request.attributes().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> attributes.put(e.getKey(), e.getValue()));
        return root;
    }

    /** The input document of {@code request} as JSON text (keys in a fixed order). */
    public static String toJson(PolicyRequest request) {
        return toTree(request).toString();
    }

    /** The decision document of {@code decision}: {@code {"allow":..,"reasons":[..],"rule":..}}. */
    public static String toJson(PolicyDecision decision) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("allow", decision.allowed());
        ArrayNode reasons = root.putArray("reasons");
        decision.reasons().forEach(reasons::add);
        putNullable(root, "rule", decision.rule());
        return root.toString();
    }

    /**
     * Reads a decision document. Accepted forms: {@code true}/{@code false}; an object with a boolean
     * {@code allow} and optional {@code reasons} (array of strings, or one string) and {@code rule}; or an OPA
     * result set ({@code [{"result": <one of those>}]}), where an empty set means undefined and denies.
     *
     * @param defaultRule   the rule named when the document names none
     * @param defaultReason the reason of a denial that gives none
     * @throws NexusException if the document has another shape (the message shows it)
     */
    public static PolicyDecision decisionFrom(JsonNode document, String defaultRule, String defaultReason) {
        JsonNode node = document;
        if (node != null && node.isArray()) {
            if (node.isEmpty()) {
                return PolicyDecision.deny(defaultRule, List.of(defaultReason + " (the policy's result is undefined)"));
            }
            node = node.get(0).get("result");
        }
        if (node != null && node.isBoolean()) {
            return node.booleanValue() ? PolicyDecision.allow(defaultRule) : PolicyDecision.deny(defaultRule, List.of(defaultReason));
        }
        if (node != null && node.isObject() && node.path("allow").isBoolean()) {
            boolean allow = node.get("allow").booleanValue();
            List<String> reasons = new ArrayList<>();
            JsonNode r = node.path("reasons");
            if (r.isTextual()) {
                reasons.add(r.textValue());
            } else if (r.isArray()) {
                r.forEach(item -> reasons.add(item.asText()));
            }
            if (!allow && reasons.isEmpty()) {
                reasons.add(defaultReason);
            }
            String rule = node.path("rule").isTextual() ? node.get("rule").textValue() : defaultRule;
            return new PolicyDecision(allow, reasons, rule);
        }
        throw new NexusException("Policy result " + document + " is not a decision: expected true/false or "
                + "{\"allow\": bool, \"reasons\": [..], \"rule\": \"..\"}; make the entrypoint return one of those");
    }

    private static void putNullable(ObjectNode node, String field, @Nullable String value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }
}
