package io.nexus.core.projection;

/**
 * A rebuild of a projection running beside the serving instance, started by
 * {@link ProjectionProcessor#rebuild}. Queries keep going to {@link ProjectionProcessor#active()} (the old
 * instance) until the switch. Thread-safe.
 */
public final class ShadowRebuild {

    private final ProjectionProcessor processor;
    private final Object token;

    ShadowRebuild(ProjectionProcessor processor, Object token) {
        this.processor = processor;
        this.token = token;
    }

    /**
     * Events done out of the total, the rate, and whether it has caught up.
     *
     * @throws IllegalStateException if the rebuild was switched in or cancelled
     */
    public RebuildProgress progress() {
        return processor.rebuildProgress(token);
    }

    /** Whether the rebuild is still running beside the serving instance. */
    public boolean inProgress() {
        return processor.rebuildInProgress(token);
    }

    /**
     * Makes the rebuilt instance the serving one now.
     *
     * @throws IllegalStateException if it has not caught up with the head, or the rebuild is over
     */
    public void switchOver() {
        processor.switchOver(token);
    }

    /**
     * Switches as soon as the rebuilt instance reaches the head.
     *
     * @throws IllegalStateException if the rebuild is over
     */
    public void switchWhenCaughtUp() {
        processor.switchWhenCaughtUp(token);
    }

    /** Abandons the rebuild; the serving instance is untouched. Harmless when already over. */
    public void cancel() {
        processor.cancelRebuild(token);
    }
}
