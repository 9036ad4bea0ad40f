package io.nexus.examples.order.http;

import java.time.Duration;
import java.util.Objects;

/**
 * How the HTTP server protects itself and whom it lets operate it.
 *
 * @param port                 the port, 0 for any free one
 * @param idleTimeout          a connection (or a request body, or a WebSocket) silent this long is closed
 * @param maxBodyBytes         the largest request body accepted; larger ones get 413
 * @param maxThreads           the request threads; a stalled client holds at most one while it sends a body
 * @param operatorToken        the bearer token of the operator endpoints ({@code /operator/...}), at least 16 characters
 * @param readYourWritesWait   how long a command's answer (or a read with {@code waitForVersion}) waits for the read model
 */
public record HttpSettings(int port, Duration idleTimeout, int maxBodyBytes, int maxThreads, String operatorToken,
                           Duration readYourWritesWait) {

    /** The default largest request body: 64 KiB. */
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;

    public HttpSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, but was " + port);
        }
        requirePositive(idleTimeout, "idleTimeout");
        requirePositive(readYourWritesWait, "readYourWritesWait");
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("maxBodyBytes must be >= 1024, but was " + maxBodyBytes);
        }
        if (maxThreads < 8) {
            throw new IllegalArgumentException("maxThreads must be >= 8, but was " + maxThreads);
        }
        Objects.requireNonNull(operatorToken, "operatorToken");
        if (operatorToken.length() < 16) {
            throw new IllegalArgumentException("operatorToken must have at least 16 characters, but had " + operatorToken.length());
        }
    }

    /** 30 s idle timeout, 64 KiB bodies, 64 threads, a 5 s read-your-writes wait, and {@code operatorToken}. */
    public static HttpSettings defaults(int port, String operatorToken) {
        return new HttpSettings(port, Duration.ofSeconds(30), DEFAULT_MAX_BODY_BYTES, 64, operatorToken, Duration.ofSeconds(5));
    }

    public HttpSettings withIdleTimeout(Duration value) {
        return new HttpSettings(port, value, maxBodyBytes, maxThreads, operatorToken, readYourWritesWait);
    }

    public HttpSettings withMaxThreads(int value) {
        return new HttpSettings(port, idleTimeout, maxBodyBytes, value, operatorToken, readYourWritesWait);
    }

    private static void requirePositive(Duration value, String name) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be a positive duration, but was " + value);
        }
    }
}
