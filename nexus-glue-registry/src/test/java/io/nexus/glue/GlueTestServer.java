package io.nexus.glue;

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
import io.nexus.core.schema.SchemaVersion;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A strict stand-in for the AWS Glue Schema Registry, speaking Glue's JSON 1.1 protocol ({@code POST /},
 * {@code X-Amz-Target: AWSGlue.<Operation>}, {@code Content-Type: application/x-amz-json-1.1}) for exactly the
 * operations {@link GlueSchemaRegistry} uses: CreateRegistry, CreateSchema, RegisterSchemaVersion, GetSchema,
 * GetSchemaVersion, GetSchemaByDefinition, ListSchemas, ListSchemaVersions, UpdateSchema,
 * CheckSchemaVersionValidity. Shapes, constraints and error codes follow the Glue API reference.
 *
 * <p>Strict: another target → UnknownOperationException; a request without a SigV4 Authorization header →
 * MissingAuthenticationTokenException; unknown or mistyped fields → SerializationException; missing or invalid
 * parameters → InvalidInputException; missing registry, schema or version → EntityNotFoundException; an existing
 * name → AlreadyExistsException. Like Glue, a new version is first reported PENDING, and a version that breaks
 * the schema's compatibility is kept with status FAILURE (it takes a version number). Verdicts come from the
 * Nexus checker, never from test expectations. Only the JSON data format is held.
 */
