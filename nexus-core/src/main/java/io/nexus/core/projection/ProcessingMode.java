package io.nexus.core.projection;

/** When a {@link ProjectionProcessor} applies new events. */
public enum ProcessingMode {

    /**
     * On the thread that tells of the append, before the append returns when the store notifies on the
     * appending thread (the embedded store does, after releasing its write lock, so a slow projection never
     * holds up other appends): a command's caller reads its own write from the read model right away. When
     * another thread is handling a batch for more than 50 ms, or is already telling of appends, the events
     * are handled there or on the asynchronous path. Never fails the append.
     */
    INLINE,

    /** On the processor's scheduler, shortly after the append: the append never waits for the projection. */
    ASYNC
}
