package io.nexus.postgresql;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.store.AppendListener;
import io.nexus.core.store.Subscription;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The change capture of {@link PostgresEventStore}: while it has subscriptions, one thread follows the global
 * log from the head it found at the first subscription and tells each listener of every committed append,
 * grouped as appended (one transaction of one stream). It reads only what the store's {@code readAll} would
 * hand out, so listeners never see an event that a running transaction could precede. A second thread holds
 * a connection in {@code LISTEN} and wakes the first when another process appended; local appends wake it
 * directly; without either it reads every poll interval. The listening connection is checked with a query
 * every {@link #PROBE_EVERY} and replaced when it fails or the server does not answer.
 */
final class ChangeFeed implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);
    private static final int PAGE = 500;
    /** The longest the listening thread blocks on its socket, so that it notices a close soon. */
    private static final int LISTEN_SLICE_MILLIS = 100;
    /** How long {@link #close()} waits for each thread: a page read, the listeners of one page, a listen slice. */
    private static final long CLOSE_WAIT_MILLIS = 5_000;
    /**
     * How often the listening connection is checked with a query. A connection the server stopped answering on
     * without closing it (a network partition, a failover behind a proxy) delivers no notification and no error:
     * without the check, the feed would wait on it for ever and fall back to its poll for good.
     */
    static final Duration PROBE_EVERY = Duration.ofSeconds(5);
    /** How long that check waits for the server's answer before the connection counts as lost. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    /** The longest pause before listening again after the connection was lost. */
    private static final long RECONNECT_PAUSE_MILLIS = 1_000;

    private final PostgresEventStore store;
    private final DataSource dataSource;
    private final String channel;
    private final Duration pollInterval;
    private final Duration probeEvery;
    private final Duration probeTimeout;
    private final List<Registration> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private boolean wakeRequested;
    private boolean running;
    private boolean closed;
    private long cursor;
    private final List<Thread> threads = new ArrayList<>();

    ChangeFeed(PostgresEventStore store, DataSource dataSource, String channel, Duration pollInterval,
               Duration probeEvery, Duration probeTimeout) {
        this.store = store;
        this.dataSource = dataSource;
        this.channel = channel;
        this.pollInterval = pollInterval;
        this.probeEvery = probeEvery;
        this.probeTimeout = probeTimeout;
    }

    Subscription subscribe(AppendListener listener) {
        Registration registration = new Registration(listener);
        synchronized (lock) {
            requireOpen();
            if (running) {
                listeners.add(registration);
                return () -> listeners.remove(registration);
            }
        }
        // Read outside the lock: it may wait for older transactions, and appends take the lock to wake the feed.
        long head = store.headPosition();
        synchronized (lock) {
            requireOpen();
            if (!running) {
                cursor = head;
                running = true;
                threads.add(start("nexus-postgres-feed-" + channel, this::dispatch));
                threads.add(start("nexus-postgres-listen-" + channel, this::listen));
            }
            listeners.add(registration);
        }
        return () -> listeners.remove(registration);
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the event store on channel '" + channel + "' is closed; build a new one "
                    + "to subscribe");
        }
    }

    /** Asks the feed to read the log now. Cheap when the feed is not running. */
    void wake() {
        synchronized (lock) {
            if (running) {
                wakeRequested = true;
                lock.notifyAll();
            }
        }
    }

    /**
     * Stops both threads and waits, boundedly, until they have ended, so that the connection pool may be closed
     * next without breaking a connection still in use (the listening one among them).
     */
    @Override
    public void close() {
        List<Thread> stopping;
        synchronized (lock) {
            running = false;
            closed = true;
            lock.notifyAll();
            stopping = List.copyOf(threads);
            threads.clear();
        }
        listeners.clear();
        for (Thread thread : stopping) {
            if (thread == Thread.currentThread()) {
                continue; // closed by a listener, on the feed's own thread
            }
            try {
                thread.join(CLOSE_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (thread.isAlive()) {
                log.warn("Change feed thread '{}' has not ended {} ms after the close; closing without it",
                        thread.getName(), CLOSE_WAIT_MILLIS);
            }
        }
    }

    private static Thread start(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private boolean awaitWake() {
        synchronized (lock) {
            long deadline = System.nanoTime() + pollInterval.toNanos();
            while (running && !wakeRequested) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            wakeRequested = false;
            return running;
        }
    }

    private void dispatch() {
        while (awaitWake()) {
            try {
                drain();
            } catch (RuntimeException e) {
                log.warn("Change feed on '{}' failed to read the global log; it tries again at the next poll", channel, e);
            }
        }
    }

    private void drain() {
        while (true) {
            long from;
            synchronized (lock) {
                if (!running) {
                    return;
                }
                from = cursor + 1;
            }
            PostgresEventStore.Page page = store.readForFeed(from, PAGE);
            List<EventEnvelope> events = page.events();
            if (events.isEmpty()) {
                return;
            }
            deliver(events, page.feedTransactions());
            synchronized (lock) {
                cursor = events.get(events.size() - 1).globalPosition();
            }
            if (events.size() < PAGE) {
                return;
            }
        }
    }

    /** Tells every listener of each append in the page: consecutive events of one transaction and one stream. */
    private void deliver(List<EventEnvelope> events, List<String> transactions) {
        int start = 0;
        for (int i = 1; i <= events.size(); i++) {
            boolean boundary = i == events.size()
                    || !transactions.get(i).equals(transactions.get(start))
                    || !events.get(i).streamId().equals(events.get(start).streamId());
            if (boundary) {
                List<EventEnvelope> append = List.copyOf(events.subList(start, i));
                for (Registration registration : listeners) {
                    registration.tell(append);
                }
                start = i;
            }
        }
    }

    private void listen() {
        boolean lost = false;
        while (isRunning()) {
            try (Connection connection = dataSource.getConnection()) {
                if (!connection.getAutoCommit()) {
                    connection.setAutoCommit(true);
                }
                int networkTimeout = connection.getNetworkTimeout();
                connection.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE, probeTimeout.toMillis()));
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN \"" + channel + "\"");
                }
                if (lost) {
                    log.info("Change feed on '{}' listens again", channel);
                    lost = false;
                }
                try {
                    PGConnection pg = connection.unwrap(PGConnection.class);
                    // A wake after LISTEN covers appends committed while the connection was being set up.
                    wake();
                    long nextProbe = System.nanoTime() + probeEvery.toNanos();
                    while (isRunning()) {
                        PGNotification[] notifications = pg.getNotifications(LISTEN_SLICE_MILLIS);
                        if (notifications != null && notifications.length > 0) {
                            wake();
                        }
                        if (System.nanoTime() - nextProbe >= 0) {
                            try (Statement statement = connection.createStatement()) {
                                statement.execute("SELECT 1");
                            }
                            nextProbe = System.nanoTime() + probeEvery.toNanos();
                        }
                    }
                } finally {
                    // The connection goes back to a pool: it must not keep listening for its next user.
                    try (Statement statement = connection.createStatement()) {
                        statement.execute("UNLISTEN *");
                    }
                    connection.setNetworkTimeout(Runnable::run, networkTimeout);
                }
            } catch (SQLException | RuntimeException e) {
                if (isRunning()) {
                    if (!lost) {
                        log.warn("Change feed on '{}' lost its LISTEN connection ({}); polling every {} and listening "
                                + "again as soon as the server answers", channel, e.getMessage(), pollInterval, e);
                        lost = true;
                    } else {
                        log.debug("Change feed on '{}' cannot listen yet: {}", channel, e.getMessage());
                    }
                    pauseBeforeReconnect();
                }
            }
        }
    }

    private boolean isRunning() {
        synchronized (lock) {
            return running;
        }
    }

    private void pauseBeforeReconnect() {
        synchronized (lock) {
            try {
                lock.wait(Math.max(1, Math.min(pollInterval.toMillis(), RECONNECT_PAUSE_MILLIS)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One subscription's entry; equal only to itself, so closing twice removes nothing else. */
    private static final class Registration {
        private final AppendListener listener;

        Registration(AppendListener listener) {
            this.listener = listener;
        }

        void tell(List<EventEnvelope> append) {
            try {
                listener.onAppend(append);
            } catch (RuntimeException e) {
                log.warn("Append listener {} failed; the append stands and other listeners are told", listener, e);
            }
        }
    }
}