final class GlueTestServer implements AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9-_$#.]{1,255}");
    private static final Pattern UUID_PATTERN = Pattern.compile("[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}");
    private static final Set<String> COMPATIBILITIES = Set.of("NONE", "DISABLED", "BACKWARD", "BACKWARD_ALL", "FORWARD",
            "FORWARD_ALL", "FULL", "FULL_ALL");
    private static final String ACCOUNT = "123456789012";

    private static final class Version {
        final String id = UUID.randomUUID().toString();
        final int number;
        final String definition;
        final String status;
        final String created = Instant.now().toString();
        int pendingReads = 1;

        Version(int number, String definition, String status) {
            this.number = number;
            this.definition = definition;
            this.status = status;
        }

        String visibleStatus() {
            return pendingReads > 0 ? "PENDING" : status;
        }
    }

    private static final class Schema {
        final String registry;
        final String name;
        final String arn;
        final String created = Instant.now().toString();
        String compatibility;
        String description;
        /** The version from which new versions are judged; UpdateSchema moves it. */
        int checkpoint = 1;
        final List<Version> versions = new ArrayList<>();

        Schema(String registry, String name, String compatibility) {
            this.registry = registry;
            this.name = name;
            this.arn = "arn:aws:glue:us-east-1:" + ACCOUNT + ":schema/" + registry + "/" + name;
            this.compatibility = compatibility;
        }
    }

    private final HttpServer server;
    private final Map<String, String> registries = new TreeMap<>();
    private final Map<String, Schema> schemas = new TreeMap<>();
    private final Map<String, AtomicInteger> calls = new HashMap<>();
    private Runnable beforeRegistration;

    private GlueTestServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    static GlueTestServer start() throws IOException {
        return new GlueTestServer();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** How many times {@code operation} was called. */
    synchronized int calls(String operation) {
        return calls.getOrDefault(operation, new AtomicInteger()).get();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            if (!ex.getRequestMethod().equals("POST") || !ex.getRequestURI().getPath().equals("/")) {
                throw new Fault(404, "UnknownOperationException", "Only POST / is served");
            }
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !auth.startsWith("AWS4-HMAC-SHA256 Credential=")) {
                throw new Fault(400, "MissingAuthenticationTokenException", "Missing Authentication Token");
            }
            String type = ex.getRequestHeaders().getFirst("Content-Type");
            if (type == null || !type.startsWith("application/x-amz-json-1.1")) {
                throw new Fault(400, "SerializationException", "Content-Type must be application/x-amz-json-1.1, was " + type);
            }
            String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
            if (target == null || !target.startsWith("AWSGlue.")) {
                throw new Fault(400, "UnknownOperationException", "Missing or foreign X-Amz-Target: " + target);
            }
            JsonNode body;
            try (InputStream in = ex.getRequestBody()) {
                body = MAPPER.readTree(in);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new Fault(400, "SerializationException", "Malformed JSON: " + e.getOriginalMessage());
            }
            if (body == null || !body.isObject()) {
                throw new Fault(400, "SerializationException", "The request body must be a JSON object");
            }
            String operation = target.substring("AWSGlue.".length());
            JsonNode answer;
            synchronized (this) {
                calls.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
                answer = dispatch(operation, (ObjectNode) body);
            }
            send(ex, 200, answer);
        } catch (Fault f) {
            ex.getResponseHeaders().set("x-amzn-ErrorType", f.type);
            send(ex, f.status, MAPPER.createObjectNode().put("__type", f.type).put("Message", f.getMessage()));
        } catch (RuntimeException e) {
            send(ex, 500, MAPPER.createObjectNode().put("__type", "InternalServiceException").put("Message", e.toString()));
        } finally {
            ex.close();
        }
    }

    private JsonNode dispatch(String operation, ObjectNode in) {
        return switch (operation) {
            case "CreateRegistry" -> createRegistry(in);
            case "CreateSchema" -> createSchema(in);
            case "RegisterSchemaVersion" -> registerSchemaVersion(in);
            case "GetSchema" -> getSchema(in);
            case "GetSchemaVersion" -> getSchemaVersion(in);
            case "GetSchemaByDefinition" -> getSchemaByDefinition(in);
            case "ListSchemas" -> listSchemas(in);
            case "ListSchemaVersions" -> listSchemaVersions(in);
            case "UpdateSchema" -> updateSchema(in);
            case "CheckSchemaVersionValidity" -> checkValidity(in);
            default -> throw new Fault(400, "UnknownOperationException", "Operation " + operation + " is not served here");
        };
    }

    private JsonNode createRegistry(ObjectNode in) {
        fields(in, Set.of("RegistryName"), Set.of("Description", "Tags"));
        String name = name(in, "RegistryName");
        if (registries.containsKey(name)) {
            throw new Fault(400, "AlreadyExistsException", "Registry already exists.");
        }
        String arn = "arn:aws:glue:us-east-1:" + ACCOUNT + ":registry/" + name;
        registries.put(name, arn);
        return MAPPER.createObjectNode().put("RegistryArn", arn).put("RegistryName", name)
                .put("Description", in.path("Description").asText(""));
    }

    private JsonNode createSchema(ObjectNode in) {
        fields(in, Set.of("SchemaName", "DataFormat"), Set.of("RegistryId", "Compatibility", "Description", "Tags", "SchemaDefinition"));
        String registry = registryOf(in.get("RegistryId"));
        String name = name(in, "SchemaName");
        String format = text(in, "DataFormat");
        if (!Set.of("AVRO", "JSON", "PROTOBUF").contains(format)) {
            throw new Fault(400, "InvalidInputException", "DataFormat must be AVRO, JSON or PROTOBUF");
        }
        if (!format.equals("JSON")) {
            throw new Fault(400, "InvalidInputException", "This test server holds JSON schemas only");
        }
        String compatibility = in.has("Compatibility") ? text(in, "Compatibility") : "BACKWARD";
        if (!COMPATIBILITIES.contains(compatibility)) {
            throw new Fault(400, "InvalidInputException", "Compatibility must be one of " + COMPATIBILITIES);
        }
        String key = registry + "/" + name;
        if (schemas.containsKey(key)) {
            throw new Fault(400, "AlreadyExistsException", "Schema already exists.");
        }
        Schema schema = new Schema(registry, name, compatibility);
        schema.description = in.path("Description").asText(null);
        Version first = null;
        if (in.has("SchemaDefinition")) {
            String definition = definition(in);
            first = new Version(1, definition, "AVAILABLE");
            schema.versions.add(first);
        }
        schemas.put(key, schema);
        ObjectNode out = MAPPER.createObjectNode().put("RegistryName", registry).put("RegistryArn", registries.get(registry))
                .put("SchemaName", name).put("SchemaArn", schema.arn).put("DataFormat", format)
                .put("Compatibility", compatibility).put("SchemaStatus", "AVAILABLE")
                .put("LatestSchemaVersion", schema.versions.size()).put("NextSchemaVersion", schema.versions.size() + 1)
                .put("SchemaCheckpoint", schema.versions.size());
        if (first != null) {
            out.put("SchemaVersionId", first.id).put("SchemaVersionStatus", first.visibleStatus());
        }
        return out;
    }

    /**
     * Runs {@code action} inside the next RegisterSchemaVersion call, before it is judged: a writer that got there
     * first. The action may call {@link #registerDirectly}.
     */
    synchronized void beforeNextRegistration(Runnable action) {
        this.beforeRegistration = action;
    }

    /** Registers as a concurrent client would, judged by the same rules; returns the status. */
    synchronized String registerDirectly(String registry, String schemaName, String definition) {
        Schema schema = schemas.get(registry + "/" + schemaName);
        Version v = register(schema, definition);
        v.pendingReads = 0;
        return v.status;
    }

    private JsonNode registerSchemaVersion(ObjectNode in) {
        fields(in, Set.of("SchemaId", "SchemaDefinition"), Set.of());
        Schema schema = schema(in.get("SchemaId"));
        String definition = definition(in);
        Runnable first = beforeRegistration;
        beforeRegistration = null;
        if (first != null) {
            first.run();
        }
        Version v = register(schema, definition);
        return MAPPER.createObjectNode().put("SchemaVersionId", v.id).put("VersionNumber", v.number).put("Status", v.visibleStatus());
    }

    private Version register(Schema schema, String definition) {
        String fingerprint = SchemaFingerprint.of("glue", definition);
        for (Version v : schema.versions) {
            if (SchemaFingerprint.of("glue", v.definition).equals(fingerprint)) {
                return v;
            }
        }
        if (schema.compatibility.equals("DISABLED")) {
            throw new Fault(400, "InvalidInputException", "Compatibility DISABLED does not allow versioning. SchemaId: " + schema.arn);
        }
        CompatibilityMode mode = toMode(schema.compatibility);
        List<SchemaVersion> available = new ArrayList<>();
        for (Version v : schema.versions) {
            if (v.status.equals("AVAILABLE") && v.number >= schema.checkpoint) {
                available.add(new SchemaVersion(schema.name, v.number, v.definition, Instant.parse(v.created),
                        SchemaFingerprint.of("glue", v.definition)));
            }
        }
        boolean compatible = JsonSchemaCompatibility.check(schema.name, mode, definition, available).isCompatible();
        Version added = new Version(schema.versions.size() + 1, definition, compatible ? "AVAILABLE" : "FAILURE");
        schema.versions.add(added);
        return added;
    }

    private JsonNode getSchema(ObjectNode in) {
        fields(in, Set.of("SchemaId"), Set.of());
        Schema s = schema(in.get("SchemaId"));
        return MAPPER.createObjectNode().put("RegistryName", s.registry).put("RegistryArn", registries.get(s.registry))
                .put("SchemaName", s.name).put("SchemaArn", s.arn).put("DataFormat", "JSON").put("Compatibility", s.compatibility)
                .put("SchemaCheckpoint", s.checkpoint).put("LatestSchemaVersion", s.versions.size())
                .put("NextSchemaVersion", s.versions.size() + 1).put("SchemaStatus", "AVAILABLE")
                .put("CreatedTime", s.created).put("UpdatedTime", s.created);
    }

    private JsonNode getSchemaVersion(ObjectNode in) {
        fields(in, Set.of(), Set.of("SchemaId", "SchemaVersionId", "SchemaVersionNumber"));
        Version v;
        Schema owner;
        if (in.has("SchemaVersionId")) {
            if (in.has("SchemaId") || in.has("SchemaVersionNumber")) {
                throw new Fault(400, "InvalidInputException", "Provide either SchemaVersionId or SchemaId with SchemaVersionNumber");
            }
            String id = text(in, "SchemaVersionId");
            if (!UUID_PATTERN.matcher(id).matches()) {
                throw new Fault(400, "InvalidInputException", "SchemaVersionId must be a 36-character UUID");
            }
            owner = null;
            v = null;
            for (Schema s : schemas.values()) {
                for (Version candidate : s.versions) {
                    if (candidate.id.equals(id)) {
                        owner = s;
                        v = candidate;
                    }
                }
            }
            if (v == null) {
                throw new Fault(400, "EntityNotFoundException", "Schema version is not found.");
            }
        } else {
            if (!in.has("SchemaId") || !in.has("SchemaVersionNumber")) {
                throw new Fault(400, "InvalidInputException", "SchemaId and SchemaVersionNumber are required without SchemaVersionId");
            }
            owner = schema(in.get("SchemaId"));
            v = pick(owner, in.get("SchemaVersionNumber"));
        }
        String status = v.visibleStatus();
        if (v.pendingReads > 0) {
            v.pendingReads--;
        }
        return MAPPER.createObjectNode().put("SchemaVersionId", v.id).put("SchemaDefinition", v.definition)
                .put("DataFormat", "JSON").put("SchemaArn", owner.arn).put("VersionNumber", v.number)
                .put("Status", status).put("CreatedTime", v.created);
    }

    private Version pick(Schema s, JsonNode number) {
        if (!number.isObject()) {
            throw new Fault(400, "SerializationException", "SchemaVersionNumber must be an object");
        }
        fields((ObjectNode) number, Set.of(), Set.of("LatestVersion", "VersionNumber"));
        boolean latest = number.path("LatestVersion").asBoolean(false);
        if (number.has("LatestVersion") && !number.get("LatestVersion").isBoolean()) {
            throw new Fault(400, "SerializationException", "LatestVersion must be a boolean");
        }
        if (latest == number.has("VersionNumber")) {
            throw new Fault(400, "InvalidInputException", "Provide exactly one of LatestVersion=true or VersionNumber");
        }
        if (latest) {
            for (int i = s.versions.size() - 1; i >= 0; i--) {
                if (s.versions.get(i).status.equals("AVAILABLE")) {
                    return s.versions.get(i);
                }
            }
            throw new Fault(400, "EntityNotFoundException", "Schema version is not found.");
        }
        JsonNode n = number.get("VersionNumber");
        if (!n.canConvertToLong() || !n.isIntegralNumber()) {
            throw new Fault(400, "SerializationException", "VersionNumber must be a number");
        }
        long v = n.asLong();
        if (v < 1 || v > 100000) {
            throw new Fault(400, "InvalidInputException", "VersionNumber must be between 1 and 100000");
        }
        if (v > s.versions.size()) {
            throw new Fault(400, "EntityNotFoundException", "Schema version is not found.");
        }
        return s.versions.get((int) v - 1);
    }

    private JsonNode getSchemaByDefinition(ObjectNode in) {
        fields(in, Set.of("SchemaId", "SchemaDefinition"), Set.of());
        Schema s = schema(in.get("SchemaId"));
        String fingerprint = SchemaFingerprint.of("glue", definition(in));
        for (Version v : s.versions) {
            if (SchemaFingerprint.of("glue", v.definition).equals(fingerprint)) {
                return MAPPER.createObjectNode().put("SchemaVersionId", v.id).put("SchemaArn", s.arn).put("DataFormat", "JSON")
                        .put("Status", v.visibleStatus()).put("CreatedTime", v.created);
            }
        }
        throw new Fault(400, "EntityNotFoundException", "Schema is not found.");
    }

    private JsonNode listSchemas(ObjectNode in) {
        fields(in, Set.of(), Set.of("RegistryId", "MaxResults", "NextToken"));
        String registry = in.has("RegistryId") ? registryOf(in.get("RegistryId")) : null;
        List<Schema> all = schemas.values().stream().filter(s -> registry == null || s.registry.equals(registry)).toList();
        ObjectNode out = MAPPER.createObjectNode();
        ArrayNode items = out.putArray("Schemas");
        int[] page = page(in, all.size());
        for (int i = page[0]; i < page[1]; i++) {
            Schema s = all.get(i);
            items.addObject().put("RegistryName", s.registry).put("SchemaName", s.name).put("SchemaArn", s.arn)
                    .put("SchemaStatus", "AVAILABLE").put("CreatedTime", s.created).put("UpdatedTime", s.created);
        }
        if (page[1] < all.size()) {
            out.put("NextToken", Integer.toString(page[1]));
        }
        return out;
    }

    private JsonNode listSchemaVersions(ObjectNode in) {
        fields(in, Set.of("SchemaId"), Set.of("MaxResults", "NextToken"));
        Schema s = schema(in.get("SchemaId"));
        ObjectNode out = MAPPER.createObjectNode();
        ArrayNode items = out.putArray("Schemas");
        int[] page = page(in, s.versions.size());
        for (int i = page[0]; i < page[1]; i++) {
            Version v = s.versions.get(i);
            items.addObject().put("SchemaArn", s.arn).put("SchemaVersionId", v.id).put("VersionNumber", v.number)
                    .put("Status", v.visibleStatus()).put("CreatedTime", v.created);
        }
        if (page[1] < s.versions.size()) {
            out.put("NextToken", Integer.toString(page[1]));
        }
        return out;
    }

    private JsonNode updateSchema(ObjectNode in) {
        fields(in, Set.of("SchemaId"), Set.of("SchemaVersionNumber", "Compatibility", "Description"));
        Schema s = schema(in.get("SchemaId"));
        if (!in.has("Compatibility") && !in.has("SchemaVersionNumber") && !in.has("Description")) {
            throw new Fault(400, "InvalidInputException", "One of SchemaVersionNumber, Compatibility or Description is required");
        }
        // As the API reference says: "If the value for Compatibility is provided, the VersionNumber (a checkpoint)
        // is also required. The API will validate the checkpoint version number for consistency."
        if (in.has("Compatibility") && !in.has("SchemaVersionNumber")) {
            throw new Fault(400, "InvalidInputException", "SchemaVersionNumber is required when Compatibility is provided");
        }
        Integer checkpoint = null;
        if (in.has("SchemaVersionNumber")) {
            JsonNode n = in.get("SchemaVersionNumber");
            if (!n.isObject()) {
                throw new Fault(400, "SerializationException", "SchemaVersionNumber must be an object");
            }
            fields((ObjectNode) n, Set.of(), Set.of("LatestVersion", "VersionNumber"));
            boolean latest = n.has("LatestVersion") && n.get("LatestVersion").asBoolean();
            if (latest == n.has("VersionNumber")) {
                throw new Fault(400, "InvalidInputException", "Provide exactly one of LatestVersion true or VersionNumber");
            }
            int number = latest ? s.versions.size() : n.get("VersionNumber").asInt();
            if (!latest && (!n.get("VersionNumber").canConvertToInt() || number < 1 || number > s.versions.size()
                    || !s.versions.get(number - 1).status.equals("AVAILABLE"))) {
                throw new Fault(400, "InvalidInputException", "Schema version " + n.get("VersionNumber")
                        + " is not an available version of " + s.arn);
            }
            checkpoint = number;
        }
        if (checkpoint != null) {
            s.checkpoint = checkpoint;
        }
        if (in.has("Compatibility")) {
            String c = text(in, "Compatibility");
            if (!COMPATIBILITIES.contains(c)) {
                throw new Fault(400, "InvalidInputException", "Compatibility must be one of " + COMPATIBILITIES);
            }
            s.compatibility = c;
        }
        if (in.has("Description")) {
            s.description = text(in, "Description");
        }
        return MAPPER.createObjectNode().put("SchemaArn", s.arn).put("SchemaName", s.name).put("RegistryName", s.registry);
    }

    private JsonNode checkValidity(ObjectNode in) {
        fields(in, Set.of("DataFormat", "SchemaDefinition"), Set.of());
        if (!text(in, "DataFormat").equals("JSON")) {
            throw new Fault(400, "InvalidInputException", "This test server checks JSON schemas only");
        }
        String problem = invalidForGlue(text(in, "SchemaDefinition"));
        return problem == null ? MAPPER.createObjectNode().put("Valid", true)
                : MAPPER.createObjectNode().put("Valid", false).put("Error", problem);
    }

    private static int[] page(ObjectNode in, int size) {
        int max = 100;
        if (in.has("MaxResults")) {
            max = in.get("MaxResults").asInt();
            if (!in.get("MaxResults").isInt() || max < 1 || max > 100) {
                throw new Fault(400, "InvalidInputException", "MaxResults must be between 1 and 100");
            }
        }
        int from = 0;
        if (in.has("NextToken")) {
            try {
                from = Integer.parseInt(text(in, "NextToken"));
            } catch (NumberFormatException e) {
                throw new Fault(400, "InvalidInputException", "Invalid NextToken");
            }
        }
        return new int[]{from, Math.min(size, from + max)};
    }

    private String registryOf(JsonNode registryId) {
        if (registryId == null) {
            String name = "default-registry";
            registries.putIfAbsent(name, "arn:aws:glue:us-east-1:" + ACCOUNT + ":registry/" + name);
            return name;
        }
        if (!registryId.isObject()) {
            throw new Fault(400, "SerializationException", "RegistryId must be an object");
        }
        fields((ObjectNode) registryId, Set.of(), Set.of("RegistryName", "RegistryArn"));
        if (registryId.has("RegistryName") == registryId.has("RegistryArn")) {
            throw new Fault(400, "InvalidInputException", "Provide exactly one of RegistryName or RegistryArn");
        }
        String name = registryId.has("RegistryName") ? name((ObjectNode) registryId, "RegistryName")
                : text((ObjectNode) registryId, "RegistryArn").replaceFirst(".*:registry/", "");
        if (!registries.containsKey(name)) {
            throw new Fault(400, "EntityNotFoundException", "Registry is not found. RegistryName: " + name);
        }
        return name;
    }

    private Schema schema(JsonNode schemaId) {
        if (schemaId == null || !schemaId.isObject()) {
            throw new Fault(400, "SerializationException", "SchemaId must be an object");
        }
        ObjectNode id = (ObjectNode) schemaId;
        fields(id, Set.of(), Set.of("SchemaArn", "SchemaName", "RegistryName"));
        String key;
        if (id.has("SchemaArn")) {
            if (id.has("SchemaName") || id.has("RegistryName")) {
                throw new Fault(400, "InvalidInputException", "Provide either SchemaArn or SchemaName and RegistryName");
            }
            key = text(id, "SchemaArn").replaceFirst(".*:schema/", "");
        } else {
            if (!id.has("SchemaName") || !id.has("RegistryName")) {
                throw new Fault(400, "InvalidInputException", "Either SchemaArn or SchemaName and RegistryName has to be provided");
            }
            String registry = name(id, "RegistryName");
            if (!registries.containsKey(registry)) {
                throw new Fault(400, "EntityNotFoundException", "Registry is not found. RegistryName: " + registry);
            }
            key = registry + "/" + name(id, "SchemaName");
        }
        Schema s = schemas.get(key);
        if (s == null) {
            throw new Fault(400, "EntityNotFoundException", "Schema is not found. RegistryName: " + key.replaceFirst("/.*", "")
                    + ", SchemaName: " + key.replaceFirst(".*/", ""));
        }
        return s;
    }

    private static String definition(ObjectNode in) {
        String d = text(in, "SchemaDefinition");
        if (d.isEmpty() || d.length() > 170000) {
            throw new Fault(400, "InvalidInputException", "SchemaDefinition length must be between 1 and 170000");
        }
        String problem = invalidForGlue(d);
        if (problem != null) {
            throw new Fault(400, "InvalidInputException", "Schema definition of JSON data format is invalid: " + problem);
        }
        return d;
    }

    /** Why Glue refuses {@code definition}, or {@code null}: not a JSON Schema, or a draft other than 04, 06, 07. */
    private static String invalidForGlue(String definition) {
        try {
            JsonNode parsed = MAPPER.readTree(definition);
            JsonNode declared = parsed == null ? null : parsed.get("$schema");
            if (declared != null && !GLUE_DRAFTS.contains(declared.asText().replaceFirst("^https://", "http://")
                    .replaceFirst("#$", ""))) {
                return "unsupported JSON Schema draft " + declared + "; supported: draft-04, draft-06, draft-07";
            }
            JsonSchemas.compile("glue", definition);
            return null;
        } catch (InvalidSchemaException | java.io.IOException e) {
            return e.getMessage();
        }
    }

    private static final Set<String> GLUE_DRAFTS = Set.of("http://json-schema.org/draft-04/schema",
            "http://json-schema.org/draft-06/schema", "http://json-schema.org/draft-07/schema");

    private static String name(ObjectNode in, String field) {
        String value = text(in, field);
        if (!NAME.matcher(value).matches()) {
            throw new Fault(400, "InvalidInputException", field + " '" + value + "' must match [a-zA-Z0-9-_$#.]{1,255}");
        }
        return value;
    }

    private static String text(ObjectNode in, String field) {
        JsonNode n = in.get(field);
        if (n == null) {
            throw new Fault(400, "InvalidInputException", field + " is required");
        }
        if (!n.isTextual()) {
            throw new Fault(400, "SerializationException", field + " must be a string");
        }
        return n.asText();
    }

    private static void fields(ObjectNode in, Set<String> required, Set<String> optional) {
        for (Iterator<String> it = in.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!required.contains(f) && !optional.contains(f)) {
                throw new Fault(400, "SerializationException", "Unknown field '" + f + "'");
            }
        }
        for (String f : required) {
            if (!in.has(f) || in.get(f).isNull()) {
                throw new Fault(400, "InvalidInputException", f + " is required");
            }
        }
    }

    private static CompatibilityMode toMode(String glue) {
        return switch (glue) {
            case "BACKWARD_ALL" -> CompatibilityMode.BACKWARD_TRANSITIVE;
            case "FORWARD_ALL" -> CompatibilityMode.FORWARD_TRANSITIVE;
            case "FULL_ALL" -> CompatibilityMode.FULL_TRANSITIVE;
            default -> CompatibilityMode.valueOf(glue);
        };
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = MAPPER.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        ex.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static final class Fault extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String type;

        Fault(int status, String type, String message) {
            super(message, null, false, false);
            this.status = status;
            this.type = type;
        }
    }
}
