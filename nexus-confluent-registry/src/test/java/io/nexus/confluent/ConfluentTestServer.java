package io.nexus.confluent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.nexus.core.schema.CompatibilityMode;
import io.nexus.core.schema.InvalidSchemaException;
import io.nexus.core.schema.JsonSchemaCompatibility;
import io.nexus.core.schema.JsonSchemas;
import io.nexus.core.schema.SchemaFingerprint;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A strict stand-in for Confluent Schema Registry's REST API v1 (JSON schemas only), built from the public API
 * reference, for the endpoints the adapter uses:
 * {@code GET /subjects}, {@code POST /subjects/{s}}, {@code GET|POST /subjects/{s}/versions},
 * {@code GET /subjects/{s}/versions/{v|latest}}, {@code POST /compatibility/subjects/{s}/versions/{v|latest}},
 * {@code GET /subjects/{s}/versions/{v}/referencedby},
 * {@code GET|PUT /config}, {@code GET|PUT|DELETE /config/{s}}.
 *
 * <p>Schema references as the registry keeps them: a body's {@code references} (each exactly {@code name},
 * {@code subject}, {@code version}) must name registered versions (else 42201), the schema must compile with
 * them resolved, a schema's identity is its text and its references (the same text with other references is
 * another schema, another id), a version is returned with its {@code references} when it has any, and
 * compatibility is judged on the resolved documents. Deleting versions is not served.
 *
 * <p>Strict: unknown endpoints or methods → 404/405, a body without the registry's content type → 415, unknown
 * body fields or a schemaType other than JSON → 422, a version that is not a number → 42202, an invalid schema →
 * 42201, unknown subject → 40401, unknown version → 40402, schema not found → 40403, incompatible → 409, missing or
 * wrong credentials → 401. Compatibility verdicts come from the Nexus checker, never from the test's expectations.
 */
