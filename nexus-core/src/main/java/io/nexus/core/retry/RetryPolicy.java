package io.nexus.core.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * How many times to try an operation and how long to wait between tries: exponential backoff
 * ({@code initialDelay * multiplier^(attempt-1)}, capped at {@code maxDelay}) with "full jitter" scaled
 * by {@code jitter} (0 = none, 1 = anywhere between zero and the computed delay).
 *
 * <p>The policy runs the retry loop itself, so callers never count attempts or compute delays:
 * {@link #execute} runs a blocking operation until it succeeds or the attempts run out, and a
 * {@link Backoff} tracks the attempts of an operation that is retried asynchronously (by scheduling the
 * next attempt instead of sleeping). Exponents are clamped inside, so any attempt number is safe.
 *
 * <pre>{@code
 * Order order = RetryPolicy.custom().maxAttempts(5).build()
 *         .execute(() -> orders.load(id), e -> e instanceof NexusException n && n.isTransient());
 * }</pre>
 *
 * <p>Immutable and thread-safe. Build with {@link #custom()}; the setters validate as they go.
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
        return custom().maxAttempts(maxAttempts).initialDelay(Duration.ZERO).maxDelay(Duration.ZERO).build();
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
        // Clamped: past 2^62 every multiplier >= 2 is beyond any maxDelay, and pow must not overflow to NaN.
        double base = initialDelay.toNanos() * Math.pow(multiplier, Math.min(attempt - 1, 62));
        double capped = Math.min(base, maxDelay.toNanos());
        double withJitter = capped * (1.0 - jitter * random.nextDouble());
        return Duration.ofNanos((long) withJitter);
    }

    /**
     * Runs {@code action} until it returns, retrying every exception; see
     * {@link #execute(CheckedSupplier, Predicate, Sleeper, RandomGenerator)}. Sleeps on the calling thread
     * with {@link ThreadLocalRandom} jitter.
     */
    public <T> T execute(CheckedSupplier<? extends T> action) throws Exception {
        return execute(action, e -> true, Sleeper.threadSleep(), ThreadLocalRandom.current());
    }

    /**
     * Runs {@code action} until it returns, retrying the exceptions {@code retryable} accepts; see
     * {@link #execute(CheckedSupplier, Predicate, Sleeper, RandomGenerator)}.
     */
    public <T> T execute(CheckedSupplier<? extends T> action, Predicate<? super Exception> retryable) throws Exception {
        return execute(action, retryable, Sleeper.threadSleep(), ThreadLocalRandom.current());
    }

    /**
     * Runs {@code action} on the calling thread until it returns: after a failure that {@code retryable}
     * accepts, waits the backoff with {@code sleeper} and tries again, up to {@link #maxAttempts()} attempts.
     *
     * @param action    the operation; not {@code null}
     * @param retryable which failures are worth another attempt (for example transient ones)
     * @param sleeper   how to wait between attempts (a test passes one that moves a clock)
     * @param random    the source of jitter
     * @return what {@code action} returned
     * @throws Exception            the last failure, when it is not retryable or the attempts ran out (the
     *                              first failure is attached to it as a suppressed exception)
     * @throws InterruptedException if interrupted while waiting; the interrupt flag is set again
     */
    public <T> T execute(CheckedSupplier<? extends T> action, Predicate<? super Exception> retryable, Sleeper sleeper,
                         RandomGenerator random) throws Exception {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(retryable, "retryable");
        Objects.requireNonNull(sleeper, "sleeper");
        Objects.requireNonNull(random, "random");
        Backoff backoff = backoff(random);
        Exception first = null;
        while (true) {
            try {
                return action.get();
            } catch (Exception e) {
                Duration delay = backoff.failed();
                if (!retryable.test(e) || !backoff.canRetry()) {
                    if (first != null && first != e) {
                        e.addSuppressed(first);
                    }
                    throw e;
                }
                first = first == null ? e : first;
                try {
                    sleeper.sleep(delay);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    interrupted.addSuppressed(e);
                    throw interrupted;
                }
            }
        }
    }

    /** A fresh attempt counter over this policy, for an operation retried by scheduling rather than sleeping. */
    public Backoff backoff(RandomGenerator random) {
        return new Backoff(this, Objects.requireNonNull(random, "random"));
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

    /** An operation that may throw; what {@link #execute} runs. */
    @FunctionalInterface
    public interface CheckedSupplier<T> {
        T get() throws Exception;
    }

    /** How {@link #execute} waits between attempts. */
    @FunctionalInterface
    public interface Sleeper {
        /**
         * Waits {@code delay} (possibly zero).
         *
         * @throws InterruptedException if interrupted; {@code execute} gives up
         */
        void sleep(Duration delay) throws InterruptedException;

        /** {@link Thread#sleep} on the calling thread. */
        static Sleeper threadSleep() {
            return delay -> {
                if (!delay.isZero() && !delay.isNegative()) {
                    Thread.sleep(delay.toMillis(), (int) (delay.toNanosPart() % 1_000_000));
                }
            };
        }
    }

    /**
     * The attempts of one operation under a {@link RetryPolicy}, for callers that schedule the next attempt
     * instead of sleeping. After each failure {@link #failed()} says how long to wait, and
     * {@link #canRetry()} whether the policy allows another attempt (a caller that never gives up, such as
     * a log tracker, ignores it and keeps the capped delay). Not thread-safe: one operation, one owner.
     */
    public static final class Backoff {
        private final RetryPolicy policy;
        private final RandomGenerator random;
        private int failures;

        private Backoff(RetryPolicy policy, RandomGenerator random) {
            this.policy = policy;
            this.random = random;
        }

        /** Counts a failed attempt and returns the wait before the next one. */
        public Duration failed() {
            if (failures < Integer.MAX_VALUE) {
                failures++;
            }
            return policy.delayAfter(failures, random);
        }

        /** Whether the policy allows another attempt after the failures counted so far. */
        public boolean canRetry() {
            return policy.canRetryAfter(failures);
        }

        /** The failed attempts counted since the last success. */
        public int failures() {
            return failures;
        }

        /** Starts counting again after a success. */
        public void succeeded() {
            failures = 0;
        }
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
