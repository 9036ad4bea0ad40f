package io.nexus.postgresql;

import io.nexus.core.store.StreamQuery;
import io.nexus.core.store.StreamRead;
import org.jspecify.annotations.Nullable;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Stream reads of concurrent callers answered together, as group commit does for appends: a read runs at once
 * while fewer than {@code maxRunning} statements are running; otherwise it waits, and the next caller to start a
 * statement takes every read waiting then (up to {@code maxBatch}) into one statement.
 *
 * <p>A read waits only for statements that start after it arrived, so whatever statement answers it takes its
 * snapshot after the read was asked for: every append that returned before the read started is seen
 * (read-your-writes), exactly as by a read of its own.
 *
 * <p>Thread-safe.
 */
final class ReadCoalescer {

    /** One caller's read: its query and lookup, then its answer or failure. */
    static final class Request {
        final StreamQuery query;
        final UUID eventId;
        final Thread thread = Thread.currentThread();
        @Nullable StreamRead result;
        @Nullable RuntimeException failure;
        boolean done;

        Request(StreamQuery query, UUID eventId) {
            this.query = query;
            this.eventId = eventId;
        }
    }

    private final int maxRunning;
    private final int maxBatch;
    private final Function<Request, StreamRead> alone;
    private final Consumer<List<Request>> together;
    private final Object monitor = new Object();
    private final ArrayDeque<Request> waiting = new ArrayDeque<>();
    private final LongAdder coalesced = new LongAdder();
    private int running;

    /**
     * @param alone    answers one read by a statement of its own
     * @param together answers every read of a batch of two or more by one statement: sets each one's result, or
     *                 throws (then each is read alone)
     */
    ReadCoalescer(int maxRunning, int maxBatch, Function<Request, StreamRead> alone, Consumer<List<Request>> together) {
        this.maxRunning = maxRunning;
        this.maxBatch = maxBatch;
        this.alone = alone;
        this.together = together;
    }

    /** The answer to {@code request}, from a statement that started after this call. */
    StreamRead read(Request request) {
        boolean interrupted = false;
        boolean lead = false;
        synchronized (monitor) {
            if (running < maxRunning && waiting.isEmpty()) {
                running++;
                lead = true;
            } else {
                waiting.add(request);
            }
        }
        if (lead) {
            // Nothing waits: answered alone, with no queue in between.
            try {
                return alone.apply(request);
            } finally {
                leave();
            }
        }
        while (true) {
            synchronized (monitor) {
                if (request.done) {
                    break;
                }
                if (running < maxRunning) {
                    running++;
                    lead = true;
                    break;
                }
            }
            LockSupport.park(this);
            // Another caller may be answering this read: it cannot be withdrawn, only awaited.
            interrupted |= Thread.interrupted();
        }
        if (lead) {
            try {
                while (true) {
                    List<Request> batch;
                    synchronized (monitor) {
                        if (request.done) {
                            break;
                        }
                        batch = take();
                    }
                    answer(batch);
                }
            } finally {
                leave();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        synchronized (monitor) {
            if (request.failure != null) {
                throw request.failure;
            }
            return Objects.requireNonNull(request.result, "the result of a coalesced read that did not fail");
        }
    }

    /** How many reads were answered by a statement shared with others (for tests). */
    long coalesced() {
        return coalesced.sum();
    }

    /** Monitor held. The oldest waiting reads, at most {@code maxBatch}. */
    private List<Request> take() {
        List<Request> batch = new ArrayList<>(Math.min(waiting.size(), maxBatch));
        while (!waiting.isEmpty() && batch.size() < maxBatch) {
            batch.add(waiting.pollFirst());
        }
        return batch;
    }

    private void answer(List<Request> batch) {
        try {
            boolean shared = false;
            if (batch.size() > 1) {
                try {
                    together.accept(batch);
                    shared = true;
                    coalesced.add(batch.size());
                } catch (RuntimeException e) {
                    // Alone, each read gets its own answer or its own failure.
                    shared = false;
                }
            }
            if (!shared) {
                for (Request request : batch) {
                    try {
                        request.result = alone.apply(request);
                    } catch (RuntimeException e) {
                        request.failure = e;
                    }
                }
            }
        } finally {
            synchronized (monitor) {
                for (Request request : batch) {
                    if (request.result == null && request.failure == null) {
                        request.failure = new IllegalStateException("the coalesced read of stream '"
                                + request.query.streamId() + "' ended without an answer");
                    }
                    request.done = true;
                }
            }
            for (Request request : batch) {
                LockSupport.unpark(request.thread);
            }
        }
    }

    private void leave() {
        Request next;
        synchronized (monitor) {
            running--;
            next = waiting.peekFirst();
        }
        if (next != null) {
            LockSupport.unpark(next.thread);
        }
    }
}