public final class ConfluentTestServer implements AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Set<String> SCHEMA_BODY_FIELDS = Set.of("schema", "schemaType", "references", "metadata", "ruleSet");

    private record Ref(String name, String subject, int version) {
    }

    private record Version(int version, int id, String schema, List<Ref> refs) {
    }

    private final HttpServer server;
    private final String requiredAuthorization;
    private final Map<String, List<Version>> subjects = new TreeMap<>();
    private final Map<String, CompatibilityMode> configs = new HashMap<>();
    private final Map<String, Integer> idsByFingerprint = new HashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private CompatibilityMode global = CompatibilityMode.BACKWARD;
    private Runnable beforeRegistration;
    private int nextId = 1;

    private ConfluentTestServer(String requiredAuthorization) throws IOException {
        this.requiredAuthorization = requiredAuthorization;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A server on a free port; {@code requiredAuthorization} is the exact Authorization header demanded, or null. */
    public static ConfluentTestServer start(String requiredAuthorization) throws IOException {
        return new ConfluentTestServer(requiredAuthorization);
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** How many requests were served. */
    public int requests() {
        return requests.get();
    }

    /** The subjects registered, in name order. */
    public synchronized List<String> subjects() {
        return List.copyOf(subjects.keySet());
    }

    /** The compatibility level set on {@code subject} itself, or null. */
    public synchronized CompatibilityMode subjectCompatibility(String subject) {
        return configs.get(subject);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        try {
            if (requiredAuthorization != null && !requiredAuthorization.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                error(ex, 401, 401, "Unauthorized");
                return;
            }
            synchronized (this) {
                route(ex);
            }
        } catch (Reply r) {
            error(ex, r.status, r.code, r.getMessage());
        } catch (RuntimeException e) {
            error(ex, 500, 50001, "Error in the backend data store: " + e);
        } finally {
            ex.close();
        }
    }

    private void route(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String rawPath = ex.getRequestURI().getRawPath();
        Map<String, String> query = query(ex.getRequestURI().getRawQuery());
        String[] parts = rawPath.substring(1).split("/", -1);
        List<String> p = new ArrayList<>();
        for (String part : parts) {
            p.add(URLDecoder.decode(part, StandardCharsets.UTF_8));
        }
        if (p.size() == 1 && p.get(0).equals("subjects")) {
            allow(method, "GET");
            onlyParams(query, Set.of("deleted", "subjectPrefix"));
            ArrayNode out = MAPPER.createArrayNode();
            subjects.keySet().forEach(out::add);
            send(ex, 200, out);
        } else if (p.size() == 2 && p.get(0).equals("subjects")) {
            allow(method, "POST");
            onlyParams(query, Set.of("normalize", "deleted"));
            JsonNode body = schemaBody(ex);
            List<Version> versions = existing(p.get(1));
            String fp = identity(body.get("schema").asText(), refs(body));
            Version v = versions.stream().filter(x -> identity(x.schema(), x.refs()).equals(fp)).findFirst()
                    .orElseThrow(() -> new Reply(404, 40403, "Schema not found"));
            send(ex, 200, versionJson(p.get(1), v));
        } else if (p.size() == 3 && p.get(0).equals("subjects") && p.get(2).equals("versions")) {
            if (method.equals("GET")) {
                onlyParams(query, Set.of("deleted"));
                ArrayNode out = MAPPER.createArrayNode();
                existing(p.get(1)).forEach(v -> out.add(v.version()));
                send(ex, 200, out);
            } else {
                allow(method, "POST");
                onlyParams(query, Set.of("normalize"));
                register(ex, p.get(1), schemaBody(ex));
            }
        } else if (p.size() == 5 && p.get(0).equals("subjects") && p.get(2).equals("versions") && p.get(4).equals("referencedby")) {
            allow(method, "GET");
            onlyParams(query, Set.of());
            Version target = pick(existing(p.get(1)), p.get(3));
            ArrayNode out = MAPPER.createArrayNode();
            subjects.forEach((subject, versions) -> versions.stream()
                    .filter(v -> v.refs().stream().anyMatch(r -> r.subject().equals(p.get(1)) && r.version() == target.version()))
                    .forEach(v -> out.add(v.id())));
            send(ex, 200, out);
        } else if (p.size() == 4 && p.get(0).equals("subjects") && p.get(2).equals("versions")) {
            allow(method, "GET");
            onlyParams(query, Set.of("deleted"));
            List<Version> versions = existing(p.get(1));
            send(ex, 200, versionJson(p.get(1), pick(versions, p.get(3))));
        } else if (p.size() == 5 && p.get(0).equals("compatibility") && p.get(1).equals("subjects") && p.get(3).equals("versions")) {
            allow(method, "POST");
            onlyParams(query, Set.of("verbose", "normalize"));
            JsonNode body = schemaBody(ex);
            validSchema(resolved(body.get("schema").asText(), refs(body)));
            String candidate = inlined(body.get("schema").asText(), refs(body));
            Version against = pick(existing(p.get(2)), p.get(4));
            CompatibilityMode mode = configs.getOrDefault(p.get(2), global);
            List<String> messages = judge(mode, against, candidate);
            ObjectNode out = MAPPER.createObjectNode().put("is_compatible", messages.isEmpty());
            if ("true".equals(query.get("verbose"))) {
                ArrayNode m = out.putArray("messages");
                messages.forEach(m::add);
                if (!messages.isEmpty()) {
                    m.add("{oldSchemaVersion: " + against.version() + "}");
                    m.add("{compatibility: '" + mode + "'}");
                }
            }
            send(ex, 200, out);
        } else if (p.size() == 1 && p.get(0).equals("config")) {
            if (method.equals("GET")) {
                onlyParams(query, Set.of());
                send(ex, 200, MAPPER.createObjectNode().put("compatibilityLevel", global.name()));
            } else {
                allow(method, "PUT");
                global = configBody(ex);
                send(ex, 200, MAPPER.createObjectNode().put("compatibility", global.name()));
            }
        } else if (p.size() == 2 && p.get(0).equals("config")) {
            if (method.equals("GET")) {
                onlyParams(query, Set.of("defaultToGlobal"));
                CompatibilityMode mode = configs.get(p.get(1));
                if (mode == null) {
                    if (!"true".equals(query.get("defaultToGlobal"))) {
                        throw new Reply(404, 40408, "Subject '" + p.get(1) + "' does not have subject-level compatibility configured");
                    }
                    mode = global;
                }
                send(ex, 200, MAPPER.createObjectNode().put("compatibilityLevel", mode.name()));
            } else if (method.equals("DELETE")) {
                onlyParams(query, Set.of());
                CompatibilityMode removed = configs.remove(p.get(1));
                if (removed == null) {
                    throw new Reply(404, 40408, "Subject '" + p.get(1) + "' does not have subject-level compatibility configured");
                }
                send(ex, 200, MAPPER.createObjectNode().put("compatibilityLevel", removed.name()));
            } else {
                allow(method, "PUT");
                onlyParams(query, Set.of());
                CompatibilityMode mode = configBody(ex);
                configs.put(p.get(1), mode);
                send(ex, 200, MAPPER.createObjectNode().put("compatibility", mode.name()));
            }
        } else {
            throw new Reply(404, 404, "HTTP 404 Not Found");
        }
    }

    /**
     * Runs {@code action} inside the next registration request, before it is judged: a writer that got there
     * first. The action may call {@link #registerDirectly}.
     */
    synchronized void beforeNextRegistration(Runnable action) {
        this.beforeRegistration = action;
    }

    /** Registers as a concurrent client would, judged by the same rules; returns the version. */
    synchronized int registerDirectly(String subject, String schema) {
        return doRegister(subject, schema, List.of()).version();
    }

    private void register(HttpExchange ex, String subject, JsonNode body) throws IOException {
        Runnable first = beforeRegistration;
        beforeRegistration = null;
        if (first != null) {
            first.run();
        }
        send(ex, 200, MAPPER.createObjectNode().put("id", doRegister(subject, body.get("schema").asText(), refs(body)).id()));
    }

    private Version doRegister(String subject, String schema, List<Ref> refs) {
        String resolved = resolved(schema, refs);
        validSchema(resolved);
        List<Version> versions = subjects.getOrDefault(subject, List.of());
        String fp = identity(schema, refs);
        for (Version v : versions) {
            if (identity(v.schema(), v.refs()).equals(fp)) {
                return v;
            }
        }
        CompatibilityMode mode = configs.getOrDefault(subject, global);
        List<Version> against = mode == CompatibilityMode.NONE || versions.isEmpty() ? List.of()
                : mode.isTransitive() ? versions : List.of(versions.get(versions.size() - 1));
        List<String> messages = new ArrayList<>();
        String candidate = inlined(schema, refs);
        for (Version v : against) {
            messages.addAll(judge(mode, v, candidate));
        }
        if (!messages.isEmpty()) {
            throw new Reply(409, 409, "Schema being registered is incompatible with an earlier schema for subject \""
                    + subject + "\", details: " + messages);
        }
        int id = idsByFingerprint.computeIfAbsent(fp, k -> nextId++);
        List<Version> next = new ArrayList<>(versions);
        Version added = new Version(versions.size() + 1, id, schema, List.copyOf(refs));
        next.add(added);
        subjects.put(subject, next);
        return added;
    }

    private List<String> judge(CompatibilityMode mode, Version against, String candidate) {
        List<String> out = new ArrayList<>();
        if (mode == CompatibilityMode.NONE) {
            return out;
        }
        JsonNode old = JsonSchemas.parse("server", inlined(against.schema(), against.refs()));
        JsonNode cand = JsonSchemas.parse("server", candidate);
        List<JsonSchemaCompatibility.Difference> diffs = new ArrayList<>();
        if (mode.checksBackward()) {
            diffs.addAll(JsonSchemaCompatibility.diff(old, cand));
        }
        if (mode.checksForward()) {
            diffs.addAll(JsonSchemaCompatibility.diff(cand, old));
        }
        for (JsonSchemaCompatibility.Difference d : diffs) {
            if (!d.compatible()) {
                out.add("Found incompatible change: Difference{jsonPath='#" + d.pointer() + "', type=" + d.type() + "}");
            }
        }
        return out;
    }

    private static void validSchema(String schema) {
        try {
            JsonSchemas.compile("candidate", schema);
        } catch (InvalidSchemaException e) {
            throw new Reply(422, 42201, "Invalid schema " + schema + ", details: " + e.getMessage());
        }
    }

    /** The schema with its references resolved, transitively, as the registry parses it. */
    private String resolved(String schema, List<Ref> refs) {
        Map<String, String> texts = new LinkedHashMap<>();
        List<Ref> pending = new ArrayList<>(refs);
        while (!pending.isEmpty()) {
            Ref ref = pending.remove(0);
            if (texts.containsKey(ref.name())) {
                continue;
            }
            List<Version> versions = subjects.get(ref.subject());
            Version target = versions == null ? null
                    : versions.stream().filter(v -> v.version() == ref.version()).findFirst().orElse(null);
            if (target == null) {
                throw new Reply(422, 42201, "Invalid schema " + schema + " with refs " + refs + " of type JSON, details: "
                        + "reference '" + ref.name() + "' names version " + ref.version() + " of subject '" + ref.subject()
                        + "', which does not exist");
            }
            texts.put(ref.name(), target.schema());
            pending.addAll(target.refs());
        }
        try {
            return ReferenceBundle.bundle("candidate", schema, texts);
        } catch (InvalidSchemaException e) {
            throw new Reply(422, 42201, "Invalid schema: " + e.getMessage());
        }
    }

    /**
     * The schema with every {@code $ref} to a reference name (with or without a fragment) replaced by the
     * referenced schema itself, references of references too, so the compatibility checker, which follows only
     * local pointers, compares what the references stand for. Pointers inside a referenced schema are left as
     * they are (the test schemas keep such changes out of what they compare).
     */
    private String inlined(String schema, List<Ref> refs) {
        return inline(JsonSchemas.parse("candidate", schema), refs, 0).toString();
    }

    private JsonNode inline(JsonNode node, List<Ref> refs, int depth) {
        if (depth > 32) {
            throw new Reply(422, 42201, "Invalid schema: references nest deeper than 32 levels");
        }
        if (node.isObject()) {
            String ref = node.path("$ref").asText(null);
            if (ref != null) {
                String name = ref.contains("#") ? ref.substring(0, ref.indexOf('#')) : ref;
                for (Ref r : refs) {
                    if (r.name().equals(name)) {
                        Version target = existing(r.subject()).stream().filter(v -> v.version() == r.version()).findFirst()
                                .orElseThrow(() -> new Reply(422, 42201, "Invalid schema: reference '" + name + "' does not exist"));
                        JsonNode referenced = JsonSchemas.parse("reference", target.schema());
                        if (ref.contains("#")) {
                            referenced = referenced.at(ref.substring(ref.indexOf('#') + 1));
                        }
                        return inline(referenced, target.refs(), depth + 1);
                    }
                }
            }
            ObjectNode copy = MAPPER.createObjectNode();
            node.fields().forEachRemaining(f -> copy.set(f.getKey(), inline(f.getValue(), refs, depth)));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = MAPPER.createArrayNode();
            node.forEach(n -> copy.add(inline(n, refs, depth)));
            return copy;
        }
        return node;
    }

    private static String identity(String schema, List<Ref> refs) {
        return fingerprint(schema) + refs;
    }

    private static List<Ref> refs(JsonNode body) {
        JsonNode listed = body.path("references");
        if (listed.isMissingNode() || listed.isNull()) {
            return List.of();
        }
        if (!listed.isArray()) {
            throw new Reply(422, 422, "references must be an array");
        }
        List<Ref> out = new ArrayList<>();
        for (JsonNode r : listed) {
            r.fieldNames().forEachRemaining(f -> {
                if (!Set.of("name", "subject", "version").contains(f)) {
                    throw new Reply(422, 422, "Unrecognized field: " + f);
                }
            });
            if (!r.path("name").isTextual() || !r.path("subject").isTextual() || !r.path("version").isInt()) {
                throw new Reply(422, 42201, "Invalid schema reference " + r + ": name, subject and version are required");
            }
            out.add(new Ref(r.get("name").asText(), r.get("subject").asText(), r.get("version").asInt()));
        }
        return out;
    }

    private static String fingerprint(String schema) {
        try {
            return SchemaFingerprint.of("candidate", schema);
        } catch (InvalidSchemaException e) {
            throw new Reply(422, 42201, "Invalid schema: " + e.getMessage());
        }
    }

    private List<Version> existing(String subject) {
        List<Version> versions = subjects.get(subject);
        if (versions == null) {
            throw new Reply(404, 40401, "Subject '" + subject + "' not found.");
        }
        return versions;
    }

    private static Version pick(List<Version> versions, String version) {
        if (version.equals("latest") || version.equals("-1")) {
            return versions.get(versions.size() - 1);
        }
        int v;
        try {
            v = Integer.parseInt(version);
        } catch (NumberFormatException e) {
            throw new Reply(422, 42202, "The specified version '" + version + "' is not a valid version id. "
                    + "Allowed values are between [1, 2^31-1] and the string \"latest\"");
        }
        if (v < 1) {
            throw new Reply(422, 42202, "The specified version '" + version + "' is not a valid version id.");
        }
        return versions.stream().filter(x -> x.version() == v).findFirst()
                .orElseThrow(() -> new Reply(404, 40402, "Version " + v + " not found."));
    }

    private static ObjectNode versionJson(String subject, Version v) {
        ObjectNode out = MAPPER.createObjectNode().put("subject", subject).put("version", v.version()).put("id", v.id())
                .put("schemaType", "JSON").put("schema", v.schema());
        if (!v.refs().isEmpty()) {
            ArrayNode refs = out.putArray("references");
            v.refs().forEach(r -> refs.addObject().put("name", r.name()).put("subject", r.subject()).put("version", r.version()));
        }
        return out;
    }

    private static JsonNode schemaBody(HttpExchange ex) throws IOException {
        JsonNode body = jsonBody(ex);
        body.fieldNames().forEachRemaining(f -> {
            if (!SCHEMA_BODY_FIELDS.contains(f)) {
                throw new Reply(422, 422, "Unrecognized field: " + f);
            }
        });
        if (!body.path("schema").isTextual()) {
            throw new Reply(422, 42201, "Empty schema");
        }
        String type = body.path("schemaType").asText("AVRO");
        if (!type.equals("JSON")) {
            throw new Reply(422, 42201, "This test registry holds JSON schemas only, but schemaType was " + type);
        }
        return body;
    }

    private static CompatibilityMode configBody(HttpExchange ex) throws IOException {
        JsonNode body = jsonBody(ex);
        body.fieldNames().forEachRemaining(f -> {
            if (!f.equals("compatibility")) {
                throw new Reply(422, 422, "Unrecognized field: " + f);
            }
        });
        try {
            return CompatibilityMode.valueOf(body.path("compatibility").asText());
        } catch (IllegalArgumentException e) {
            throw new Reply(422, 42203, "Invalid compatibility level. Valid values are none, backward, forward, full, "
                    + "backward_transitive, forward_transitive, and full_transitive");
        }
    }

    private static JsonNode jsonBody(HttpExchange ex) throws IOException {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !(type.startsWith("application/vnd.schemaregistry.v1+json") || type.startsWith("application/json")
                || type.startsWith("application/vnd.schemaregistry+json"))) {
            throw new Reply(415, 415, "HTTP 415 Unsupported Media Type: " + type);
        }
        try (InputStream in = ex.getRequestBody()) {
            JsonNode node = MAPPER.readTree(in);
            if (node == null || !node.isObject()) {
                throw new Reply(422, 422, "Unrecognized request body");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new Reply(400, 400, "Unexpected character: " + e.getOriginalMessage());
        }
    }

    private static void allow(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw new Reply(405, 405, "HTTP 405 Method Not Allowed");
        }
    }

    private static void onlyParams(Map<String, String> query, Set<String> allowed) {
        for (String k : query.keySet()) {
            if (!allowed.contains(k)) {
                throw new Reply(400, 400, "Unknown query parameter '" + k + "'");
            }
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw != null && !raw.isEmpty()) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                out.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = MAPPER.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static void error(HttpExchange ex, int status, int code, String message) throws IOException {
        send(ex, status, MAPPER.createObjectNode().put("error_code", code).put("message", message));
    }

    private static final class Reply extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final int code;

        Reply(int status, int code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }
}
