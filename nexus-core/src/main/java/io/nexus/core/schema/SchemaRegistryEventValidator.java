package io.nexus.core.schema;

import org.jspecify.annotations.Nullable;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.networknt.schema.JsonSchema;
import io.nexus.core.event.NewEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Validates each new event on the command path against the schema registered for it: subject = event type,
 * version = {@link NewEvent#schemaVersion()}. An event whose schema is not registered is refused
 * ({@link UnknownSchemaException}); one whose payload fails is refused with a {@link SchemaViolationException}
 * naming the type, the version and each violation (JSON pointer and message).
 *
 * <p>Compiled schemas are cached for {@link Builder#cacheTtl} (default 5 minutes) and then fetched again, so a
 * version deleted from a remote registry stops being accepted. When the registry is unreachable the validator
 * <em>fails closed</em> with {@link SchemaRegistryUnavailableException} (nothing is appended) unless
 * {@link Builder#useLastKnownSchemaWhenUnavailable(boolean)} is set, in which case the last schema fetched
 * for that type and version is used. Thread-safe.
 *
 * <pre>{@code
 * EventValidator validator = SchemaRegistryEventValidator.builder(registry)
 *         .cacheTtl(Duration.ofMinutes(1))
 *         .useLastKnownSchemaWhenUnavailable(true)
 *         .build();
 * }</pre>
 */
public final class SchemaRegistryEventValidator implements EventValidator {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryEventValidator.class);

    private record Key(String eventType, int version) {
    }

    private final ReadSchemas registry;
    private final Cache<Key, JsonSchema> fresh;
    private final @Nullable Cache<Key, JsonSchema> lastKnown;

    private SchemaRegistryEventValidator(Builder b) {
        this.registry = b.registry;
        this.fresh = Caffeine.newBuilder().expireAfterWrite(b.cacheTtl).maximumSize(b.maximumSize).build();
        this.lastKnown = b.useLastKnown ? Caffeine.newBuilder().maximumSize(b.maximumSize).build() : null;
    }

    /** A builder validating against {@code registry}. */
    public static Builder builder(ReadSchemas registry) {
        return new Builder(registry);
    }

    /**
     * @throws UnknownSchemaException             if no schema is registered for the event's type and version
     * @throws SchemaViolationException           if the payload does not conform
     * @throws SchemaRegistryUnavailableException if the registry is unreachable and no fallback applies
     */
    @Override
    public void validate(String streamId, NewEvent event) {
        JsonSchema schema = schemaFor(event.eventType(), event.schemaVersion());
        List<Violation> violations = JsonSchemas.validate(schema, event.payload().unsafeBytes());
        if (!violations.isEmpty()) {
            throw new SchemaViolationException(event.eventType(), event.schemaVersion(), violations);
        }
    }

    private JsonSchema schemaFor(String eventType, int version) {
        Key key = new Key(eventType, version);
        JsonSchema cached = fresh.getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        SchemaVersion registered;
        try {
            registered = registry.version(eventType, version);
        } catch (UnknownSubjectException | UnknownSchemaException e) {
            throw new UnknownSchemaException(eventType, version, e);
        } catch (SchemaRegistryUnavailableException e) {
            JsonSchema known = lastKnown != null ? lastKnown.getIfPresent(key) : null;
            if (known == null) {
                throw e;
            }
            LOG.warn("Schema registry unavailable; validating '{}' v{} against the last schema fetched: {}",
                    eventType, version, e.getMessage());
            return known;
        }
        JsonSchema compiled = JsonSchemas.compile(eventType, registered.schema());
        fresh.put(key, compiled);
        if (lastKnown != null) {
            lastKnown.put(key, compiled);
        }
        return compiled;
    }

    /** Configures a {@link SchemaRegistryEventValidator}; each setter checks its value. */
    public static final class Builder {
        private final ReadSchemas registry;
        private Duration cacheTtl = Duration.ofMinutes(5);
        private long maximumSize = 10_000;
        private boolean useLastKnown;

        private Builder(ReadSchemas registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /** How long a fetched schema is used before it is fetched again; zero fetches on every event. */
        public Builder cacheTtl(Duration value) {
            Objects.requireNonNull(value, "cacheTtl");
            if (value.isNegative()) {
                throw new IllegalArgumentException("cacheTtl must not be negative, but was " + value);
            }
            this.cacheTtl = value;
            return this;
        }

        /** How many compiled schemas are kept (10,000 unless set). */
        public Builder maximumSize(long value) {
            if (value < 1) {
                throw new IllegalArgumentException("maximumSize must be >= 1, but was " + value);
            }
            this.maximumSize = value;
            return this;
        }

        /**
         * Whether, with the registry unreachable, the last schema fetched for a type and version is used instead
         * of refusing the event (false: fail closed).
         */
        public Builder useLastKnownSchemaWhenUnavailable(boolean value) {
            this.useLastKnown = value;
            return this;
        }

        public SchemaRegistryEventValidator build() {
            return new SchemaRegistryEventValidator(this);
        }
    }
}
