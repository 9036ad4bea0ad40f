package io.nexus.core.schema;

/** The configuration role of a {@link SchemaRegistry}: compatibility modes per subject. Thread-safe. */
public interface ConfigureCompatibility {

    /** The mode subjects get unless configured otherwise. */
    CompatibilityMode defaultCompatibility();

    /**
     * The mode that applies to {@code subject}: its own, or the default.
     *
     * @throws SchemaRegistryUnavailableException if a remote registry cannot be reached
     */
    CompatibilityMode compatibility(String subject);

    /**
     * Sets {@code subject}'s mode; later registrations are judged by it (existing versions are not re-judged).
     *
     * @throws UnknownSubjectException if a registry that keeps modes on existing subjects only (Glue) has no such subject
     * @throws SchemaRegistryUnavailableException if a remote registry cannot be reached
     */
    void setCompatibility(String subject, CompatibilityMode mode);
}
