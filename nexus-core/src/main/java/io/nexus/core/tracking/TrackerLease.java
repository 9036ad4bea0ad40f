package io.nexus.core.tracking;

import io.nexus.core.lease.Lease;
import io.nexus.core.lease.LeaseStore;
import io.nexus.core.projection.TaskScheduler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * The lease side of a {@link LogTracker}: takes the consumer's lease, renews it every third of its duration, ends
 * the term when a renewal is refused or none succeeded within the duration after the last successful request was
 * sent (on the tracker's monotonic ticker), and asks again while standing by; it starts and halts the tracker's
 * following of the log through {@link Runner}.
 *
 * <p>Locking: the tracker's lock is always taken before this object's own, never the other way round; a renewal
 * takes neither while it waits for the store, so it never waits for a batch being handled. A session number
 * (one per {@code start}) retires the scheduled work of an earlier start. Thread-safe.
 */
final class TrackerLease {

    private static final Logger log = LoggerFactory.getLogger(LogTracker.class);

    /** What the lease drives in its tracker; every method is called with the tracker's lock held. */
    interface Runner {
        /** Loads the checkpoint and follows the log; throws, leaving nothing running, if it cannot. */
        void run();

        /** The term ended: stops following the log and storing checkpoints, and tells the handler. */
        void halt();

        /** The lease was taken after {@link LogTracker#start} returned: tells the handler and wakes the tracker. */
        void resumed();

        boolean isStarted();

        boolean isRunning();

        long position();

        long checkpointed();
    }

    private final String consumer;
    private final LeaseStore store;
    private final String owner;
    private final Duration duration;
    private final Duration renewInterval;
    private final LongSupplier ticker;
    private final TaskScheduler scheduler;
    /** Runs renewals and the checks of a term's end: the tracker's scheduler, or one that a batch never holds up. */
    private final TaskScheduler renewals;
    private final RandomGenerator random;
    private final ReentrantLock trackerLock;
    private final Runner runner;

    private final Object termLock = new Object();
    private @Nullable Lease lease;
    private long termDeadline;
    private long renewDueAt;
    private int session;
    private TaskScheduler.@Nullable Cancellable leaseTask;
    private TaskScheduler.@Nullable Cancellable expiryTask;
    private boolean storeFailureLogged;
    private volatile @Nullable String lastHolder;

    TrackerLease(String consumer, LeaseStore store, String owner, Duration duration, LongSupplier ticker,
                 TaskScheduler scheduler, TaskScheduler renewals, RandomGenerator random, ReentrantLock trackerLock,
                 Runner runner) {
        this.consumer = consumer;
        this.store = store;
        this.owner = owner;
        this.duration = duration;
        this.renewInterval = duration.dividedBy(3);
        this.ticker = ticker;
        this.scheduler = scheduler;
        this.renewals = renewals;
        this.random = random;
        this.trackerLock = trackerLock;
        this.runner = runner;
    }

    /** Tracker lock held. A new session (a {@code start}): work scheduled for an earlier one does nothing. */
    int begin() {
        synchronized (termLock) {
            storeFailureLogged = false;
            return ++session;
        }
    }

    /** Tracker lock held, the tracker stopping. Retires the session's work; the lease is kept until {@link #release()}. */
    void end() {
        synchronized (termLock) {
            session++;
            cancelTasks();
        }
    }

    /** Tracker lock held, after {@link #end()}. Gives the lease up, so another owner can take it at once. */
    void release() {
        Lease held;
        synchronized (termLock) {
            held = lease;
            lease = null;
        }
        if (held != null) {
            release(held);
        }
    }

    /** Whether checkpoints may be stored and batches started: the lease is held and its term has not ended. */
    boolean inTerm() {
        synchronized (termLock) {
            return lease != null && ticker.getAsLong() - termDeadline < 0;
        }
    }

    Optional<Lease> current() {
        synchronized (termLock) {
            return Optional.ofNullable(lease);
        }
    }

    Optional<String> lastHolder() {
        return Optional.ofNullable(lastHolder);
    }

    /**
     * On the calling thread, renews the lease if a renewal is due, or asks for it while standing by: for a caller
     * that drives the tracker with a scheduler that runs nothing.
     */
    void refresh() {
        int current;
        boolean renewDue;
        synchronized (termLock) {
            current = session;
            renewDue = lease != null && ticker.getAsLong() - renewDueAt >= 0;
        }
        if (renewDue) {
            renew(current);
        } else {
            acquire(current);
        }
    }

    /**
     * Tracker lock held, not running. Asks for the lease; runs when granted, else stands by and asks again later. On
     * the first attempt ({@link LogTracker#start}) a failure to run after the lease was granted releases it and is thrown.
     */
    void take(int current, boolean first) {
        long sent = ticker.getAsLong();
        Optional<Lease> granted;
        try {
            granted = store.tryAcquire(consumer, owner, duration);
        } catch (RuntimeException e) {
            if (firstStoreFailure()) {
                log.warn("Log tracker '{}' stands by: its lease store cannot be reached ({}); asking again every {} ms or so",
                        consumer, e.getMessage(), renewInterval.toMillis());
            } else {
                log.debug("Log tracker '{}' still cannot reach its lease store", consumer, e);
            }
            scheduleAcquire(current);
            return;
        }
        if (granted.isEmpty()) {
            standBy(first);
            scheduleAcquire(current);
            return;
        }
        Lease took = granted.get();
        synchronized (termLock) {
            lease = took;
            termDeadline = sent + duration.toNanos();
            renewDueAt = sent + renewInterval.toNanos();
            storeFailureLogged = false;
        }
        try {
            runner.run();
        } catch (RuntimeException e) {
            synchronized (termLock) {
                lease = null;
            }
            release(took);
            if (first) {
                throw e;
            }
            log.warn("Log tracker '{}' took its lease but could not start ({}); asking again later", consumer, e.getMessage(), e);
            scheduleAcquire(current);
            return;
        }
        log.info("Log tracker '{}' took its lease as '{}' (token {}) and follows the log from position {}",
                consumer, owner, took.token(), runner.position());
        synchronized (termLock) {
            scheduleRenewal(current, renewInterval);
            scheduleExpiry(current);
        }
        if (!first) {
            runner.resumed();
        }
    }

    private void standBy(boolean first) {
        String holder = null;
        try {
            holder = store.current(consumer).map(Lease::owner).orElse(null);
        } catch (RuntimeException e) {
            log.debug("Log tracker '{}' could not read who holds its lease", consumer, e);
        }
        if (first || !Objects.equals(holder, lastHolder)) {
            log.info("Log tracker '{}' stands by: {} holds its lease", consumer, holder != null ? "'" + holder + "'" : "another instance");
        }
        lastHolder = holder;
    }

    /** A standing-by tracker's next attempt to take the lease. */
    private void acquire(int current) {
        trackerLock.lock();
        try {
            if (!runner.isStarted() || runner.isRunning() || current != session) {
                return;
            }
            take(current, false);
        } finally {
            trackerLock.unlock();
        }
    }

    /** Renews the lease without waiting for a batch being handled; ends the term when the lease is lost. */
    private void renew(int current) {
        Lease held;
        synchronized (termLock) {
            if (current != session || lease == null) {
                return;
            }
            held = lease;
        }
        long sent = ticker.getAsLong();
        Optional<Lease> renewed;
        try {
            renewed = store.renew(held, duration);
        } catch (RuntimeException e) {
            boolean over;
            synchronized (termLock) {
                over = ticker.getAsLong() - termDeadline >= 0;
                if (!over && current == session && lease == held) {
                    scheduleRenewal(current, renewInterval.dividedBy(5));
                }
            }
            if (over) {
                lose(current, held, "it could not be renewed before its term ran out (" + e.getMessage() + ")");
            } else if (firstStoreFailure()) {
                log.warn("Log tracker '{}' could not renew its lease ({}); trying again until its term runs out", consumer, e.getMessage());
            } else {
                log.debug("Log tracker '{}' still cannot renew its lease", consumer, e);
            }
            return;
        }
        if (renewed.isEmpty()) {
            lose(current, held, "the lease store refused to renew it (another instance took it)");
            return;
        }
        synchronized (termLock) {
            if (current == session && lease == held) {
                lease = renewed.get();
                storeFailureLogged = false;
                termDeadline = sent + duration.toNanos();
                renewDueAt = sent + renewInterval.toNanos();
                scheduleRenewal(current, renewInterval);
                scheduleExpiry(current);
            }
        }
    }

    /** Ends the term when no renewal succeeded in time (the lease store hangs or cannot be reached). */
    private void expire(int current) {
        Lease held;
        synchronized (termLock) {
            if (current != session || lease == null || ticker.getAsLong() - termDeadline < 0) {
                return;
            }
            held = lease;
        }
        lose(current, held, "no renewal succeeded within its duration of " + duration.toMillis() + " ms");
    }

    /** The term of {@code held} is over: nothing more is stored under it; stop following the log and stand by. */
    private void lose(int current, Lease held, String why) {
        synchronized (termLock) {
            if (current != session || lease != held) {
                return;
            }
            lease = null;
            storeFailureLogged = false;
            cancelTasks();
        }
        if (renewals != scheduler) {
            // The renewals' thread serves other trackers too: it never waits for this one's batch.
            scheduler.schedule(() -> halt(current, held, why), Duration.ZERO);
        } else {
            halt(current, held, why);
        }
    }

    /** Stops following the log after the term of {@code held} ended, and stands by. */
    private void halt(int current, Lease held, String why) {
        // waits for a batch being handled, which can no longer store its checkpoint
        trackerLock.lock();
        try {
            if (current != session || !runner.isStarted()) {
                return;
            }
            runner.halt();
            log.info("Log tracker '{}' lost its lease (token {}): {}; standing by at checkpoint {}",
                    consumer, held.token(), why, runner.checkpointed());
            scheduleAcquire(current);
        } finally {
            trackerLock.unlock();
        }
    }

    private boolean firstStoreFailure() {
        synchronized (termLock) {
            boolean first = !storeFailureLogged;
            storeFailureLogged = true;
            return first;
        }
    }

    private void release(Lease held) {
        try {
            store.release(held);
            log.info("Log tracker '{}' released its lease (token {})", consumer, held.token());
        } catch (RuntimeException e) {
            log.warn("Log tracker '{}' could not release its lease (token {}): another instance takes over when it runs out in {} ms",
                    consumer, held.token(), duration.toMillis(), e);
        }
    }

    /** Jittered between a sixth and half of the duration, so that standing-by owners do not ask in step. */
    private void scheduleAcquire(int current) {
        long base = renewInterval.toNanos();
        Duration delay = Duration.ofNanos(base / 2 + (long) (random.nextDouble() * base));
        schedule(scheduler, () -> acquire(current), delay, true);
    }

    private void scheduleRenewal(int current, Duration delay) {
        schedule(renewals, () -> renew(current), delay, true);
    }

    private void scheduleExpiry(int current) {
        long left;
        synchronized (termLock) {
            left = Math.max(0, termDeadline - ticker.getAsLong());
        }
        schedule(renewals, () -> expire(current), Duration.ofNanos(left), false);
    }

    /** Replaces the pending task of its slot: one attempt to take or renew, and one check of the deadline. */
    private void schedule(TaskScheduler on, Runnable task, Duration delay, boolean leaseSlot) {
        synchronized (termLock) {
            TaskScheduler.Cancellable previous = leaseSlot ? leaseTask : expiryTask;
            if (previous != null) {
                previous.cancel();
            }
            TaskScheduler.Cancellable next;
            try {
                next = on.schedule(task, delay);
            } catch (RuntimeException e) {
                log.error("Log tracker '{}' could not schedule its lease work; its lease runs out", consumer, e);
                next = null;
            }
            if (leaseSlot) {
                leaseTask = next;
            } else {
                expiryTask = next;
            }
        }
    }

    /** termLock held. */
    private void cancelTasks() {
        if (leaseTask != null) {
            leaseTask.cancel();
            leaseTask = null;
        }
        if (expiryTask != null) {
            expiryTask.cancel();
            expiryTask = null;
        }
    }
}
