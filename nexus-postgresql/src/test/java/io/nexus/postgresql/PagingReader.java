package io.nexus.postgresql;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.store.ReadAll;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A reader that pages through the global log as a tracker does, while writers append: it asks for the page after
 * the last position it saw, and stops after one more empty page once the writers are done. What it returns is
 * what a tracker would have handled; a position it skipped over while a transaction was still open is missing.
 */
final class PagingReader {

    private PagingReader() {
    }

    /** Reads pages of {@code pageSize} from position 1 until {@code writing} is false and one more page is empty. */
    static Callable<List<EventEnvelope>> whileWriting(ReadAll log, int pageSize, BooleanSupplier writing) {
        return () -> {
            List<EventEnvelope> seen = new ArrayList<>();
            long last = 0;
            boolean finalPass = false;
            while (true) {
                boolean done = !writing.getAsBoolean();
                List<EventEnvelope> page = log.readAll(last + 1, pageSize);
                seen.addAll(page);
                if (!page.isEmpty()) {
                    last = page.get(page.size() - 1).globalPosition();
                } else if (finalPass) {
                    return seen;
                } else if (done) {
                    finalPass = true;
                }
            }
        };
    }

    /**
     * Reads pages of {@code pageSize} after position {@code last} until a page is empty, adding them to {@code seen};
     * returns the last position read ({@code last} when there was none).
     */
    static long untilEmpty(ReadAll log, long last, int pageSize, List<EventEnvelope> seen) {
        long position = last;
        while (true) {
            List<EventEnvelope> page = log.readAll(position + 1, pageSize);
            if (page.isEmpty()) {
                return position;
            }
            seen.addAll(page);
            position = page.get(page.size() - 1).globalPosition();
        }
    }

    /** Waits up to 30 s for {@code latch}; fails the test otherwise. For callbacks that cannot throw. */
    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
