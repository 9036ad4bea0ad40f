package io.nexus.core.schema;

import java.util.List;
import java.util.Optional;

/**
 * The read role of a {@link SchemaRegistry}. Implementations are thread-safe; no argument may be {@code null}.
 */
public interface ReadSchemas {

    /**
     * Version {@code version} of {@code subject}.
     *
     * @throws UnknownSubjectException             if the subject does not exist
     * @throws UnknownSchemaException              if the subject has no such version
     * @throws SchemaRegistryUnavailableException if a remote registry cannot be reached
     */
    SchemaVersion version(String subject, int version);

    /**
     * The newest version of {@code subject}.
     *
     * @throws UnknownSubjectException             if the subject does not exist
     * @throws SchemaRegistryUnavailableException if a remote registry cannot be reached
     */
    SchemaVersion latest(String subject);

    /**
     * The version of {@code subject} whose schema has the same canonical form as {@code schema} (lookup by
     * definition), or empty when there is none or the subject does not exist.
     *
     * @throws InvalidSchemaException              if {@code schema} is not JSON
     * @throws SchemaRegistryUnavailableException if a remote registry cannot be reached
     */
    Optional<SchemaVersion> find(String subject, String schema);

    /**
     * The version numbers of {@code subject}, ascending.
     *
     * @throws UnknownSubjectException if the subject does not exist
     */
    List<Integer> versions(String subject);

    /** Every subject, sorted by name. */
    List<String> subjects();
}
