package io.nexus.core.store;

/**
 * What an append expects the stream's current version to be; the optimistic-concurrency guard.
 *
 * <ul>
 *   <li>{@link #any()}: no check;</li>
 *   <li>{@link #noStream()}: the stream must not exist yet (version 0);</li>
 *   <li>{@link #exactly(long)}: the stream's last event must have exactly this version.</li>
 * </ul>
 * A stream that moved past an exact expectation is a transient {@link ConcurrencyConflictException}; an
 * exact expectation ahead of the stream ({@link #isAheadOf(long)}) is a permanent
 * {@link ExpectedVersionAheadException}.
 */
public sealed interface ExpectedVersion {

    /** No concurrency check. */
    static ExpectedVersion any() {
        return Any.INSTANCE;
    }

    /** The stream must not exist. */
    static ExpectedVersion noStream() {
        return Exact.NO_STREAM;
    }

    /** The stream's current version must be {@code version}; 0 means the stream must not exist. */
    static ExpectedVersion exactly(long version) {
        if (version < 0) {
            throw new IllegalArgumentException("expected version must be >= 0, but was " + version);
        }
        return version == 0 ? Exact.NO_STREAM : new Exact(version);
    }

    /** Whether a stream at {@code currentVersion} satisfies this expectation. */
    boolean isSatisfiedBy(long currentVersion);

    /**
     * Whether this expectation names a version a stream at {@code currentVersion} has never reached, which
     * no writer that read the stream can hold.
     */
    boolean isAheadOf(long currentVersion);

    /** No concurrency check. */
    enum Any implements ExpectedVersion {
        INSTANCE;

        @Override
        public boolean isSatisfiedBy(long currentVersion) {
            return true;
        }

        @Override
        public boolean isAheadOf(long currentVersion) {
            return false;
        }

        @Override
        public String toString() {
            return "any";
        }
    }

    /** An exact version; 0 is "no stream". */
    record Exact(long version) implements ExpectedVersion {
        static final Exact NO_STREAM = new Exact(0);

        @Override
        public boolean isSatisfiedBy(long currentVersion) {
            return currentVersion == version;
        }

        @Override
        public boolean isAheadOf(long currentVersion) {
            return version > currentVersion;
        }

        @Override
        public String toString() {
            return version == 0 ? "no stream" : Long.toString(version);
        }
    }
}
