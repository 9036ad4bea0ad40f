package io.nexus.core.temporal;

import java.time.Duration;
import java.util.Objects;

/**
 * A client asked more temporal queries than its rate limit allows within the window. Transient: the same
 * query is admitted once {@link #retryAfter()} has passed on the service's clock (if the client asks nothing
 * else meanwhile).
 */
public class TemporalQueryRateLimitedException extends TemporalQueryRefusedException {

    private static final long serialVersionUID = 1L;

    private final String clientId;
    private final Duration retryAfter;

    /**
     * @param retryAfter how long until the client's oldest query in the window leaves it; not negative
     * @throws IllegalArgumentException if {@code retryAfter} is negative
     */
    public TemporalQueryRateLimitedException(String clientId, String aggregateType, String aggregateId, String target,
                                             Duration retryAfter, String message) {
        super(AuditRecord.Outcome.RATE_LIMITED, aggregateType, aggregateId, target, message);
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
        if (retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative, but was " + retryAfter);
        }
    }

    /** The client whose limit is used up. */
    public String clientId() {
        return clientId;
    }

    /** How long to wait before asking again; the earliest moment the same query is admitted. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
