package io.nexus.opensearch;

import io.nexus.core.NexusException;
import org.jspecify.annotations.Nullable;

/**
 * OpenSearch could not be reached or answered with a server-side error. Transient: the projection
 * retries with backoff and resumes where it stopped once the cluster is back.
 */
public class OpenSearchUnavailableException extends NexusException {

    private static final long serialVersionUID = 1L;

    public OpenSearchUnavailableException(String message, @Nullable Throwable cause) {
        super(message, cause, true);
    }
}
