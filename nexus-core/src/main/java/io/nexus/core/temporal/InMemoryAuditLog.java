package io.nexus.core.temporal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/** The embedded audit log: the latest records in memory, up to a capacity (oldest dropped first). Thread-safe. */
public final class InMemoryAuditLog implements AuditLog {

    private final int capacity;
    private final Deque<AuditRecord> records = new ArrayDeque<>();

    public InMemoryAuditLog() {
        this(100_000);
    }

    public InMemoryAuditLog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, but was " + capacity);
        }
        this.capacity = capacity;
    }

    @Override
    public synchronized void record(AuditRecord record) {
        records.addLast(Objects.requireNonNull(record, "record"));
        if (records.size() > capacity) {
            records.removeFirst();
        }
    }

    @Override
    public synchronized List<AuditRecord> recent(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max must be >= 0, but was " + max);
        }
        List<AuditRecord> all = new ArrayList<>(records);
        return List.copyOf(all.subList(Math.max(0, all.size() - max), all.size()));
    }
}
