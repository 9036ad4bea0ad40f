package io.nexus.postgresql;

import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/**
 * Holds the commit of the appends to one stream open until released, for tests of the global log's gap safety: such
 * an append has claimed its positions and inserted its rows, but no reader may see them yet, nor pass them. Pass
 * {@link #beforeCommit} to {@link PostgresEventStore.Builder#beforeCommit}.
 */
final class HeldCommit {

    /** The stream whose appends are held. */
    final String stream = "order-slow-" + UUID.randomUUID();

    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    /** Holds an append to {@link #stream} until {@link #release()}; lets any other append commit. */
    void beforeCommit(String streamId) {
        if (streamId.equals(stream)) {
            held.countDown();
            PagingReader.await(released);
        }
    }

    /** Waits until an append to {@link #stream} is held before its commit. */
    void awaitHeld() {
        PagingReader.await(held);
    }

    /** Lets the held append commit. */
    void release() {
        released.countDown();
    }
}
