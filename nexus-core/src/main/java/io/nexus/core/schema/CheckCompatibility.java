package io.nexus.core.schema;

/** The dry-run role of a {@link SchemaRegistry}: judge a schema without registering it. Thread-safe. */
public interface CheckCompatibility {

    /**
     * Checks {@code schema} against {@code subject}'s existing versions under its compatibility mode, the way
     * {@link RegisterSchemas#register} would, without registering anything. A subject that does not exist
     * accepts any valid schema.
     *
     * @throws InvalidSchemaException              if the document is not JSON or not a valid JSON Schema
     * @throws SchemaRegistryUnavailableException if a remote registry cannot be reached
     */
    CompatibilityReport check(String subject, String schema);
}
