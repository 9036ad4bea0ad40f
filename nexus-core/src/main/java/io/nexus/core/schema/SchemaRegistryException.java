package io.nexus.core.schema;

import io.nexus.core.NexusException;
import org.jspecify.annotations.Nullable;

/**
 * A remote schema registry answered with an error that no more specific Nexus type describes (a rejected
 * credential, a server error, a malformed answer). Carries the HTTP status, the registry's error code and
 * its own message; transient for throttling and 5xx answers.
 */
public class SchemaRegistryException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final @Nullable String errorCode;
    private final String registryMessage;

    public SchemaRegistryException(String registry, String operation, int httpStatus, @Nullable String errorCode,
                                   String registryMessage, @Nullable Throwable cause) {
        super("Schema registry '" + registry + "' refused " + operation + " with HTTP " + httpStatus
                + (errorCode == null ? "" : " (" + errorCode + ")") + ": " + registryMessage
                + (httpStatus == 401 || httpStatus == 403 ? "; check the registry credentials." :
                   httpStatus == 429 || httpStatus >= 500 ? "; retry later." : "; correct the request."),
                cause, httpStatus == 429 || httpStatus >= 500);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
        this.registryMessage = registryMessage;
    }

    /** The HTTP status of the answer (0 if the transport has none). */
    public int httpStatus() {
        return httpStatus;
    }

    /** The registry's error code (Confluent {@code error_code}, AWS error type), or {@code null}. */
    public @Nullable String errorCode() {
        return errorCode;
    }

    /** The registry's own message. */
    public String registryMessage() {
        return registryMessage;
    }
}
