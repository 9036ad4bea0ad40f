package io.nexus.core.scheduler;

import java.time.Instant;
import java.util.List;

/**
 * The scheduler port: remembers when an owner wants to be woken, and hands back the timers that are
 * due. It never calls anyone by itself: the owner asks for {@link #due} on its own thread (each time its
 * clock ticks or it polls), acts, then {@link #cancel cancels} the timer. A timer therefore stays pending
 * until its owner has handled it, so a crash between "due" and "handled" re-delivers it: owners must
 * handle a timer idempotently.
 *
 * <p>A durable implementation keeps pending timers across restarts (the saga module's
 * {@code EventStoreScheduler} records them as events in the event store, {@code DynamoDbScheduler} keeps
 * them in a table); {@link InMemoryScheduler} is the embedded one. Every implementation passes the test
 * kit's {@code SchedulerContract}. Time is whatever instant the
 * owner passes in: the scheduler reads no clock, so a controllable clock in tests moves timers too.
 *
 * <p>Implementations are thread-safe.
 */
public interface Scheduler {

    /**
     * Registers {@code timer}, replacing a pending timer of the same owner and id. Scheduling a timer
     * identical to a pending one is a no-op.
     *
     * @throws NullPointerException if {@code timer} is null
     * @throws io.nexus.core.NexusException if the timer could not be stored (transient when the store is)
     */
    void schedule(ScheduledTimer timer);

    /**
     * Removes the pending timer {@code id} of {@code owner}; harmless when there is none.
     *
     * @throws io.nexus.core.NexusException if the removal could not be stored
     */
    void cancel(String owner, String id);

    /**
     * The pending timers of {@code owner} due at or before {@code now}, earliest first (ties by id), at
     * most {@code maxCount}. They stay pending until cancelled.
     *
     * @throws IllegalArgumentException if {@code maxCount} is negative
     */
    List<ScheduledTimer> due(String owner, Instant now, int maxCount);

    /** Every pending timer of {@code owner}, earliest first (ties by id). */
    List<ScheduledTimer> pending(String owner);
}
