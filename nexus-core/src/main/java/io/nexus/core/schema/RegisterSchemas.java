package io.nexus.core.schema;

/** The write role of a {@link SchemaRegistry}. Implementations are thread-safe. */
public interface RegisterSchemas {

    /**
     * Registers {@code schema} as the next version of {@code subject}, creating the subject (with the default
     * compatibility mode) when it does not exist. Idempotent: a schema whose canonical form equals an existing
     * version's returns that version and registers nothing. Otherwise the schema is checked against the
     * subject's compatibility mode first; on any failure nothing is registered.
     *
     * @param subject non-blank subject name (Nexus uses the event type name)
     * @param schema  a JSON Schema document
     * @return the registered (or the existing identical) version
     * @throws InvalidSchemaException              if the document is not JSON or not a valid JSON Schema
     * @throws IncompatibleSchemaException         if it breaks the subject's compatibility mode
     * @throws SchemaRegistryUnavailableException if a remote registry cannot be reached
     * @throws SchemaRegistryException            for any other error a remote registry returns
     */
    SchemaVersion register(String subject, String schema);
}
