package io.nexus.examples.order.http;

import java.util.Map;

/**
 * A request the API refuses before it reaches the command bus: malformed JSON, a missing field, an
 * unknown route, a missing credential. Carries the HTTP status, the error code of the JSON error body
 * and any headers the answer needs ({@code Allow}, {@code WWW-Authenticate}, {@code Retry-After}).
 */
final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;
    private final Map<String, String> headers;

    ApiException(int status, String error, String message) {
        this(status, error, message, Map.of());
    }

    ApiException(int status, String error, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
        this.headers = Map.copyOf(headers);
    }

    static ApiException invalid(String message) {
        return new ApiException(400, "invalid", message);
    }

    static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message);
    }

    int status() {
        return status;
    }

    String error() {
        return error;
    }

    Map<String, String> headers() {
        return headers;
    }
}
