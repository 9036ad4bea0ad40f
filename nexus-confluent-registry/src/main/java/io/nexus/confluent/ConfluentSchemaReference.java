package io.nexus.confluent;

import java.util.Objects;

/**
 * A reference from a JSON Schema to a schema registered under another subject, as Confluent Schema Registry
 * stores it in a version's {@code references}: the referencing schema writes {@code "$ref": "<name>"} (or
 * {@code "<name>#/pointer"}), and the registry resolves {@code name} to version {@code version} of
 * {@code subject}.
 *
 * @param name    the URI the referencing schema uses in {@code $ref}, e.g. {@code "customer.json"}; not blank
 * @param subject the subject the referenced schema is registered under; not blank
 * @param version its version, from 1
 */
public record ConfluentSchemaReference(String name, String subject, int version) {

    /**
     * @throws NullPointerException     if {@code name} or {@code subject} is null
     * @throws IllegalArgumentException if {@code name} or {@code subject} is blank, or {@code version} is below 1
     */
    public ConfluentSchemaReference {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(subject, "subject");
        if (name.isBlank() || subject.isBlank()) {
            throw new IllegalArgumentException("a schema reference needs a non-blank name and subject, but was name '"
                    + name + "', subject '" + subject + "'");
        }
        if (version < 1) {
            throw new IllegalArgumentException("the reference '" + name + "' to '" + subject + "' must name a version >= 1, but was "
                    + version + "; read the subject's versions to pick one");
        }
    }
}
