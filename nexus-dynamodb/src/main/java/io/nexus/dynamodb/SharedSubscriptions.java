package io.nexus.dynamodb;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.store.AppendListener;
import io.nexus.core.store.Subscription;
import io.nexus.dynamodb.internal.LogIndex;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The subscriptions of one {@link DynamoDbEventStore}: every subscriber shares one feed, so however many
 * subscribers a process has, its subscriptions read each Stream shard at most once.
 *
 * <p>The feed has two sources. Without a started {@link DynamoDbLogIndexer} in this process, one
 * {@link DynamoDbChangeCapture} reads the table's Stream from the latest position (one reader per shard).
 * With one, subscriptions read no Stream at all: while the indexer holds its lease it hands each shard read to
 * this feed once the read is indexed (its own reader is then the process's only reader per shard); while
 * another process indexes, this feed follows the global log's tail (one consistent {@code GetItem} per poll
 * interval, then {@link LogIndex#read} of what is new). Either way a subscriber is woken only once the events
 * are in {@code readAll}, and the events carry their global positions.
 *
 * <p>The first {@link #subscribe} starts the feed on a daemon thread (taking the Stream's latest position, or
 * the log's head, before it returns, so every append committed afterwards is delivered); the last
 * {@link Subscription#close()} and {@link #close()} stop it. A subscriber that throws is logged (once per
 * subscription, then at debug level) and neither stops the others nor the feed.
 *
 * <p>Thread-safe.
 */
final class SharedSubscriptions implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SharedSubscriptions.class);
    /** Events read from the log per {@link LogIndex#read} while catching up. */
    private static final int PAGE = 500;

    private final String table;
    private final Supplier<DynamoDbChangeCapture> streamReader;
    private final LogIndex index;
    private final Duration pollInterval;
    private final List<Member> members = new CopyOnWriteArrayList<>();
    /** Index reads the local indexer handed over, in position order; a full queue drops them, the log fills the gap. */
    private final BlockingQueue<List<EventEnvelope>> indexed = new ArrayBlockingQueue<>(256);
    private final RetryPolicy failureBackoff = RetryPolicy.custom().maxAttempts(Integer.MAX_VALUE)
            .initialDelay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(10)).build();

    private volatile @Nullable DynamoDbLogIndexer indexer;
    /** Set when an indexed read did not fit the queue: the feed reads the log's tail at its next poll. */
    private final AtomicBoolean dropped = new AtomicBoolean();
    // Guarded by this.
    private @Nullable Thread worker;
    private boolean closed;
    // Owned by the feed: set up by subscribe under this lock before the worker starts, then only by the worker.
    private @Nullable DynamoDbChangeCapture capture;
    private long seen = -1;

    SharedSubscriptions(String table, Supplier<DynamoDbChangeCapture> streamReader, LogIndex index, Duration pollInterval) {
        this.table = table;
        this.streamReader = streamReader;
        this.index = index;
        this.pollInterval = pollInterval;
    }

    /** Feeds subscriptions from {@code indexer}, which runs in this process, once it has been started. */
    void indexedBy(DynamoDbLogIndexer indexer) {
        this.indexer = indexer;
        indexer.onIndexed(events -> {
            if (!members.isEmpty() && !indexed.offer(events)) {
                dropped.set(true);
                log.debug("Subscriptions of table '{}' lag; positions from {} will be read from the log", table,
                        events.get(0).globalPosition());
            }
        });
    }

    /** Attaches {@code listener} to the feed, starting it if this is the first subscription. */
    synchronized Subscription subscribe(AppendListener listener) {
        if (closed) {
            throw new IllegalStateException("The event store of table '" + table + "' is closed; build a new one to subscribe");
        }
        Member member = new Member(listener);
        if (worker == null) {
            openSource(viaIndex());
            Thread thread = new Thread(this::run, "nexus-dynamodb-subscriptions-" + table);
            thread.setDaemon(true);
            worker = thread;
            members.add(member);
            thread.start();
        } else {
            members.add(member);
        }
        return () -> leave(member);
    }

    /** Stops the feed and detaches every subscriber; later subscribes fail. Harmless twice. */
    @Override
    public void close() {
        Thread stopped;
        synchronized (this) {
            closed = true;
            members.clear();
            stopped = stop();
        }
        join(stopped);
    }

    /** The number of subscriptions attached now. */
    int subscribers() {
        return members.size();
    }

    private void leave(Member member) {
        Thread stopped = null;
        synchronized (this) {
            if (members.remove(member) && members.isEmpty()) {
                stopped = stop();
            }
        }
        join(stopped);
    }

    /** Detaches the worker (it ends at its next check); returns it for joining outside the lock. */
    private @Nullable Thread stop() {
        Thread thread = worker;
        worker = null;
        indexed.clear();
        if (thread != null) {
            thread.interrupt();
        }
        return thread;
    }

    private static void join(@Nullable Thread thread) {
        if (thread != null && thread != Thread.currentThread()) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private boolean viaIndex() {
        DynamoDbLogIndexer local = indexer;
        return local != null && local.started();
    }

    /** Takes the starting point of the chosen source, closing the other one. */
    private void openSource(boolean viaIndex) {
        if (viaIndex) {
            closeCapture();
            if (seen < 0) {
                indexed.clear();
                seen = index.head();
            }
        } else if (capture == null) {
            seen = -1;
            DynamoDbChangeCapture reader = streamReader.get();
            reader.open();
            capture = reader;
        }
    }

    private void closeCapture() {
        DynamoDbChangeCapture reader = capture;
        capture = null;
        if (reader != null) {
            reader.close();
        }
    }

    private boolean mine() {
        synchronized (this) {
            return worker == Thread.currentThread();
        }
    }

    private void run() {
        RetryPolicy.Backoff backoff = failureBackoff.backoff(ThreadLocalRandom.current());
        try {
            while (mine()) {
                try {
                    boolean viaIndex = viaIndex();
                    openSource(viaIndex);
                    if (viaIndex) {
                        followIndex();
                    } else {
                        DynamoDbChangeCapture reader = Objects.requireNonNull(capture, "capture");
                        if (reader.pollOnce() == 0) {
                            Thread.sleep(pollInterval.toMillis());
                        }
                    }
                    backoff.succeeded();
                } catch (InterruptedException e) {
                    if (!mine()) {
                        break;
                    }
                } catch (RuntimeException e) {
                    if (!mine()) {
                        break;
                    }
                    Duration delay = backoff.failed();
                    log.warn("Subscriptions of table '{}' failed to read (attempt {}); retrying", table, backoff.failures(), e);
                    try {
                        Thread.sleep(delay.toMillis());
                    } catch (InterruptedException ie) {
                        // stopped, or woken: the loop checks
                    }
                }
            }
        } finally {
            synchronized (this) {
                if (worker == Thread.currentThread()) {
                    // Only an Error thrown by a listener or the SDK gets here: the next subscribe starts a new feed.
                    log.error("The subscriptions' feed of table '{}' stopped; {} subscriptions receive nothing until the"
                            + " next subscribe", table, members.size());
                    worker = null;
                }
                if (worker == null) {
                    closeCapture();
                    seen = -1;
                }
            }
        }
    }

    /**
     * Delivers what the local indexer handed over, waiting up to a poll interval for it; when it hands nothing and
     * does not hold the lease (another process indexes), reads what the log's tail shows beyond what was delivered.
     */
    private void followIndex() throws InterruptedException {
        List<EventEnvelope> read = indexed.poll(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        if (read != null) {
            do {
                deliverIndexed(read);
            } while ((read = indexed.poll()) != null);
            return;
        }
        DynamoDbLogIndexer local = indexer;
        if (!dropped.getAndSet(false) && local != null && local.holdsLease()) {
            return; // it hands every read over
        }
        long head = index.head();
        if (head > seen) {
            readLogThrough(head);
        }
    }

    /** One indexed read, in position order; positions skipped (a full queue, a takeover) are read from the log first. */
    private void deliverIndexed(List<EventEnvelope> read) {
        long first = read.get(0).globalPosition();
        if (first > seen + 1) {
            readLogThrough(first - 1);
        }
        List<EventEnvelope> fresh = new ArrayList<>(read.size());
        for (EventEnvelope e : read) {
            if (e.globalPosition() > seen) {
                fresh.add(e);
            }
        }
        if (!fresh.isEmpty()) {
            fanOut(fresh);
            seen = fresh.get(fresh.size() - 1).globalPosition();
        }
    }

    private void readLogThrough(long last) {
        while (seen < last) {
            List<EventEnvelope> page = index.read(seen + 1, (int) Math.min(PAGE, last - seen));
            if (page.isEmpty()) {
                return;
            }
            fanOut(page);
            seen = page.get(page.size() - 1).globalPosition();
        }
    }

    /** The Stream reader's listener and the index feed's delivery: every subscriber gets each stream's events. */
    void fanOut(List<EventEnvelope> events) {
        Map<String, List<EventEnvelope>> byStream = new LinkedHashMap<>();
        for (EventEnvelope e : events) {
            byStream.computeIfAbsent(e.streamId(), k -> new ArrayList<>()).add(e);
        }
        List<List<EventEnvelope>> batches = new ArrayList<>(byStream.size());
        byStream.values().forEach(b -> batches.add(List.copyOf(b)));
        for (Member member : members) {
            for (List<EventEnvelope> batch : batches) {
                member.deliver(batch);
            }
        }
    }

    private final class Member {
        private final AppendListener listener;
        private final AtomicBoolean failedBefore = new AtomicBoolean();

        Member(AppendListener listener) {
            this.listener = listener;
        }

        void deliver(List<EventEnvelope> batch) {
            try {
                listener.onAppend(batch);
            } catch (RuntimeException e) {
                if (failedBefore.compareAndSet(false, true)) {
                    log.warn("Append listener {} of table '{}' failed on stream '{}'; the append stands and the other "
                            + "subscribers go on. Later failures of this subscription are logged at debug level",
                            listener, table, batch.get(0).streamId(), e);
                } else {
                    log.debug("Append listener {} of table '{}' failed again on stream '{}'", listener, table,
                            batch.get(0).streamId(), e);
                }
            }
        }
    }
}
