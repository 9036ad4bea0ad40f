package io.nexus.core.projection;

/** When a {@link ProjectionProcessor} applies new events. */
public enum ProcessingMode {

    /**
     * On the appending thread, before the append returns, when the store notifies listeners synchronously
     * (the embedded store does): a command's caller reads its own write from the read model right away.
     * The processor falls back to the asynchronous path when it is behind (catching up, retrying the same
     * aggregate) or busy, and never fails the append.
     */
    INLINE,

    /** On the processor's scheduler, shortly after the append: the append never waits for the projection. */
    ASYNC
}
