package io.nexus.core.lifecycle;

/**
 * A long-running part of a Nexus application (a projection, the store-to-bus router, a bus consumer, a
 * saga coordinator, a user's own poller) whose life {@link io.nexus.core.Nexus} manages:
 * {@code nexus.start()} starts the registered components in registration order, each with the same
 * {@link NexusContext}; {@code nexus.close()} closes them in reverse order; when one fails to start, the
 * ones already started are closed and the failure is thrown.
 *
 * <p>A component takes the application's clock, meter registry, codec, validator, policy and ports from
 * the context instead of asking the user for them again. Implementations need not be thread-safe for
 * {@link #start} and {@link #close}, which Nexus calls from one thread; {@link #close} must be harmless
 * when called twice or without a successful start.
 */
public interface NexusComponent extends AutoCloseable {

    /** A stable, non-blank name, unique within one application (used in logs, health and metrics). */
    String name();

    /**
     * Starts the component's work; returns once it is running (background threads started, checkpoint
     * loaded), not once the work is done.
     *
     * @throws RuntimeException if the component cannot start; Nexus closes the components started before it
     */
    void start(NexusContext context);

    /** Stops the component's work and releases what it holds. Harmless when called twice. */
    @Override
    void close();
}
