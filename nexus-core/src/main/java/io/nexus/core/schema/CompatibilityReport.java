package io.nexus.core.schema;

import java.util.List;
import java.util.Objects;

/**
 * The verdict of checking a candidate schema against a subject under its compatibility mode.
 *
 * @param subject           the subject checked
 * @param mode              the mode applied
 * @param incompatibilities every breaking difference found, empty when compatible
 */
public record CompatibilityReport(String subject, CompatibilityMode mode, List<Incompatibility> incompatibilities) {

    public CompatibilityReport {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(mode, "mode");
        incompatibilities = List.copyOf(incompatibilities);
    }

    /** Whether the candidate may be registered. */
    public boolean isCompatible() {
        return incompatibilities.isEmpty();
    }

    /** Throws {@link IncompatibleSchemaException} unless compatible. */
    public void throwIfIncompatible() {
        if (!isCompatible()) {
            throw new IncompatibleSchemaException(subject, mode, incompatibilities);
        }
    }
}
