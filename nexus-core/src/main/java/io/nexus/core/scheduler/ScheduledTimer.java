package io.nexus.core.scheduler;

import java.time.Instant;
import java.util.Objects;

/**
 * A wake-up call registered with a {@link Scheduler}.
 *
 * @param id     unique among the owner's timers; scheduling the same id again replaces the earlier timer
 * @param owner  who is woken (a saga name, a process manager); timers of different owners never mix
 * @param dueAt  when the timer becomes due
 * @param data   what the owner needs to act on it (a saga id and step, for example); may be empty, never null
 */
public record ScheduledTimer(String id, String owner, Instant dueAt, String data) {

    public ScheduledTimer {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("timer id must not be blank, but was '" + id + "'");
        }
        if (owner == null || owner.isBlank()) {
            throw new IllegalArgumentException("timer owner must not be blank, but was '" + owner + "' for timer '" + id + "'");
        }
        Objects.requireNonNull(dueAt, "dueAt");
        data = data == null ? "" : data;
    }

    /** Whether the timer is due at {@code now}. */
    public boolean isDueAt(Instant now) {
        return !dueAt.isAfter(now);
    }
}
