package io.nexus.core.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How many times to try an operation and how long to wait between tries: exponential backoff
 * ({@code initialDelay * multiplier^(attempt-1)}, capped at {@code maxDelay}) with "full jitter" scaled
 * by {@code jitter} (0 = none, 1 = anywhere between zero and the computed delay).
 *
 * <p>Immutable. Build with {@link #custom()}; the setters validate as they go.
 */
public final class RetryPolicy {

    private static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, 1.0, Duration.ZERO, 0.0);

    private final int maxAttempts;
    private final Duration initialDelay;
    private final double multiplier;
    private final Duration maxDelay;
    private final double jitter;

    private RetryPolicy(int maxAttempts, Duration initialDelay, double multiplier, Duration maxDelay, double jitter) {
        this.maxAttempts = maxAttempts;
        this.initialDelay = initialDelay;
        this.multiplier = multiplier;
        this.maxDelay = maxDelay;
        this.jitter = jitter;
    }

    /** One attempt, no retry. */
    public static RetryPolicy none() {
        return NONE;
    }

    /** Up to {@code maxAttempts} attempts with no delay between them. */
    public static RetryPolicy attempts(int maxAttempts) {
        return custom().maxAttempts(maxAttempts).build();
    }

    public static Builder custom() {
        return new Builder();
    }

    /** Total attempts, the first included. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** Whether another attempt may follow attempt number {@code attempt} (1-based). */
    public boolean canRetryAfter(int attempt) {
        return attempt < maxAttempts;
    }

    /**
     * The wait before attempt {@code attempt + 1}, after attempt {@code attempt} (1-based) failed.
     *
     * @param random the source of jitter; pass a seeded one for reproducible tests
     */
    public Duration delayAfter(int attempt, RandomGenerator random) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, but was " + attempt);
        }
        double base = initialDelay.toNanos() * Math.pow(multiplier, attempt - 1);
        double capped = Math.min(base, maxDelay.toNanos());
        double withJitter = capped * (1.0 - jitter * random.nextDouble());
        return Duration.ofNanos((long) withJitter);
    }

    public Builder toBuilder() {
        return new Builder().maxAttempts(maxAttempts).initialDelay(initialDelay).multiplier(multiplier)
                .maxDelay(maxDelay).jitter(jitter);
    }

    @Override
    public String toString() {
        return "RetryPolicy[maxAttempts=" + maxAttempts + ", initialDelay=" + initialDelay + ", multiplier=" + multiplier
                + ", maxDelay=" + maxDelay + ", jitter=" + jitter + "]";
    }

    /** Builds a {@link RetryPolicy}. Defaults: 1 attempt, 100 ms initial delay, x2, 30 s cap, full jitter. */
    public static final class Builder {
        private int maxAttempts = 1;
        private Duration initialDelay = Duration.ofMillis(100);
        private double multiplier = 2.0;
        private Duration maxDelay = Duration.ofSeconds(30);
        private double jitter = 1.0;

        private Builder() {
        }

        public Builder maxAttempts(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1, but was " + value);
            }
            this.maxAttempts = value;
            return this;
        }

        public Builder initialDelay(Duration value) {
            Objects.requireNonNull(value, "initialDelay");
            if (value.isNegative()) {
                throw new IllegalArgumentException("initialDelay must not be negative, but was " + value);
            }
            this.initialDelay = value;
            return this;
        }

        public Builder multiplier(double value) {
            if (!(value >= 1.0)) {
                throw new IllegalArgumentException("multiplier must be >= 1.0, but was " + value);
            }
            this.multiplier = value;
            return this;
        }

        public Builder maxDelay(Duration value) {
            Objects.requireNonNull(value, "maxDelay");
            if (value.isNegative()) {
                throw new IllegalArgumentException("maxDelay must not be negative, but was " + value);
            }
            this.maxDelay = value;
            return this;
        }

        /** 0 for none, 1 for full jitter. */
        public Builder jitter(double value) {
            if (!(value >= 0.0 && value <= 1.0)) {
                throw new IllegalArgumentException("jitter must be 0.0..1.0, but was " + value);
            }
            this.jitter = value;
            return this;
        }

        public RetryPolicy build() {
            if (maxDelay.compareTo(initialDelay) < 0) {
                throw new IllegalArgumentException("maxDelay " + maxDelay + " must not be shorter than initialDelay " + initialDelay);
            }
            return new RetryPolicy(maxAttempts, initialDelay, multiplier, maxDelay, jitter);
        }
    }
}
