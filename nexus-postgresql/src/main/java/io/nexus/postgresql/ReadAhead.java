package io.nexus.postgresql;

import io.nexus.core.event.EventEnvelope;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the next page of the global log while the caller handles the current one, for readers that page
 * through it in order (a projection catching up or replaying): fetching and handling then overlap.
 *
 * <p>Why a page read earlier may be handed out later: it holds only rows below the oldest transaction then
 * running, and ends at the first row held back; every transaction that can still commit claimed its positions
 * after those rows (position order is transaction-id order), so no later commit can land among them. A
 * <em>full</em> page ({@code maxCount} rows) read then is therefore exactly what a read now returns. A short
 * page is not (events appended since may follow it, and a reader must see its own appends), so it is dropped
 * and the caller reads afresh.
 *
 * <p>A read ahead starts only after a reader asked for the page right after a full page it got (a sequential
 * reader), so a single read costs nothing extra. Thread-safe.
 */
final class ReadAhead implements AutoCloseable {

    /** At most this many pages read ahead at once (one per reader paging in parallel). */
    private static final Logger log = LoggerFactory.getLogger(ReadAhead.class);
    /** How long {@link #close()} waits for a read in flight: a query, or a wait for older transactions. */
    private static final long CLOSE_WAIT_SECONDS = 5;
    private static final int MAX_PENDING = 8;
    /** A page read ahead that no one took within this time is dropped. */
    private static final long STALE_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final BiFunction<Long, Integer, List<EventEnvelope>> read;
    private final String threadName;
    private final Map<Key, Pending> pending = new ConcurrentHashMap<>();
    /** Where full pages handed out ended (plus one): a read from there is a sequential reader's. */
    private final Map<Key, Long> continuations = new ConcurrentHashMap<>();
    /** Every read ahead not yet finished, so that closing can end the waits of readers on queued ones. */
    private final Set<CompletableFuture<List<EventEnvelope>>> inFlight = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.LongAdder served = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder started = new java.util.concurrent.atomic.LongAdder();
    private @Nullable ExecutorService executor;
    private boolean closed;

    /** {@code read} reads a page as {@code readAll} does (from, maxCount); it runs on the read-ahead thread. */
    ReadAhead(BiFunction<Long, Integer, List<EventEnvelope>> read, String threadName) {
        this.read = read;
        this.threadName = threadName;
    }

    /** The full page read ahead for exactly this request, or null when there is none (the caller reads itself). */
    @Nullable List<EventEnvelope> take(long from, int maxCount) {
        Pending page = pending.remove(new Key(from, maxCount));
        if (page == null) {
            return null;
        }
        try {
            List<EventEnvelope> events = page.future.get();
            if (events.size() != maxCount) {
                return null;
            }
            served.increment();
            return events;
        } catch (ExecutionException | CancellationException e) {
            return null; // the caller's own read reports the failure, if it persists
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Tells that {@code events}, read from {@code from}, go to a reader ({@code readAhead}: a page {@link #take}
     * gave); reads the next page if the reader pages in order.
     */
    void handedOut(long from, int maxCount, List<EventEnvelope> events, boolean readAhead) {
        boolean sequential = continuations.remove(new Key(from, maxCount)) != null || readAhead;
        if (events.size() != maxCount) {
            return;
        }
        long next = events.get(events.size() - 1).globalPosition() + 1;
        Key key = new Key(next, maxCount);
        long now = System.nanoTime();
        evictStale(now);
        if (!sequential) {
            if (continuations.size() < 4 * MAX_PENDING) {
                continuations.put(key, now);
            }
            return;
        }
        if (pending.size() >= MAX_PENDING || pending.containsKey(key)) {
            return;
        }
        ExecutorService executor = executor();
        if (executor == null) {
            return;
        }
        CompletableFuture<List<EventEnvelope>> future = new CompletableFuture<>();
        started.increment();
        inFlight.add(future);
        future.whenComplete((page, failure) -> inFlight.remove(future));
        pending.put(key, new Pending(future, now));
        try {
            executor.execute(() -> {
                try {
                    future.complete(read.apply(next, maxCount));
                } catch (RuntimeException | Error e) {
                    future.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            future.cancel(false); // closed meanwhile
            pending.remove(key);
        }
    }

    private void evictStale(long now) {
        pending.values().removeIf(p -> now - p.startedNanos > STALE_NANOS);
        continuations.values().removeIf(started -> now - started > STALE_NANOS);
    }

    private synchronized @Nullable ExecutorService executor() {
        if (closed) {
            return null;
        }
        if (executor == null) {
            executor = Executors.newSingleThreadExecutor(r -> {
                Thread thread = new Thread(r, threadName);
                thread.setDaemon(true);
                return thread;
            });
        }
        return executor;
    }

    /** How many pages read ahead were handed to readers. */
    long served() {
        return served.sum();
    }

    /** How many pages were read ahead, whether a reader took them or not. */
    long started() {
        return started.sum();
    }

    /**
     * Stops the read-ahead thread and waits, boundedly, for a read in flight to end, so that the caller may close
     * the connection pool next; pages still pending are dropped.
     */
    @Override
    public void close() {
        @Nullable ExecutorService stopped;
        synchronized (this) {
            closed = true;
            stopped = executor;
            if (stopped != null) {
                stopped.shutdownNow();
            }
            for (CompletableFuture<List<EventEnvelope>> future : List.copyOf(inFlight)) {
                future.cancel(false);
            }
            pending.clear();
            continuations.clear();
        }
        // Outside the monitor: the read in flight may still take it to hand its page over.
        if (stopped != null) {
            try {
                if (!stopped.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    log.warn("The read ahead '{}' still reads after {} s; closing without it", threadName,
                            CLOSE_WAIT_SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private record Key(long from, int maxCount) {
    }

    private record Pending(CompletableFuture<List<EventEnvelope>> future, long startedNanos) {
    }
}
