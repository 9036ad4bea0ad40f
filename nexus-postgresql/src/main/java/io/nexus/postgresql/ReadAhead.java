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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Reads the next pages of the global log while the caller handles the current one, for readers that page
 * through it in order (a projection catching up or replaying): fetching and handling then overlap.
 *
 * <p>Why a page read earlier may be handed out later: it holds only rows below the oldest transaction then
 * running, and ends at the first row held back; every transaction that can still commit claimed its positions
 * after those rows (position order is transaction-id order), so no later commit can land among them. A
 * <em>full</em> page ({@code maxCount} rows) read then is therefore exactly what a read now returns. A short
 * page is not (events appended since may follow it, and a reader must see its own appends), so it is dropped
 * and the caller reads afresh. The same holds for the page after a full page read ahead: it is read from where
 * that page ends, as the reader would, and handed out only if it is full too.
 *
 * <p>Up to {@link #DEPTH} pages are read ahead of the page a reader has taken, on two threads: the read of a
 * page starts as soon as the rows of the page before it have arrived (their last position is where it starts),
 * so the server produces one page while the client decodes the one before. A read ahead starts only after a
 * reader asked for the page right after a full page it got (a sequential reader), so a single read costs
 * nothing extra. Thread-safe.
 */
final class ReadAhead implements AutoCloseable {

    /** Reads a page as {@code readAll} does; tells {@code fullPageEnd} the last position of a full page as soon as its rows arrived. */
    interface PageReader {
        List<EventEnvelope> read(long from, int maxCount, LongConsumer fullPageEnd);
    }

    /** At most this many pages read ahead at once (for all readers paging in parallel). */
    private static final int MAX_PENDING = 8;
    /** At most this many pages read ahead of the page a reader took last. */
    static final int DEPTH = 2;
    private static final int THREADS = 2;
    /** A page read ahead that no one took within this time is dropped. */
    private static final long STALE_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final PageReader read;
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

    /** {@code read} reads a page as {@code readAll} does; it runs on the read-ahead threads. */
    ReadAhead(PageReader read, String threadName) {
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
            // The reader is at this page now: keep the pages after it coming.
            page.chain.taken = page.index;
            advance(page.chain, page.index + 1, events.get(events.size() - 1).globalPosition() + 1);
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
     * gave, whose successors {@code take} already asked for); starts reading ahead if the reader pages in order.
     */
    void handedOut(long from, int maxCount, List<EventEnvelope> events, boolean readAhead) {
        if (readAhead) {
            return;
        }
        boolean sequential = continuations.remove(new Key(from, maxCount)) != null;
        if (events.size() != maxCount) {
            return;
        }
        long next = events.get(events.size() - 1).globalPosition() + 1;
        long now = System.nanoTime();
        evictStale(now);
        if (!sequential) {
            if (continuations.size() < 4 * MAX_PENDING) {
                continuations.put(new Key(next, maxCount), now);
            }
            return;
        }
        start(new Chain(maxCount), 1, next);
    }

    /** Makes sure page {@code index} of the chain (from {@code from}) is being read, and the one after it once its start is known. */
    private void advance(Chain chain, long index, long from) {
        Pending successor = pending.get(new Key(from, chain.maxCount));
        if (successor == null) {
            start(chain, index, from);
            return;
        }
        long after = successor.nextFrom.get();
        if (after > 0) {
            start(chain, index + 1, after);
        }
    }

    /** Reads page {@code index} of the chain from {@code from}, unless that is too far ahead of the reader or already read. */
    private void start(Chain chain, long index, long from) {
        if (index - chain.taken > DEPTH) {
            return;
        }
        Key key = new Key(from, chain.maxCount);
        long now = System.nanoTime();
        evictStale(now);
        if (pending.size() >= MAX_PENDING || pending.containsKey(key)) {
            return;
        }
        ExecutorService executor = executor();
        if (executor == null) {
            return;
        }
        CompletableFuture<List<EventEnvelope>> future = new CompletableFuture<>();
        Pending page = new Pending(future, now, chain, index, new AtomicLong());
        if (pending.putIfAbsent(key, page) != null) {
            return;
        }
        started.increment();
        inFlight.add(future);
        future.whenComplete((events, failure) -> inFlight.remove(future));
        try {
            executor.execute(() -> {
                try {
                    future.complete(read.read(from, chain.maxCount, end -> {
                        // Set before the reader's position is checked, as take() sets that before reading this:
                        // one of the two sees the other's write, so the next page is never left unread.
                        page.nextFrom.set(end + 1);
                        start(chain, index + 1, end + 1);
                    }));
                } catch (RuntimeException | Error e) {
                    future.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            future.cancel(false); // closed meanwhile
            pending.remove(key, page);
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
            AtomicInteger threads = new AtomicInteger();
            executor = Executors.newFixedThreadPool(THREADS, r -> {
                Thread thread = new Thread(r, threadName + "-" + threads.incrementAndGet());
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

    /** How many pages were read ahead (taken by a reader or not). */
    long started() {
        return started.sum();
    }

    /** Stops the read-ahead threads; pages still pending are dropped. */
    @Override
    public synchronized void close() {
        closed = true;
        if (executor != null) {
            executor.shutdownNow();
        }
        for (CompletableFuture<List<EventEnvelope>> future : List.copyOf(inFlight)) {
            future.cancel(false);
        }
        pending.clear();
        continuations.clear();
    }

    private record Key(long from, int maxCount) {
    }

    /** The pages read ahead for one sequential reader, numbered from 1; {@code taken}: the last the reader took. */
    private static final class Chain {
        final int maxCount;
        volatile long taken;

        Chain(int maxCount) {
            this.maxCount = maxCount;
        }
    }

    /** {@code nextFrom}: where the page after this one starts, once this one is known to be full (0 before). */
    private record Pending(CompletableFuture<List<EventEnvelope>> future, long startedNanos, Chain chain, long index,
                           AtomicLong nextFrom) {
    }
}
