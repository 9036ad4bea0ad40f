package io.nexus.core.projection;

import org.jspecify.annotations.Nullable;
import io.nexus.core.retry.RetryPolicy;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the application runs one projection registered with {@code Nexus.builder().projection(projection,
 * options -> options.mode(ProcessingMode.INLINE).notifications())}. Everything not set is the
 * {@link ProjectionProcessor}'s default; checkpoints, dead letters, clock, meters, codec and the consumer lease
 * come from the application (except with {@link #perInstance()}). Each option can be set once. Not thread-safe (used while building).
 */
public final class ProjectionOptions {

    private @Nullable ProcessingMode mode;
    private @Nullable RetryPolicy retry;
    private boolean notifications;
    private @Nullable Integer batchSize;
    private @Nullable Duration pollInterval;
    private @Nullable Duration stallThreshold;
    private @Nullable Duration standbyNotificationInterval;
    private @Nullable TaskScheduler scheduler;
    private boolean perInstance;

    /** Options with every value at its default; used by the application's builder. */
    public ProjectionOptions() {
    }

    private static <T> T once(String option, @Nullable T current, T value) {
        Objects.requireNonNull(value, option);
        if (current != null) {
            throw new IllegalStateException("projection option '" + option + "' was already set to " + current + "; set it once");
        }
        return value;
    }

    /** Inline (on the appending thread, read-your-writes) or asynchronous (the default). */
    public ProjectionOptions mode(ProcessingMode value) {
        this.mode = once("mode", mode, value);
        return this;
    }

    /** Attempts per event and the backoff between them before the event is dead-lettered. */
    public ProjectionOptions retry(RetryPolicy value) {
        this.retry = once("retry", retry, value);
        return this;
    }

    /** Tells the application's notification hub of every event this projection applies (read-your-writes for clients). */
    public ProjectionOptions notifications() {
        this.notifications = true;
        return this;
    }

    /**
     * Runs the projection in every instance of the application, without a lease, for a read model that lives in
     * this process (an in-memory view, a cache): its checkpoint and dead letters are kept in memory too, so each
     * instance builds its own copy from the beginning of the log when it starts, and its notifications reach this
     * instance's clients. By default a projection is exclusive when the application has a lease store: one
     * instance at a time runs it against the shared checkpoint and read model.
     */
    public ProjectionOptions perInstance() {
        this.perInstance = true;
        return this;
    }

    /** Whether the projection runs in every instance on in-memory checkpoints ({@link #perInstance()}). */
    public boolean isPerInstance() {
        return perInstance;
    }

    /** Events read from the log per batch. */
    public ProjectionOptions batchSize(int value) {
        if (value < 1 || value > 100_000) {
            throw new IllegalArgumentException("batchSize must be 1..100000, but was " + value);
        }
        this.batchSize = once("batchSize", batchSize, value);
        return this;
    }

    /** How often the log is polled besides the store's append notifications. */
    public ProjectionOptions pollInterval(Duration value) {
        this.pollInterval = once("pollInterval", pollInterval, value);
        return this;
    }

    /** How long without progress while behind counts as stalled. */
    public ProjectionOptions stallThreshold(Duration value) {
        this.stallThreshold = once("stallThreshold", stallThreshold, value);
        return this;
    }

    /**
     * With notifications, while another instance runs the projection: how often this instance reads the projection's
     * checkpoint, while events are pending, to tell its listeners of what the holder applied
     * ({@link ProjectionProcessor.Builder#standbyNotificationInterval}); 25 ms by default.
     */
    public ProjectionOptions standbyNotificationInterval(Duration value) {
        this.standbyNotificationInterval = once("standbyNotificationInterval", standbyNotificationInterval, value);
        return this;
    }

    /** Where processing and retries run (tests pass a controllable one); a thread of the projection's own by default. */
    public ProjectionOptions scheduler(TaskScheduler value) {
        this.scheduler = once("scheduler", scheduler, value);
        return this;
    }

    public Optional<ProcessingMode> mode() {
        return Optional.ofNullable(mode);
    }

    public Optional<RetryPolicy> retry() {
        return Optional.ofNullable(retry);
    }

    /** Whether the projection asked for notifications. */
    public boolean wantsNotifications() {
        return notifications;
    }

    public Optional<Integer> batchSize() {
        return Optional.ofNullable(batchSize);
    }

    public Optional<Duration> pollInterval() {
        return Optional.ofNullable(pollInterval);
    }

    public Optional<Duration> stallThreshold() {
        return Optional.ofNullable(stallThreshold);
    }

    public Optional<Duration> standbyNotificationInterval() {
        return Optional.ofNullable(standbyNotificationInterval);
    }

    public Optional<TaskScheduler> scheduler() {
        return Optional.ofNullable(scheduler);
    }
}
