package io.nexus.core.scheduler;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded {@link Scheduler}: per owner, the pending timers by id and the same timers sorted by due
 * time. Timers live as long as the instance, which suits tests and applications whose timers need not
 * survive a restart. Thread-safe; the two views of one owner change together under that owner's lock.
 */
public final class InMemoryScheduler implements Scheduler {

    /** Earliest first, ties by id: the order {@link Scheduler#due} and {@link Scheduler#pending} promise. */
    static final Comparator<ScheduledTimer> ORDER =
            Comparator.comparing(ScheduledTimer::dueAt).thenComparing(ScheduledTimer::id);

    private final Map<String, Owner> owners = new ConcurrentHashMap<>();

    /** One owner's timers; guarded by the instance's monitor. */
    private static final class Owner {
        final Map<String, ScheduledTimer> byId = new java.util.HashMap<>();
        final TreeSet<ScheduledTimer> byDue = new TreeSet<>(ORDER);
    }

    @Override
    public void schedule(ScheduledTimer timer) {
        Objects.requireNonNull(timer, "timer");
        Owner owner = owners.computeIfAbsent(timer.owner(), o -> new Owner());
        synchronized (owner) {
            ScheduledTimer previous = owner.byId.put(timer.id(), timer);
            if (previous != null) {
                owner.byDue.remove(previous);
            }
            owner.byDue.add(timer);
        }
    }

    @Override
    public void cancel(String owner, String id) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(id, "id");
        Owner timers = owners.get(owner);
        if (timers == null) {
            return;
        }
        synchronized (timers) {
            ScheduledTimer removed = timers.byId.remove(id);
            if (removed != null) {
                timers.byDue.remove(removed);
            }
        }
    }

    @Override
    public List<ScheduledTimer> due(String owner, Instant now, int maxCount) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(now, "now");
        if (maxCount < 0) {
            throw new IllegalArgumentException("maxCount must be >= 0, but was " + maxCount);
        }
        Owner timers = owners.get(owner);
        if (timers == null || maxCount == 0) {
            return List.of();
        }
        List<ScheduledTimer> out = new ArrayList<>(Math.min(maxCount, 64));
        synchronized (timers) {
            for (ScheduledTimer timer : timers.byDue) {
                if (!timer.isDueAt(now) || out.size() == maxCount) {
                    break;
                }
                out.add(timer);
            }
        }
        return List.copyOf(out);
    }

    @Override
    public List<ScheduledTimer> pending(String owner) {
        Objects.requireNonNull(owner, "owner");
        Owner timers = owners.get(owner);
        if (timers == null) {
            return List.of();
        }
        synchronized (timers) {
            return List.copyOf(timers.byDue);
        }
    }
}
