package io.nexus.examples.order.http;

/**
 * A request the API refuses before it reaches the command bus: malformed JSON, a missing field, an
 * unknown route. Carries the HTTP status and the error code of the JSON error body.
 */
final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;
    private final String allow;

    ApiException(int status, String error, String message) {
        this(status, error, message, null);
    }

    ApiException(int status, String error, String message, String allow) {
        super(message);
        this.status = status;
        this.error = error;
        this.allow = allow;
    }

    /** The methods to list in an {@code Allow} header (405 only), else {@code null}. */
    String allow() {
        return allow;
    }

    int status() {
        return status;
    }

    String error() {
        return error;
    }
}
