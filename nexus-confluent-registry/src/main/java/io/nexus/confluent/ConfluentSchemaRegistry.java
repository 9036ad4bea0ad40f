package io.nexus.confluent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.nexus.core.observation.NexusObservation;
import io.nexus.core.schema.CompatibilityMode;
import io.nexus.core.schema.CompatibilityReport;
import io.nexus.core.schema.Incompatibility;
import io.nexus.core.schema.IncompatibleSchemaException;
import io.nexus.core.schema.InvalidSchemaException;
import io.nexus.core.schema.JsonSchemas;
import io.nexus.core.schema.SchemaFingerprint;
import io.nexus.core.schema.SchemaRegistry;
import io.nexus.core.schema.SchemaRegistryException;
import io.nexus.core.schema.SchemaRegistryUnavailableException;
import io.nexus.core.schema.SchemaVersion;
import io.nexus.core.schema.UnknownSchemaException;
import io.nexus.core.schema.UnknownSubjectException;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The {@link SchemaRegistry} port on a Confluent Schema Registry (REST API v1, schema type JSON), over the JDK
 * {@link HttpClient}. Thread-safe.
 *
 * <pre>{@code
 * SchemaRegistry registry = ConfluentSchemaRegistry.builder(URI.create("https://psrc-123.eu-west-1.aws.confluent.cloud"))
 *         .basicAuth(apiKey, apiSecret)
 *         .build();
 * }</pre>
 *
 * <h2>Implementation notes</h2>
 * <ul>
 *   <li>Endpoints: {@code POST /subjects/{s}/versions} (register), {@code POST /subjects/{s}} (lookup by
 *       definition), {@code GET /subjects}, {@code GET /subjects/{s}/versions[/{v}|/latest]},
 *       {@code POST /compatibility/subjects/{s}/versions/{v}?verbose=true}, {@code GET/PUT /config[/{s}]}, {@code DELETE /config/{s}}.</li>
 *   <li>{@link #register} looks the schema up first (idempotent), then asks the compatibility endpoint for each
 *       version the mode covers (latest, or all for transitive modes) so a refusal lists every difference the
 *       registry reports, per version; only then does it register. A 409 from the registry itself (a concurrent
 *       registration changed the subject) is still turned into {@link IncompatibleSchemaException}.</li>
 *   <li>Error codes: 40401 → {@link UnknownSubjectException}, 40402 → {@link UnknownSchemaException},
 *       42201 → {@link InvalidSchemaException}, 409 → {@link IncompatibleSchemaException}, anything else
 *       → {@link SchemaRegistryException}; connection failures and timeouts →
 *       {@link SchemaRegistryUnavailableException}. The registry's message is kept in each.</li>
 *   <li>Versions are immutable, so lookups by version and by definition are cached (Caffeine, bounded, for
 *       {@link Builder#cacheTtl} so deleted versions are noticed); {@code latest}, version lists and modes are
 *       always fetched.</li>
 *   <li>The API exposes no registration time: {@link SchemaVersion#registeredAt()} is {@code null}.</li>
 *   <li>Schema references ({@link ConfluentSchemaReference}) are sent with {@link #register(String, String, List)},
 *       {@link #find(String, String, List)} and {@link #check(String, String, List)}; a version read with references
 *       comes back resolved into one self-contained document (see {@link #version}), so the core validators apply
 *       the referenced schemas. {@code GET /subjects/{s}/versions/{v}/referencedby} backs {@link #referencedBy}.</li>
 * </ul>
 */
public final class ConfluentSchemaRegistry implements SchemaRegistry {

    /** The {@code nexus.remote.system} of this registry's observations. */
    private static final String SYSTEM = "confluent";
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern CLASSIC = Pattern.compile("jsonPath='#?([^']*)', type=([A-Z_]+)");
    private static final Pattern MODERN = Pattern.compile("errorType:[\"']?([A-Z_]+)[\"']?(?:, description:[\"'](.*?)[\"']?(?:, additionalInfo:[\"'](.*?)[\"'])?)?\\}?$");

    private record Key(String subject, Object id) {
    }

    private record Answer(int status, JsonNode body) {
    }

    /** A version as read: the schema with its references resolved, the text as registered, the references. */
    private record Entry(SchemaVersion version, String registered, List<ConfluentSchemaReference> references) {
    }

    /** How deep references of references may go before the chain is taken for a cycle. */
    private static final int MAX_REFERENCE_DEPTH = 32;

    private final URI baseUrl;
    private final HttpClient http;
    private final Duration timeout;
    private final @Nullable Supplier<String> authorization;
    private final Cache<Key, Entry> cache;
    private final String name;
    private final ObservationRegistry observations;

    private ConfluentSchemaRegistry(Builder b) {
        String url = b.baseUrl.toString();
        this.baseUrl = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        this.http = b.httpClient != null ? b.httpClient : HttpClient.newBuilder().connectTimeout(b.timeout).build();
        this.timeout = b.timeout;
        this.authorization = b.authorization;
        this.cache = Caffeine.newBuilder().maximumSize(b.cacheMaximumSize).expireAfterWrite(b.cacheTtl).build();
        this.name = "confluent:" + this.baseUrl;
        this.observations = b.observations;
    }

    /** A builder for the registry at {@code baseUrl} (for example {@code http://localhost:8081}). */
    public static Builder builder(URI baseUrl) {
        return new Builder(baseUrl);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public SchemaVersion register(String subject, String schema) {
        return register(subject, schema, List.of());
    }

    /**
     * Registers {@code schema} under {@code subject} with {@code references} to schemas of other subjects
     * (Confluent's {@code references}): the schema's {@code $ref}s to a reference's name resolve to that
     * subject's version. Idempotent like {@link #register(String, String)}: the same text with the same
     * references returns the version already registered. The registry judges compatibility with the
     * references resolved.
     *
     * @return the version, whose {@link SchemaVersion#schema()} is the schema with its references resolved
     *         (see {@link #version})
     * @throws InvalidSchemaException        if the schema is no valid JSON Schema once its references are
     *                                       resolved, or the registry refuses it (a referenced version missing)
     * @throws UnknownSchemaException        if a referenced version does not exist (checked before sending)
     * @throws IncompatibleSchemaException   if the subject's compatibility mode refuses it
     * @throws SchemaRegistryException       for any other refusal; {@link SchemaRegistryUnavailableException} when
     *                                       the registry cannot be reached
     */
    public SchemaVersion register(String subject, String schema, List<ConfluentSchemaReference> references) {
        checkSubject(subject);
        Objects.requireNonNull(schema, "schema");
        List<ConfluentSchemaReference> refs = List.copyOf(Objects.requireNonNull(references, "references"));
        JsonSchemas.parse(subject, schema);
        Optional<SchemaVersion> existing = find(subject, schema, refs);
        if (existing.isPresent()) {
            return existing.get();
        }
        CompatibilityReport report = check(subject, schema, refs);
        report.throwIfIncompatible();
        Answer answer = send("register", "POST", "/subjects/" + enc(subject) + "/versions", body(schema, refs), "register a schema for '" + subject + "'");
        if (answer.status() == 409) {
            throw new IncompatibleSchemaException(subject, report.mode(), List.of(new Incompatibility(0, direction(report.mode()), "",
                    "REGISTRY_VERDICT", message(answer))));
        }
        if (answer.status() != 200) {
            throw error(answer, subject, 0, "register a schema for '" + subject + "'");
        }
        return find(subject, schema, refs).orElseThrow(() -> new SchemaRegistryException(name, "register a schema for '" + subject + "'",
                200, null, "the registered schema cannot be looked up afterwards", null));
    }

    /**
     * {@inheritDoc}
     *
     * <p>A version registered with {@linkplain ConfluentSchemaReference references} is returned with them
     * resolved: {@link SchemaVersion#schema()} is one self-contained document (the registered schema with every
     * referenced schema, transitively, embedded under {@code $defs} with its reference name as {@code $id}),
     * so validating a payload against it applies the referenced schemas too; the fingerprint is that
     * document's. {@link #references} and {@link #registeredSchema} give the version as registered.
     */
    @Override
    public SchemaVersion version(String subject, int version) {
        return entry(subject, version, 0).version();
    }

    /** {@inheritDoc} With references resolved, as {@link #version}. */
    @Override
    public SchemaVersion latest(String subject) {
        checkSubject(subject);
        return fetch(subject, "latest", 0, 0).version();
    }

    /**
     * The references version {@code version} of {@code subject} was registered with, in registration order;
     * empty for a schema without references.
     *
     * @throws UnknownSubjectException if the subject does not exist
     * @throws UnknownSchemaException  if the version does not exist
     * @throws SchemaRegistryException for any other refusal
     */
    public List<ConfluentSchemaReference> references(String subject, int version) {
        return entry(subject, version, 0).references();
    }

    /**
     * The schema text of version {@code version} of {@code subject} exactly as registered, its
     * {@code $ref}s to references unresolved.
     *
     * @throws UnknownSubjectException if the subject does not exist
     * @throws UnknownSchemaException  if the version does not exist
     * @throws SchemaRegistryException for any other refusal
     */
    public String registeredSchema(String subject, int version) {
        return entry(subject, version, 0).registered();
    }

    /**
     * The ids of the schemas that reference version {@code version} of {@code subject}
     * ({@code GET /subjects/{s}/versions/{v}/referencedby}); the registry refuses to delete a version while
     * this is not empty.
     *
     * @throws UnknownSubjectException if the subject does not exist
     * @throws UnknownSchemaException  if the version does not exist
     * @throws SchemaRegistryException for any other refusal
     */
    public List<Integer> referencedBy(String subject, int version) {
        checkSubject(subject);
        String op = "list the schemas referencing version " + version + " of '" + subject + "'";
        Answer answer = send("get-referenced-by", "GET", "/subjects/" + enc(subject) + "/versions/" + version + "/referencedby", null, op);
        if (answer.status() != 200 || !answer.body().isArray()) {
            throw error(answer, subject, version, op);
        }
        List<Integer> out = new ArrayList<>();
        answer.body().forEach(n -> out.add(n.asInt()));
        return out;
    }

    private Entry entry(String subject, int version, int depth) {
        checkSubject(subject);
        Key key = new Key(subject, version);
        Entry cached = cache.getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        Entry fetched = fetch(subject, Integer.toString(version), version, depth);
        cache.put(key, fetched);
        return fetched;
    }

    private Entry fetch(String subject, String version, int requested, int depth) {
        String op = "read version " + version + " of '" + subject + "'";
        Answer answer = send("get-version", "GET", "/subjects/" + enc(subject) + "/versions/" + version, null, op);
        if (answer.status() != 200) {
            throw error(answer, subject, requested, op);
        }
        return toEntry(subject, answer.body(), op, depth);
    }

    @Override
    public Optional<SchemaVersion> find(String subject, String schema) {
        return find(subject, schema, List.of());
    }

    /**
     * The version of {@code subject} registered with this schema text and these references (the registry
     * matches both), with its references resolved as {@link #version} returns it.
     *
     * @throws SchemaRegistryException for a refusal other than "not found"
     */
    public Optional<SchemaVersion> find(String subject, String schema, List<ConfluentSchemaReference> references) {
        checkSubject(subject);
        List<ConfluentSchemaReference> refs = List.copyOf(Objects.requireNonNull(references, "references"));
        String fingerprint = SchemaFingerprint.of(subject, schema);
        Key key = new Key(subject, refs.isEmpty() ? fingerprint : fingerprint + refs);
        Entry cached = cache.getIfPresent(key);
        if (cached != null) {
            return Optional.of(cached.version());
        }
        String op = "look up a schema of '" + subject + "'";
        Answer answer = send("lookup", "POST", "/subjects/" + enc(subject) + "?normalize=false", body(schema, refs), op);
        if (answer.status() == 404) {
            return Optional.empty();
        }
        if (answer.status() != 200) {
            throw error(answer, subject, 0, op);
        }
        Entry found = toEntry(subject, answer.body(), op, 0);
        cache.put(key, found);
        cache.put(new Key(subject, found.version().version()), found);
        return Optional.of(found.version());
    }

    @Override
    public List<Integer> versions(String subject) {
        checkSubject(subject);
        String op = "list the versions of '" + subject + "'";
        Answer answer = send("list-versions", "GET", "/subjects/" + enc(subject) + "/versions", null, op);
        if (answer.status() != 200 || !answer.body().isArray()) {
            throw error(answer, subject, 0, op);
        }
        List<Integer> out = new ArrayList<>();
        answer.body().forEach(n -> out.add(n.asInt()));
        out.sort(null);
        return out;
    }

    @Override
    public List<String> subjects() {
        Answer answer = send("list-subjects", "GET", "/subjects", null, "list subjects");
        if (answer.status() != 200 || !answer.body().isArray()) {
            throw error(answer, null, 0, "list subjects");
        }
        List<String> out = new ArrayList<>();
        answer.body().forEach(n -> out.add(n.asText()));
        out.sort(null);
        return out;
    }

    @Override
    public CompatibilityReport check(String subject, String schema) {
        return check(subject, schema, List.of());
    }

    /**
     * {@link #check(String, String)} for a schema with references: the registry judges it with the
     * references resolved, against the versions the subject's mode covers.
     *
     * @throws InvalidSchemaException  if the schema is no valid JSON Schema once its references are resolved
     * @throws UnknownSchemaException  if a referenced version does not exist
     * @throws SchemaRegistryException for any other refusal
     */
    public CompatibilityReport check(String subject, String schema, List<ConfluentSchemaReference> references) {
        checkSubject(subject);
        List<ConfluentSchemaReference> refs = List.copyOf(Objects.requireNonNull(references, "references"));
        JsonSchemas.parse(subject, schema);
        CompatibilityMode mode = compatibility(subject);
        List<Integer> versions;
        try {
            versions = versions(subject);
        } catch (UnknownSubjectException e) {
            versions = List.of();
        }
        if (versions.isEmpty() || mode == CompatibilityMode.NONE) {
            // Nothing to compare with; the registry still has to judge the document itself.
            JsonSchemas.compile(subject, ReferenceBundle.bundle(subject, schema, resolve(refs, 0)));
            return new CompatibilityReport(subject, mode, List.of());
        }
        List<Integer> against = mode.isTransitive() ? versions : List.of(versions.get(versions.size() - 1));
        List<Incompatibility> found = new ArrayList<>();
        for (int v : against) {
            String op = "check compatibility of a schema for '" + subject + "' with version " + v;
            Answer answer = send("check-compatibility", "POST", "/compatibility/subjects/" + enc(subject) + "/versions/" + v + "?verbose=true", body(schema, refs), op);
            if (answer.status() != 200) {
                throw error(answer, subject, v, op);
            }
            if (!answer.body().path("is_compatible").isBoolean()) {
                throw new SchemaRegistryException(name, op, 200, null, "the answer has no boolean 'is_compatible': " + answer.body(), null);
            }
            if (!answer.body().get("is_compatible").asBoolean()) {
                found.addAll(parseMessages(v, mode, answer.body().path("messages")));
            }
        }
        return new CompatibilityReport(subject, mode, found);
    }

    private List<Incompatibility> parseMessages(int version, CompatibilityMode mode, JsonNode messages) {
        List<Incompatibility> out = new ArrayList<>();
        String direction = direction(mode);
        for (JsonNode m : messages) {
            String text = m.asText();
            Matcher classic = CLASSIC.matcher(text);
            Matcher modern = MODERN.matcher(text);
            if (classic.find()) {
                out.add(new Incompatibility(version, direction, classic.group(1), classic.group(2), text));
            } else if (modern.find()) {
                String pointer = modern.group(3) != null && modern.group(3).startsWith("#") ? modern.group(3).substring(1) : "";
                out.add(new Incompatibility(version, direction, pointer, modern.group(1), modern.group(2) != null ? modern.group(2) : text));
            } else if (!text.startsWith("{oldSchema") && !text.startsWith("{compatibility") && !text.startsWith("{validateFields")) {
                out.add(new Incompatibility(version, direction, "", "REGISTRY_VERDICT", text));
            }
        }
        if (out.isEmpty()) {
            out.add(new Incompatibility(version, direction, "", "REGISTRY_VERDICT", "incompatible (the registry gave no details: " + messages + ")"));
        }
        return out;
    }

    private static String direction(CompatibilityMode mode) {
        return mode.checksBackward() && mode.checksForward() ? "FULL" : mode.checksForward() ? "FORWARD" : "BACKWARD";
    }

    @Override
    public CompatibilityMode defaultCompatibility() {
        Answer answer = send("get-config", "GET", "/config", null, "read the global compatibility");
        if (answer.status() != 200) {
            throw error(answer, null, 0, "read the global compatibility");
        }
        return mode(answer.body(), "read the global compatibility");
    }

    @Override
    public CompatibilityMode compatibility(String subject) {
        checkSubject(subject);
        String op = "read the compatibility of '" + subject + "'";
        Answer answer = send("get-config", "GET", "/config/" + enc(subject) + "?defaultToGlobal=true", null, op);
        if (answer.status() != 200) {
            throw error(answer, subject, 0, op);
        }
        return mode(answer.body(), op);
    }

    @Override
    public void setCompatibility(String subject, CompatibilityMode mode) {
        checkSubject(subject);
        Objects.requireNonNull(mode, "mode");
        String op = "set the compatibility of '" + subject + "' to " + mode;
        ObjectNode body = MAPPER.createObjectNode().put("compatibility", mode.name());
        Answer answer = send("set-config", "PUT", "/config/" + enc(subject), body.toString(), op);
        if (answer.status() != 200) {
            throw error(answer, subject, 0, op);
        }
    }

    /** {@inheritDoc} On Confluent: {@code GET /config/{subject}} without falling back to the global level. */
    @Override
    public Optional<CompatibilityMode> ownCompatibility(String subject) {
        checkSubject(subject);
        String op = "read the compatibility configured on '" + subject + "'";
        Answer answer = send("get-config", "GET", "/config/" + enc(subject), null, op);
        if (answer.status() == 404 && answer.body().path("error_code").asInt() == 40408) {
            return Optional.empty();
        }
        if (answer.status() != 200) {
            throw error(answer, subject, 0, op);
        }
        return Optional.of(mode(answer.body(), op));
    }

    /** {@inheritDoc} On Confluent: {@code DELETE /config/{subject}}; a subject without its own level is left as is. */
    @Override
    public void clearCompatibility(String subject) {
        checkSubject(subject);
        String op = "remove the compatibility configured on '" + subject + "'";
        Answer answer = send("delete-config", "DELETE", "/config/" + enc(subject), null, op);
        if (answer.status() == 404 && answer.body().path("error_code").asInt() == 40408) {
            return;
        }
        if (answer.status() != 200) {
            throw error(answer, subject, 0, op);
        }
    }

    private CompatibilityMode mode(JsonNode body, String op) {
        String level = body.path("compatibilityLevel").asText(body.path("compatibility").asText(""));
        try {
            return CompatibilityMode.valueOf(level);
        } catch (IllegalArgumentException e) {
            throw new SchemaRegistryException(name, op, 200, null, "unknown compatibility level '" + level + "' in " + body, e);
        }
    }

    private Entry toEntry(String subject, JsonNode body, String op, int depth) {
        if (!body.path("version").canConvertToInt() || !body.path("schema").isTextual()) {
            throw new SchemaRegistryException(name, op, 200, null, "the answer lacks 'version' or 'schema': " + body, null);
        }
        String type = body.path("schemaType").asText("AVRO");
        if (!type.equals("JSON")) {
            throw new SchemaRegistryException(name, op, 200, null, "version " + body.get("version") + " of '" + subject
                    + "' is of schemaType " + type + "; Nexus reads JSON Schemas only", null);
        }
        String schema = body.get("schema").asText();
        List<ConfluentSchemaReference> refs = new ArrayList<>();
        JsonNode listed = body.path("references");
        if (!listed.isMissingNode() && !listed.isNull() && !listed.isArray()) {
            throw new SchemaRegistryException(name, op, 200, null, "'references' is not an array: " + body, null);
        }
        for (JsonNode r : listed) {
            if (!r.path("name").isTextual() || !r.path("subject").isTextual() || !r.path("version").canConvertToInt()) {
                throw new SchemaRegistryException(name, op, 200, null, "a reference lacks 'name', 'subject' or 'version': " + r, null);
            }
            refs.add(new ConfluentSchemaReference(r.get("name").asText(), r.get("subject").asText(), r.get("version").asInt()));
        }
        String resolved = ReferenceBundle.bundle(subject, schema, resolve(refs, depth));
        return new Entry(new SchemaVersion(subject, body.get("version").asInt(), resolved, null, SchemaFingerprint.of(subject, resolved)),
                schema, List.copyOf(refs));
    }

    /** Reference name → registered text of every schema {@code refs} reach, references of references included. */
    private Map<String, String> resolve(List<ConfluentSchemaReference> refs, int depth) {
        Map<String, String> texts = new LinkedHashMap<>();
        collect(refs, depth, texts, new HashMap<>());
        return texts;
    }

    private void collect(List<ConfluentSchemaReference> refs, int depth, Map<String, String> texts,
                         Map<String, ConfluentSchemaReference> by) {
        if (refs.isEmpty()) {
            return;
        }
        if (depth >= MAX_REFERENCE_DEPTH) {
            throw new SchemaRegistryException(name, "resolve schema references", 200, null, "references nest deeper than "
                    + MAX_REFERENCE_DEPTH + " levels (last: " + refs + "); is there a cycle?", null);
        }
        for (ConfluentSchemaReference ref : refs) {
            ConfluentSchemaReference earlier = by.putIfAbsent(ref.name(), ref);
            if (earlier != null) {
                if (!earlier.subject().equals(ref.subject()) || earlier.version() != ref.version()) {
                    throw new InvalidSchemaException(ref.subject(), "the reference name '" + ref.name() + "' stands for version "
                            + earlier.version() + " of '" + earlier.subject() + "' and for version " + ref.version() + " of '"
                            + ref.subject() + "'; one name must mean one schema", null);
                }
                continue;
            }
            Entry referenced = entry(ref.subject(), ref.version(), depth + 1);
            texts.put(ref.name(), referenced.registered());
            collect(referenced.references(), depth + 1, texts, by);
        }
    }

    private static String body(String schema, List<ConfluentSchemaReference> refs) {
        ObjectNode body = MAPPER.createObjectNode().put("schemaType", "JSON").put("schema", schema);
        if (!refs.isEmpty()) {
            ArrayNode out = body.putArray("references");
            for (ConfluentSchemaReference r : refs) {
                out.addObject().put("name", r.name()).put("subject", r.subject()).put("version", r.version());
            }
        }
        return body.toString();
    }

    /**
     * One request, observed as a {@link NexusObservation#REMOTE_CALL} ({@code confluent register}) whose outcome is
     * {@code success}, the HTTP status of any other answer ({@code 404}: the callers interpret it), or the class of
     * the exception that left no answer.
     */
    private Answer send(String operation, String method, String path, @Nullable String body, String op) {
        Observation observation = NexusObservation.remoteCall(SYSTEM, operation, observations);
        if (observation.isNoop()) {
            return exchange(method, path, body, op);
        }
        observation.start();
        String outcome = "failed";
        try (Observation.Scope ignored = observation.openScope()) {
            Answer answer = exchange(method, path, body, op);
            outcome = answer.status() >= 200 && answer.status() < 300 ? "success" : Integer.toString(answer.status());
            return answer;
        } catch (RuntimeException | Error e) {
            outcome = e.getClass().getSimpleName();
            observation.error(e);
            throw e;
        } finally {
            observation.lowCardinalityKeyValue(NexusObservation.KeyNames.OUTCOME.asString(), outcome).stop();
        }
    }

    private Answer exchange(String method, String path, @Nullable String body, String op) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout)
                .header("Accept", CONTENT_TYPE + ", application/json");
        if (authorization != null) {
            request.header("Authorization", authorization.get());
        }
        if (body != null) {
            request.header("Content-Type", CONTENT_TYPE).method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SchemaRegistryUnavailableException(name, op, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryUnavailableException(name, op, e);
        }
        JsonNode json;
        try {
            json = response.body().isBlank() ? MAPPER.nullNode() : MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new SchemaRegistryException(name, op, response.statusCode(), null,
                    "the answer is not JSON: " + abbreviate(response.body()), e);
        }
        return new Answer(response.statusCode(), json);
    }

    private RuntimeException error(Answer answer, @Nullable String subject, int version, String op) {
        int code = answer.body().path("error_code").asInt(answer.status());
        String message = message(answer);
        SchemaRegistryException raw = new SchemaRegistryException(name, op, answer.status(), Integer.toString(code), message, null);
        if (subject == null) {
            return raw;
        }
        return switch (code) {
            case 40401 -> new UnknownSubjectException(subject, message, raw);
            case 40402 -> new UnknownSchemaException(subject, version, raw);
            case 42201 -> new InvalidSchemaException(subject, "the registry refused it: " + message, raw);
            default -> raw;
        };
    }

    private static String message(Answer answer) {
        return answer.body().path("message").asText(abbreviate(answer.body().toString()));
    }

    private static String abbreviate(String text) {
        return text.length() <= 500 ? text : text.substring(0, 500) + "...";
    }

    private static String enc(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void checkSubject(String subject) {
        if (subject == null || subject.isBlank() || subject.length() > 255) {
            throw new IllegalArgumentException("subject must be 1..255 non-blank characters, but was '" + subject + "'");
        }
    }

    /** Configures a {@link ConfluentSchemaRegistry}; each setter checks its value, and only one credential may be set. */
    public static final class Builder {
        private final URI baseUrl;
        private @Nullable HttpClient httpClient;
        private Duration timeout = Duration.ofSeconds(10);
        private @Nullable Supplier<String> authorization;
        private @Nullable String authKind;
        private long cacheMaximumSize = 10_000;
        private Duration cacheTtl = Duration.ofHours(1);
        private ObservationRegistry observations = ObservationRegistry.NOOP;

        private Builder(URI baseUrl) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
            if (!"http".equals(baseUrl.getScheme()) && !"https".equals(baseUrl.getScheme())) {
                throw new IllegalArgumentException("baseUrl must be an http or https URL, but was '" + baseUrl + "'");
            }
        }

        /** The client to use (the caller owns it); one with the configured timeout is built otherwise. */
        public Builder httpClient(HttpClient value) {
            this.httpClient = Objects.requireNonNull(value, "httpClient");
            return this;
        }

        /** The timeout of each request (10 s unless set). */
        public Builder requestTimeout(Duration value) {
            Objects.requireNonNull(value, "requestTimeout");
            if (value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException("requestTimeout must be positive, but was " + value);
            }
            this.timeout = value;
            return this;
        }

        /** HTTP basic authentication (Confluent Cloud: API key and secret). */
        public Builder basicAuth(String user, String password) {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            String header = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            return auth("basicAuth", () -> header);
        }

        /** Bearer authentication; {@code token} is asked before every request, so it may refresh. */
        public Builder bearerToken(Supplier<String> token) {
            Objects.requireNonNull(token, "token");
            return auth("bearerToken", () -> "Bearer " + token.get());
        }

        private Builder auth(String kind, Supplier<String> header) {
            if (authKind != null) {
                throw new IllegalStateException(kind + " cannot be combined with " + authKind + "; choose one credential");
            }
            this.authKind = kind;
            this.authorization = header;
            return this;
        }

        /** How many schema versions are cached (10,000 unless set). */
        public Builder cacheMaximumSize(long value) {
            if (value < 1) {
                throw new IllegalArgumentException("cacheMaximumSize must be >= 1, but was " + value);
            }
            this.cacheMaximumSize = value;
            return this;
        }

        /**
         * How long a looked-up version is kept (1 hour unless set). Versions never change, but they can be
         * deleted; zero turns caching off.
         */
        public Builder cacheTtl(Duration value) {
            Objects.requireNonNull(value, "cacheTtl");
            if (value.isNegative()) {
                throw new IllegalArgumentException("cacheTtl must not be negative, but was " + value);
            }
            this.cacheTtl = value;
            return this;
        }

        /**
         * Where each request to the registry is observed, as a {@code nexus.remote.call} (span {@code confluent register},
         * {@code confluent get-version}, ...; see docs/observability.md); none unless set. Give it the registry the
         * application gives Nexus, so the calls appear inside the command or consumer that made them.
         */
        public Builder observationRegistry(ObservationRegistry value) {
            this.observations = Objects.requireNonNull(value, "observationRegistry");
            return this;
        }

        /** The registry as configured. */
        public ConfluentSchemaRegistry build() {
            return new ConfluentSchemaRegistry(this);
        }
    }
}
