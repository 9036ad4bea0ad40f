package io.nexus.core.schema;

import org.jspecify.annotations.Nullable;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded {@link SchemaRegistry}: subjects and versions in memory, judged by
 * {@link JsonSchemaCompatibility}. Thread-safe: reads see immutable snapshots without locking; registrations
 * and mode changes are serialized, so two concurrent registrations of different schemas get consecutive
 * versions and each is checked against the other's result. A failed registration changes nothing.
 *
 * <pre>{@code
 * SchemaRegistry registry = InMemorySchemaRegistry.builder().defaultCompatibility(CompatibilityMode.FULL).build();
 * }</pre>
 */
public final class InMemorySchemaRegistry implements SchemaRegistry {

    private record Subject(List<SchemaVersion> versions, @Nullable CompatibilityMode mode) {
    }

    private final Map<String, Subject> subjects = new ConcurrentHashMap<>();
    private final Map<String, CompatibilityMode> pendingModes = new ConcurrentHashMap<>();
    private final CompatibilityMode defaultMode;
    private final Clock clock;
    private final Object writeLock = new Object();

    private InMemorySchemaRegistry(CompatibilityMode defaultMode, Clock clock) {
        this.defaultMode = defaultMode;
        this.clock = clock;
    }

    /** A registry with default mode BACKWARD (as Confluent and Glue) and the system clock. */
    public static InMemorySchemaRegistry create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "in-memory";
    }

    @Override
    public SchemaVersion register(String subject, String schema) {
        checkSubject(subject);
        Objects.requireNonNull(schema, "schema");
        String fingerprint = SchemaFingerprint.of(JsonSchemas.parse(subject, schema));
        synchronized (writeLock) {
            Subject current = subjects.get(subject);
            List<SchemaVersion> versions = current == null ? List.of() : current.versions();
            for (SchemaVersion v : versions) {
                if (v.fingerprint().equals(fingerprint)) {
                    return v;
                }
            }
            CompatibilityMode mode = current != null && current.mode() != null ? current.mode()
                    : pendingModes.getOrDefault(subject, defaultMode);
            JsonSchemaCompatibility.check(subject, mode, schema, versions).throwIfIncompatible();
            SchemaVersion added = new SchemaVersion(subject, versions.size() + 1, schema, clock.instant(), fingerprint);
            List<SchemaVersion> next = new ArrayList<>(versions);
            next.add(added);
            subjects.put(subject, new Subject(List.copyOf(next), current == null ? pendingModes.get(subject) : current.mode()));
            return added;
        }
    }

    @Override
    public SchemaVersion version(String subject, int version) {
        List<SchemaVersion> versions = existing(subject).versions();
        if (version < 1 || version > versions.size()) {
            throw new UnknownSchemaException(subject, version);
        }
        return versions.get(version - 1);
    }

    @Override
    public SchemaVersion latest(String subject) {
        List<SchemaVersion> versions = existing(subject).versions();
        return versions.get(versions.size() - 1);
    }

    @Override
    public Optional<SchemaVersion> find(String subject, String schema) {
        checkSubject(subject);
        String fingerprint = SchemaFingerprint.of(JsonSchemas.parse(subject, schema));
        Subject s = subjects.get(subject);
        if (s == null) {
            return Optional.empty();
        }
        return s.versions().stream().filter(v -> v.fingerprint().equals(fingerprint)).findFirst();
    }

    @Override
    public List<Integer> versions(String subject) {
        return existing(subject).versions().stream().map(SchemaVersion::version).toList();
    }

    @Override
    public List<String> subjects() {
        return subjects.keySet().stream().sorted().toList();
    }

    @Override
    public CompatibilityReport check(String subject, String schema) {
        checkSubject(subject);
        Objects.requireNonNull(schema, "schema");
        Subject s = subjects.get(subject);
        return JsonSchemaCompatibility.check(subject, compatibility(subject), schema, s == null ? List.of() : s.versions());
    }

    @Override
    public CompatibilityMode defaultCompatibility() {
        return defaultMode;
    }

    @Override
    public CompatibilityMode compatibility(String subject) {
        checkSubject(subject);
        Subject s = subjects.get(subject);
        if (s != null && s.mode() != null) {
            return s.mode();
        }
        return pendingModes.getOrDefault(subject, defaultMode);
    }

    @Override
    public void setCompatibility(String subject, CompatibilityMode mode) {
        checkSubject(subject);
        Objects.requireNonNull(mode, "mode");
        synchronized (writeLock) {
            Subject s = subjects.get(subject);
            if (s == null) {
                // Like Confluent, a mode may be configured before the subject's first version.
                pendingModes.put(subject, mode);
            } else {
                subjects.put(subject, new Subject(s.versions(), mode));
            }
        }
    }

    @Override
    public java.util.Optional<CompatibilityMode> ownCompatibility(String subject) {
        checkSubject(subject);
        Subject s = subjects.get(subject);
        if (s != null && s.mode() != null) {
            return java.util.Optional.of(s.mode());
        }
        return java.util.Optional.ofNullable(pendingModes.get(subject));
    }

    @Override
    public void clearCompatibility(String subject) {
        checkSubject(subject);
        synchronized (writeLock) {
            pendingModes.remove(subject);
            Subject s = subjects.get(subject);
            if (s != null && s.mode() != null) {
                subjects.put(subject, new Subject(s.versions(), null));
            }
        }
    }

    private Subject existing(String subject) {
        checkSubject(subject);
        Subject s = subjects.get(subject);
        if (s == null) {
            throw new UnknownSubjectException(subject);
        }
        return s;
    }

    static void checkSubject(String subject) {
        if (subject == null || subject.isBlank() || subject.length() > 255) {
            throw new IllegalArgumentException("subject must be 1..255 non-blank characters, but was '" + subject + "'");
        }
    }

    /** Configures an {@link InMemorySchemaRegistry}. */
    public static final class Builder {
        private CompatibilityMode defaultMode = CompatibilityMode.BACKWARD;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** The mode of subjects without their own (BACKWARD unless set). */
        public Builder defaultCompatibility(CompatibilityMode mode) {
            this.defaultMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** The clock that stamps registration times. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        public InMemorySchemaRegistry build() {
            return new InMemorySchemaRegistry(defaultMode, clock);
        }
    }
}
