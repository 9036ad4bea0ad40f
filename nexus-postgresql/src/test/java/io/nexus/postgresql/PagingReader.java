package io.nexus.postgresql;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.store.ReadAll;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
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
}
