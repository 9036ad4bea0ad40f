package io.nexus.core.schema;

import io.nexus.core.NexusException;

/**
 * The schema registry could not be reached or did not answer in time. Transient: retry later. On the command
 * path Nexus fails closed with this error (nothing is appended) unless the validator was configured to fall
 * back to the last schema it fetched.
 */
public class SchemaRegistryUnavailableException extends NexusException {

    private static final long serialVersionUID = 1L;

    public SchemaRegistryUnavailableException(String registry, String operation, Throwable cause) {
        super("Schema registry '" + registry + "' is unavailable for " + operation + ": "
                + (cause == null ? "no answer" : cause.getMessage())
                + "; retry once it is reachable (events are refused meanwhile, nothing was appended).", cause, true);
    }
}
