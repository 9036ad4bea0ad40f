package io.nexus.confluent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
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
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * </ul>
 */
public final class ConfluentSchemaRegistry implements SchemaRegistry {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern CLASSIC = Pattern.compile("jsonPath='#?([^']*)', type=([A-Z_]+)");
    private static final Pattern MODERN = Pattern.compile("errorType:[\"']?([A-Z_]+)[\"']?(?:, description:[\"'](.*?)[\"']?(?:, additionalInfo:[\"'](.*?)[\"'])?)?\\}?$");

    private record Key(String subject, Object id) {
    }

    private record Answer(int status, JsonNode body) {
    }

    private final URI baseUrl;
    private final HttpClient http;
    private final Duration timeout;
    private final Supplier<String> authorization;
    private final Cache<Key, SchemaVersion> cache;
    private final String name;

    private ConfluentSchemaRegistry(Builder b) {
        String url = b.baseUrl.toString();
        this.baseUrl = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        this.http = b.httpClient != null ? b.httpClient : HttpClient.newBuilder().connectTimeout(b.timeout).build();
        this.timeout = b.timeout;
        this.authorization = b.authorization;
        this.cache = Caffeine.newBuilder().maximumSize(b.cacheMaximumSize).expireAfterWrite(b.cacheTtl).build();
        this.name = "confluent:" + this.baseUrl;
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
        checkSubject(subject);
        Objects.requireNonNull(schema, "schema");
        JsonSchemas.parse(subject, schema);
        Optional<SchemaVersion> existing = find(subject, schema);
        if (existing.isPresent()) {
            return existing.get();
        }
        CompatibilityReport report = check(subject, schema);
        report.throwIfIncompatible();
        Answer answer = send("POST", "/subjects/" + enc(subject) + "/versions", body(schema), "register a schema for '" + subject + "'");
        if (answer.status() == 409) {
            throw new IncompatibleSchemaException(subject, report.mode(), List.of(new Incompatibility(0, direction(report.mode()), "",
                    "REGISTRY_VERDICT", message(answer))));
        }
        if (answer.status() != 200) {
            throw error(answer, subject, 0, "register a schema for '" + subject + "'");
        }
        return find(subject, schema).orElseThrow(() -> new SchemaRegistryException(name, "register a schema for '" + subject + "'",
                200, null, "the registered schema cannot be looked up afterwards", null));
    }

    @Override
    public SchemaVersion version(String subject, int version) {
        checkSubject(subject);
        Key key = new Key(subject, version);
        SchemaVersion cached = cache.getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        SchemaVersion fetched = fetch(subject, Integer.toString(version), version);
        cache.put(key, fetched);
        return fetched;
    }

    @Override
    public SchemaVersion latest(String subject) {
        checkSubject(subject);
        return fetch(subject, "latest", 0);
    }

    private SchemaVersion fetch(String subject, String version, int requested) {
        String op = "read version " + version + " of '" + subject + "'";
        Answer answer = send("GET", "/subjects/" + enc(subject) + "/versions/" + version, null, op);
        if (answer.status() != 200) {
            throw error(answer, subject, requested, op);
        }
        return toVersion(subject, answer.body(), op);
    }

    @Override
    public Optional<SchemaVersion> find(String subject, String schema) {
        checkSubject(subject);
        String fingerprint = SchemaFingerprint.of(subject, schema);
        Key key = new Key(subject, fingerprint);
        SchemaVersion cached = cache.getIfPresent(key);
        if (cached != null) {
            return Optional.of(cached);
        }
        String op = "look up a schema of '" + subject + "'";
        Answer answer = send("POST", "/subjects/" + enc(subject) + "?normalize=false", body(schema), op);
        if (answer.status() == 404) {
            return Optional.empty();
        }
        if (answer.status() != 200) {
            throw error(answer, subject, 0, op);
        }
        SchemaVersion found = toVersion(subject, answer.body(), op);
        cache.put(key, found);
        cache.put(new Key(subject, found.version()), found);
        return Optional.of(found);
    }

    @Override
    public List<Integer> versions(String subject) {
        checkSubject(subject);
        String op = "list the versions of '" + subject + "'";
        Answer answer = send("GET", "/subjects/" + enc(subject) + "/versions", null, op);
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
        Answer answer = send("GET", "/subjects", null, "list subjects");
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
        checkSubject(subject);
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
            JsonSchemas.compile(subject, schema);
            return new CompatibilityReport(subject, mode, List.of());
        }
        List<Integer> against = mode.isTransitive() ? versions : List.of(versions.get(versions.size() - 1));
        List<Incompatibility> found = new ArrayList<>();
        for (int v : against) {
            String op = "check compatibility of a schema for '" + subject + "' with version " + v;
            Answer answer = send("POST", "/compatibility/subjects/" + enc(subject) + "/versions/" + v + "?verbose=true", body(schema), op);
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
        Answer answer = send("GET", "/config", null, "read the global compatibility");
        if (answer.status() != 200) {
            throw error(answer, null, 0, "read the global compatibility");
        }
        return mode(answer.body(), "read the global compatibility");
    }

    @Override
    public CompatibilityMode compatibility(String subject) {
        checkSubject(subject);
        String op = "read the compatibility of '" + subject + "'";
        Answer answer = send("GET", "/config/" + enc(subject) + "?defaultToGlobal=true", null, op);
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
        Answer answer = send("PUT", "/config/" + enc(subject), body.toString(), op);
        if (answer.status() != 200) {
            throw error(answer, subject, 0, op);
        }
    }

    /** {@inheritDoc} On Confluent: {@code GET /config/{subject}} without falling back to the global level. */
    @Override
    public Optional<CompatibilityMode> ownCompatibility(String subject) {
        checkSubject(subject);
        String op = "read the compatibility configured on '" + subject + "'";
        Answer answer = send("GET", "/config/" + enc(subject), null, op);
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
        Answer answer = send("DELETE", "/config/" + enc(subject), null, op);
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

    private SchemaVersion toVersion(String subject, JsonNode body, String op) {
        if (!body.path("version").canConvertToInt() || !body.path("schema").isTextual()) {
            throw new SchemaRegistryException(name, op, 200, null, "the answer lacks 'version' or 'schema': " + body, null);
        }
        String type = body.path("schemaType").asText("AVRO");
        if (!type.equals("JSON")) {
            throw new SchemaRegistryException(name, op, 200, null, "version " + body.get("version") + " of '" + subject
                    + "' is of schemaType " + type + "; Nexus reads JSON Schemas only", null);
        }
        String schema = body.get("schema").asText();
        return new SchemaVersion(subject, body.get("version").asInt(), schema, null, SchemaFingerprint.of(subject, schema));
    }

    private static String body(String schema) {
        return MAPPER.createObjectNode().put("schemaType", "JSON").put("schema", schema).toString();
    }

    private Answer send(String method, String path, String body, String op) {
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

    private RuntimeException error(Answer answer, String subject, int version, String op) {
        int code = answer.body().path("error_code").asInt(answer.status());
        String message = message(answer);
        SchemaRegistryException raw = new SchemaRegistryException(name, op, answer.status(), Integer.toString(code), message, null);
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
        private HttpClient httpClient;
        private Duration timeout = Duration.ofSeconds(10);
        private Supplier<String> authorization;
        private String authKind;
        private long cacheMaximumSize = 10_000;
        private Duration cacheTtl = Duration.ofHours(1);

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

        public ConfluentSchemaRegistry build() {
            return new ConfluentSchemaRegistry(this);
        }
    }
}
