package io.nexus.core.schema;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One registered version of a subject's schema. Immutable: a registry never changes a version once
 * registered.
 *
 * @param subject      the subject (Nexus uses the event type name)
 * @param version      the version number within the subject, from 1; for event types it is the schema version
 * @param schema       the JSON Schema document as registered
 * @param registeredAt when the registry accepted the version, or {@code null} for a registry that does not
 *                     record it (Confluent Schema Registry's API exposes no registration time)
 * @param fingerprint  SHA-256 (hex) of the schema's canonical form (see {@link SchemaFingerprint}); equal for
 *                     documents that differ only in whitespace or key order
 */
public record SchemaVersion(String subject, int version, String schema, @Nullable Instant registeredAt, String fingerprint) {

    public SchemaVersion {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(fingerprint, "fingerprint");
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, but was " + version);
        }
    }
}
