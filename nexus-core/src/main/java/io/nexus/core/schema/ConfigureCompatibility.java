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

    /**
     * The mode configured on {@code subject} itself; empty when the subject inherits the default (so a later
     * change of the default applies to it). The default implementation, for registries without inheritance,
     * answers {@link #compatibility(String)}.
     *
     * @throws SchemaRegistryUnavailableException if a remote registry cannot be reached
     */
    default java.util.Optional<CompatibilityMode> ownCompatibility(String subject) {
        return java.util.Optional.of(compatibility(subject));
    }

    /**
     * Removes {@code subject}'s own mode, so that it inherits the default again (Confluent:
     * {@code DELETE /config/{subject}}). The default implementation, for registries without inheritance, sets
     * the default mode on the subject. Harmless when the subject has no mode of its own.
     *
     * @throws UnknownSubjectException if a registry that keeps modes on existing subjects only (Glue) has no such subject
     * @throws SchemaRegistryUnavailableException if a remote registry cannot be reached
     */
    default void clearCompatibility(String subject) {
        setCompatibility(subject, defaultCompatibility());
    }
}
