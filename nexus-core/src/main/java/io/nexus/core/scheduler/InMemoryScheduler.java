package io.nexus.core.scheduler;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded {@link Scheduler}: pending timers in memory, lost when the JVM stops. The default of a
 * {@code Nexus} without a durable engine family. Thread-safe.
 */
public final class InMemoryScheduler implements Scheduler {

    private static final Comparator<ScheduledTimer> ORDER =
            Comparator.comparing(ScheduledTimer::dueAt).thenComparing(ScheduledTimer::id);

    private final Map<String, Map<String, ScheduledTimer>> byOwner = new ConcurrentHashMap<>();

    @Override
    public void schedule(ScheduledTimer timer) {
        Objects.requireNonNull(timer, "timer");
        byOwner.computeIfAbsent(timer.owner(), o -> new ConcurrentHashMap<>()).put(timer.id(), timer);
    }

    @Override
    public void cancel(String owner, String id) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(id, "id");
        Map<String, ScheduledTimer> timers = byOwner.get(owner);
        if (timers != null) {
            timers.remove(id);
        }
    }

    @Override
    public List<ScheduledTimer> due(String owner, Instant now, int maxCount) {
        Objects.requireNonNull(now, "now");
        if (maxCount < 0) {
            throw new IllegalArgumentException("maxCount must be >= 0, but was " + maxCount);
        }
        return pending(owner).stream().filter(t -> t.isDueAt(now)).limit(maxCount).toList();
    }

    @Override
    public List<ScheduledTimer> pending(String owner) {
        Objects.requireNonNull(owner, "owner");
        Map<String, ScheduledTimer> timers = byOwner.get(owner);
        if (timers == null) {
            return List.of();
        }
        List<ScheduledTimer> result = new ArrayList<>(timers.values());
        result.sort(ORDER);
        return List.copyOf(result);
    }
}
