package io.nexus.glue;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.nexus.core.schema.CompatibilityMode;
import io.nexus.core.schema.CompatibilityReport;
import io.nexus.core.schema.Incompatibility;
import io.nexus.core.schema.IncompatibleSchemaException;
import io.nexus.core.schema.InvalidSchemaException;
import io.nexus.core.schema.JsonSchemaCompatibility;
import io.nexus.core.schema.JsonSchemas;
import io.nexus.core.schema.SchemaFingerprint;
import io.nexus.core.schema.SchemaRegistry;
import io.nexus.core.schema.SchemaRegistryException;
import io.nexus.core.schema.SchemaRegistryUnavailableException;
import io.nexus.core.schema.SchemaVersion;
import io.nexus.core.schema.UnknownSchemaException;
import io.nexus.core.schema.UnknownSubjectException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.AlreadyExistsException;
import software.amazon.awssdk.services.glue.model.CheckSchemaVersionValidityResponse;
import software.amazon.awssdk.services.glue.model.Compatibility;
import software.amazon.awssdk.services.glue.model.DataFormat;
import software.amazon.awssdk.services.glue.model.SchemaVersionNumber;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.GetSchemaByDefinitionResponse;
import software.amazon.awssdk.services.glue.model.GetSchemaResponse;
import software.amazon.awssdk.services.glue.model.GetSchemaVersionResponse;
import software.amazon.awssdk.services.glue.model.InvalidInputException;
import software.amazon.awssdk.services.glue.model.RegistryId;
import software.amazon.awssdk.services.glue.model.SchemaId;
import software.amazon.awssdk.services.glue.model.SchemaVersionStatus;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The {@link SchemaRegistry} port on an AWS Glue Schema Registry, through the caller's AWS SDK v2
 * {@link GlueClient}. One Glue schema (data format JSON) per subject, inside one Glue registry. Thread-safe.
 *
 * <pre>{@code
 * GlueSchemaRegistry registry = GlueSchemaRegistry.builder(glueClient).registryName("orders").build();
 * registry.createRegistryIfMissing();
 * }</pre>
 *
 * <h2>Implementation notes</h2>
 * <ul>
 *   <li>Operations used: CreateRegistry, CreateSchema, RegisterSchemaVersion, GetSchema, GetSchemaVersion,
 *       GetSchemaByDefinition, ListSchemas, ListSchemaVersions, UpdateSchema, CheckSchemaVersionValidity.</li>
 *   <li>Modes map to Glue's: the transitive ones are {@code BACKWARD_ALL}, {@code FORWARD_ALL}, {@code FULL_ALL};
 *       Glue's {@code DISABLED} has no Nexus counterpart and is reported as a {@link SchemaRegistryException}.
 *       A subject gets {@link Builder#defaultCompatibility} when its Glue schema is created; Glue has no
 *       registry-wide default and no mode for a schema that does not exist yet.</li>
 *   <li>Glue has no dry-run compatibility API (CheckSchemaVersionValidity checks syntax only), so
 *       {@link #check} and the pre-check of {@link #register} judge with the Nexus checker against the versions
 *       read from Glue; that gives the per-difference report and keeps refused candidates from becoming FAILURE
 *       versions. Glue's own verdict still decides: a version Glue marks FAILURE is an
 *       {@link IncompatibleSchemaException} too. Only AVAILABLE versions are listed or returned.</li>
 *   <li>RegisterSchemaVersion may answer PENDING; the version is then polled (bounded by
 *       {@link Builder#pendingTimeout}).</li>
 *   <li>Versions are immutable: lookups by number and definition are cached (Caffeine, bounded, for
 *       {@link Builder#cacheTtl}); latest, lists and modes are always read.</li>
 *   <li>AWS errors become Nexus types with the AWS error as cause and its message kept: EntityNotFoundException →
 *       {@link UnknownSubjectException}/{@link UnknownSchemaException}, InvalidInputException on a definition →
 *       {@link InvalidSchemaException}, client-side failures (connection, timeout) →
 *       {@link SchemaRegistryUnavailableException}, everything else → {@link SchemaRegistryException}.</li>
 * </ul>
 */
public final class GlueSchemaRegistry implements SchemaRegistry {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9-_$#.]{1,255}");

    private record Key(String subject, Object id) {
    }

    private final GlueClient glue;
    private final String registryName;
    private final CompatibilityMode defaultMode;
    private final Duration pendingTimeout;
    private final Duration pendingPoll;
    private final Cache<Key, SchemaVersion> cache;
    private final String name;

    private GlueSchemaRegistry(Builder b) {
        this.glue = b.glue;
        this.registryName = b.registryName;
        this.defaultMode = b.defaultMode;
        this.pendingTimeout = b.pendingTimeout;
        this.pendingPoll = b.pendingPoll;
        this.cache = Caffeine.newBuilder().maximumSize(b.cacheMaximumSize).expireAfterWrite(b.cacheTtl).build();
        this.name = "glue:" + registryName;
    }

    /** A builder over the caller's client (the caller owns and closes it). */
    public static Builder builder(GlueClient glue) {
        return new Builder(glue);
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Creates the Glue registry unless it exists.
     *
     * @return whether it was created
     */
    public boolean createRegistryIfMissing() {
        try {
            call("create registry '" + registryName + "'", null,
                    () -> glue.createRegistry(r -> r.registryName(registryName).description("Nexus event schemas")));
            return true;
        } catch (SchemaRegistryException e) {
            if (e.getCause() instanceof AlreadyExistsException) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public SchemaVersion register(String subject, String schema) {
        checkSubject(subject);
        Objects.requireNonNull(schema, "schema");
        requireGlueDraft(subject, JsonSchemas.parse(subject, schema));
        Optional<SchemaVersion> existing = find(subject, schema);
        if (existing.isPresent()) {
            return existing.get();
        }
        Optional<GetSchemaResponse> info = schemaInfo(subject);
        CompatibilityReport report = check(subject, schema, info);
        report.throwIfIncompatible();
        String op = "register a schema version for '" + subject + "'";
        String versionId;
        if (info.isEmpty()) {
            try {
                versionId = call(op, subject, () -> glue.createSchema(r -> r.registryId(registryId()).schemaName(subject)
                        .dataFormat(DataFormat.JSON).compatibility(toGlue(defaultMode)).schemaDefinition(schema)
                        .description("Nexus event type " + subject))).schemaVersionId();
            } catch (SchemaRegistryException e) {
                if (!(e.getCause() instanceof AlreadyExistsException)) {
                    throw e;
                }
                versionId = registerVersion(subject, schema, op);
            }
        } else {
            versionId = registerVersion(subject, schema, op);
        }
        GetSchemaVersionResponse settled = awaitSettled(subject, versionId, op);
        if (settled.status() != SchemaVersionStatus.AVAILABLE) {
            throw new IncompatibleSchemaException(subject, report.mode(), List.of(new Incompatibility(
                    settled.versionNumber() == null ? 0 : settled.versionNumber().intValue() - 1, "BACKWARD", "",
                    "REGISTRY_VERDICT", "Glue marked schema version " + settled.versionNumber() + " " + settled.statusAsString())));
        }
        SchemaVersion registered = toVersion(subject, settled);
        cache.put(new Key(subject, registered.version()), registered);
        cache.put(new Key(subject, registered.fingerprint()), registered);
        return registered;
    }

    private String registerVersion(String subject, String schema, String op) {
        return call(op, subject, () -> glue.registerSchemaVersion(r -> r.schemaId(schemaId(subject)).schemaDefinition(schema)))
                .schemaVersionId();
    }

    private GetSchemaVersionResponse awaitSettled(String subject, String versionId, String op) {
        long deadline = System.nanoTime() + pendingTimeout.toNanos();
        while (true) {
            GetSchemaVersionResponse v = call(op, subject, () -> glue.getSchemaVersion(r -> r.schemaVersionId(versionId)));
            if (v.status() != SchemaVersionStatus.PENDING) {
                return v;
            }
            if (System.nanoTime() > deadline) {
                throw new SchemaRegistryException(name, op, 0, "PENDING", "schema version " + versionId
                        + " is still PENDING after " + pendingTimeout + "; look it up later", null);
            }
            try {
                Thread.sleep(pendingPoll.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryUnavailableException(name, op, e);
            }
        }
    }

    @Override
    public SchemaVersion version(String subject, int version) {
        checkSubject(subject);
        Key key = new Key(subject, version);
        SchemaVersion cached = cache.getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        String op = "read version " + version + " of '" + subject + "'";
        GetSchemaVersionResponse v;
        try {
            v = call(op, subject, () -> glue.getSchemaVersion(r -> r.schemaId(schemaId(subject))
                    .schemaVersionNumber(n -> n.versionNumber((long) version))));
        } catch (UnknownSubjectException e) {
            if (schemaInfo(subject).isPresent()) {
                throw new UnknownSchemaException(subject, version, e.getCause());
            }
            throw e;
        }
        if (v.status() != SchemaVersionStatus.AVAILABLE) {
            throw new UnknownSchemaException(subject, version, new SchemaRegistryException(name, op, 200, v.statusAsString(),
                    "the version exists in Glue with status " + v.statusAsString(), null));
        }
        SchemaVersion out = toVersion(subject, v);
        cache.put(key, out);
        return out;
    }

    @Override
    public SchemaVersion latest(String subject) {
        checkSubject(subject);
        return toVersion(subject, call("read the latest version of '" + subject + "'", subject,
                () -> glue.getSchemaVersion(r -> r.schemaId(schemaId(subject)).schemaVersionNumber(n -> n.latestVersion(true)))));
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
        String op = "look up a schema of '" + subject + "' by definition";
        GetSchemaByDefinitionResponse found;
        try {
            found = call(op, subject, () -> glue.getSchemaByDefinition(r -> r.schemaId(schemaId(subject)).schemaDefinition(schema)));
        } catch (UnknownSubjectException e) {
            return Optional.empty();
        }
        if (found.status() != SchemaVersionStatus.AVAILABLE) {
            return Optional.empty();
        }
        SchemaVersion out = toVersion(subject, call(op, subject, () -> glue.getSchemaVersion(r -> r.schemaVersionId(found.schemaVersionId()))));
        cache.put(key, out);
        cache.put(new Key(subject, out.version()), out);
        return Optional.of(out);
    }

    @Override
    public List<Integer> versions(String subject) {
        checkSubject(subject);
        return call("list the versions of '" + subject + "'", subject, () -> {
            List<Integer> out = new ArrayList<>();
            glue.listSchemaVersionsPaginator(r -> r.schemaId(schemaId(subject))).schemas().forEach(v -> {
                if (v.status() == SchemaVersionStatus.AVAILABLE) {
                    out.add(v.versionNumber().intValue());
                }
            });
            out.sort(null);
            return out;
        });
    }

    @Override
    public List<String> subjects() {
        return call("list the schemas of registry '" + registryName + "'", null, () -> {
            List<String> out = new ArrayList<>();
            glue.listSchemasPaginator(r -> r.registryId(registryId())).schemas().forEach(s -> out.add(s.schemaName()));
            out.sort(null);
            return out;
        });
    }

    @Override
    public CompatibilityReport check(String subject, String schema) {
        checkSubject(subject);
        requireGlueDraft(subject, JsonSchemas.parse(subject, schema));
        return check(subject, schema, schemaInfo(subject));
    }

    private CompatibilityReport check(String subject, String schema, Optional<GetSchemaResponse> info) {
        CheckSchemaVersionValidityResponse validity = call("check the validity of a schema for '" + subject + "'", subject,
                () -> glue.checkSchemaVersionValidity(r -> r.dataFormat(DataFormat.JSON).schemaDefinition(schema)));
        if (!Boolean.TRUE.equals(validity.valid())) {
            throw new InvalidSchemaException(subject, "Glue refused it: " + validity.error(), null);
        }
        if (info.isEmpty()) {
            JsonSchemas.compile(subject, schema);
            return new CompatibilityReport(subject, defaultMode, List.of());
        }
        CompatibilityMode mode = fromGlue(info.get().compatibilityAsString(), subject);
        List<SchemaVersion> existing = new ArrayList<>();
        if (mode != CompatibilityMode.NONE) {
            List<Integer> numbers = versions(subject);
            List<Integer> against = mode.isTransitive() || numbers.isEmpty() ? numbers : List.of(numbers.get(numbers.size() - 1));
            for (int v : against) {
                existing.add(version(subject, v));
            }
        }
        return JsonSchemaCompatibility.check(subject, mode, schema, existing);
    }

    @Override
    public CompatibilityMode defaultCompatibility() {
        return defaultMode;
    }

    @Override
    public CompatibilityMode compatibility(String subject) {
        checkSubject(subject);
        return schemaInfo(subject).map(i -> fromGlue(i.compatibilityAsString(), subject)).orElse(defaultMode);
    }

    /**
     * {@inheritDoc}
     *
     * <p>On Glue: {@code UpdateSchema} with the new {@code Compatibility} and, as the API reference requires
     * with it, the {@code SchemaVersionNumber} checkpoint, kept where it is (the schema's current
     * {@code SchemaCheckpoint}, read first), so versions are still judged against the same history.
     */
    @Override
    public void setCompatibility(String subject, CompatibilityMode mode) {
        checkSubject(subject);
        Objects.requireNonNull(mode, "mode");
        String op = "set the compatibility of '" + subject + "' to " + mode;
        GetSchemaResponse info = call(op, subject, () -> glue.getSchema(r -> r.schemaId(schemaId(subject))));
        SchemaVersionNumber checkpoint = info.schemaCheckpoint() != null
                ? SchemaVersionNumber.builder().versionNumber(info.schemaCheckpoint()).build()
                : SchemaVersionNumber.builder().latestVersion(true).build();
        call(op, subject, () -> glue.updateSchema(r -> r.schemaId(schemaId(subject)).compatibility(toGlue(mode))
                .schemaVersionNumber(checkpoint)));
    }

    /** The JSON Schema drafts Glue's JSON data format takes, as their {@code $schema} URIs (without "#"). */
    static final List<String> GLUE_DRAFTS = List.of("http://json-schema.org/draft-04/schema",
            "http://json-schema.org/draft-06/schema", "http://json-schema.org/draft-07/schema");

    /**
     * Refuses, before any call, a schema whose {@code $schema} names a draft Glue does not support; a schema
     * without {@code $schema} is read by Glue as draft-07.
     */
    static void requireGlueDraft(String subject, com.fasterxml.jackson.databind.JsonNode schema) {
        com.fasterxml.jackson.databind.JsonNode declared = schema.get("$schema");
        if (declared == null) {
            return;
        }
        String uri = declared.isTextual() ? declared.asText() : declared.toString();
        String normal = uri.replaceFirst("^https://", "http://").replaceFirst("#$", "");
        if (!GLUE_DRAFTS.contains(normal)) {
            throw new InvalidSchemaException(subject, "its $schema is '" + uri + "', a JSON Schema draft AWS Glue does "
                    + "not support (Glue takes draft-04, draft-06 and draft-07); declare one of "
                    + "'http://json-schema.org/draft-07/schema#', '...draft-06/schema#', '...draft-04/schema#' or leave "
                    + "$schema out (Glue then reads draft-07)", null);
        }
    }

    private Optional<GetSchemaResponse> schemaInfo(String subject) {
        try {
            return Optional.of(call("read schema '" + subject + "'", subject, () -> glue.getSchema(r -> r.schemaId(schemaId(subject)))));
        } catch (UnknownSubjectException e) {
            return Optional.empty();
        }
    }

    private SchemaVersion toVersion(String subject, GetSchemaVersionResponse v) {
        Instant created;
        try {
            created = v.createdTime() == null ? null : Instant.parse(v.createdTime());
        } catch (DateTimeParseException e) {
            created = null;
        }
        String definition = v.schemaDefinition();
        return new SchemaVersion(subject, v.versionNumber().intValue(), definition, created, SchemaFingerprint.of(subject, definition));
    }

    private <T> T call(String op, @Nullable String subject, Supplier<T> action) {
        try {
            return action.get();
        } catch (EntityNotFoundException e) {
            if (subject == null) {
                throw wrap(op, e);
            }
            throw new UnknownSubjectException(subject, message(e), e);
        } catch (InvalidInputException e) {
            String message = message(e);
            if (subject != null && message.toLowerCase().contains("schema definition")) {
                throw new InvalidSchemaException(subject, "Glue refused it: " + message, e);
            }
            throw wrap(op, e);
        } catch (AwsServiceException e) {
            throw wrap(op, e);
        } catch (SdkClientException e) {
            throw new SchemaRegistryUnavailableException(name, op, e);
        } catch (SdkException e) {
            throw new SchemaRegistryException(name, op, 0, null, Objects.toString(e.getMessage(), e.getClass().getSimpleName()), e);
        }
    }

    private SchemaRegistryException wrap(String op, AwsServiceException e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        int status = e.statusCode();
        if (e.isThrottlingException() && status < 500) {
            status = 429;
        }
        return new SchemaRegistryException(name, op, status, code, message(e), e);
    }

    private static String message(AwsServiceException e) {
        String detail = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
        return detail != null ? detail : Objects.toString(e.getMessage(), e.getClass().getSimpleName());
    }

    private RegistryId registryId() {
        return RegistryId.builder().registryName(registryName).build();
    }

    private SchemaId schemaId(String subject) {
        return SchemaId.builder().registryName(registryName).schemaName(subject).build();
    }

    private static Compatibility toGlue(CompatibilityMode mode) {
        return switch (mode) {
            case NONE -> Compatibility.NONE;
            case BACKWARD -> Compatibility.BACKWARD;
            case BACKWARD_TRANSITIVE -> Compatibility.BACKWARD_ALL;
            case FORWARD -> Compatibility.FORWARD;
            case FORWARD_TRANSITIVE -> Compatibility.FORWARD_ALL;
            case FULL -> Compatibility.FULL;
            case FULL_TRANSITIVE -> Compatibility.FULL_ALL;
        };
    }

    private CompatibilityMode fromGlue(String value, String subject) {
        return switch (value == null ? "" : value) {
            case "NONE" -> CompatibilityMode.NONE;
            case "BACKWARD" -> CompatibilityMode.BACKWARD;
            case "BACKWARD_ALL" -> CompatibilityMode.BACKWARD_TRANSITIVE;
            case "FORWARD" -> CompatibilityMode.FORWARD;
            case "FORWARD_ALL" -> CompatibilityMode.FORWARD_TRANSITIVE;
            case "FULL" -> CompatibilityMode.FULL;
            case "FULL_ALL" -> CompatibilityMode.FULL_TRANSITIVE;
            default -> throw new SchemaRegistryException(name, "read the compatibility of '" + subject + "'", 200, value,
                    "Glue compatibility '" + value + "' has no Nexus mode (DISABLED forbids new versions); set the schema's "
                            + "compatibility to one of NONE, BACKWARD(_ALL), FORWARD(_ALL), FULL(_ALL)", null);
        };
    }

    private static void checkSubject(String subject) {
        if (subject == null || !NAME.matcher(subject).matches()) {
            throw new IllegalArgumentException("subject must be a Glue schema name (1..255 of a-z A-Z 0-9 - _ $ # .), but was '"
                    + subject + "'");
        }
    }

    /** Configures a {@link GlueSchemaRegistry}; each setter checks its value. */
    public static final class Builder {
        private final GlueClient glue;
        private String registryName = "default-registry";
        private CompatibilityMode defaultMode = CompatibilityMode.BACKWARD;
        private Duration pendingTimeout = Duration.ofSeconds(30);
        private Duration pendingPoll = Duration.ofMillis(200);
        private Duration cacheTtl = Duration.ofHours(1);
        private long cacheMaximumSize = 10_000;

        private Builder(GlueClient glue) {
            this.glue = Objects.requireNonNull(glue, "glue");
        }

        /** The Glue registry holding the schemas ({@code default-registry} unless set). */
        public Builder registryName(String value) {
            if (value == null || !NAME.matcher(value).matches()) {
                throw new IllegalArgumentException("registryName must be 1..255 of a-z A-Z 0-9 - _ $ # ., but was '" + value + "'");
            }
            this.registryName = value;
            return this;
        }

        /** The mode new Glue schemas are created with (BACKWARD unless set). */
        public Builder defaultCompatibility(CompatibilityMode value) {
            this.defaultMode = Objects.requireNonNull(value, "defaultCompatibility");
            return this;
        }

        /** How long a PENDING version is polled before giving up (30 s unless set). */
        public Builder pendingTimeout(Duration value) {
            this.pendingTimeout = positive(value, "pendingTimeout");
            return this;
        }

        /** The pause between polls of a PENDING version (200 ms unless set). */
        public Builder pendingPollInterval(Duration value) {
            this.pendingPoll = positive(value, "pendingPollInterval");
            return this;
        }

        /** How long looked-up versions are cached (1 hour unless set); zero turns caching off. */
        public Builder cacheTtl(Duration value) {
            Objects.requireNonNull(value, "cacheTtl");
            if (value.isNegative()) {
                throw new IllegalArgumentException("cacheTtl must not be negative, but was " + value);
            }
            this.cacheTtl = value;
            return this;
        }

        /** How many versions are cached (10,000 unless set). */
        public Builder cacheMaximumSize(long value) {
            if (value < 1) {
                throw new IllegalArgumentException("cacheMaximumSize must be >= 1, but was " + value);
            }
            this.cacheMaximumSize = value;
            return this;
        }

        private static Duration positive(Duration value, String what) {
            Objects.requireNonNull(value, what);
            if (value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException(what + " must be positive, but was " + value);
            }
            return value;
        }

        public GlueSchemaRegistry build() {
            return new GlueSchemaRegistry(this);
        }
    }
}
