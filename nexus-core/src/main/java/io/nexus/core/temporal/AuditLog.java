package io.nexus.core.temporal;

import java.util.List;

/**
 * Where temporal queries are recorded. Implementations are thread-safe. A log that fails to record
 * makes the query fail: an unaudited historical read is not served.
 */
public interface AuditLog {

    /** Stores {@code record}. */
    void record(AuditRecord record);

    /** The most recent records, newest last, at most {@code max}. */
    List<AuditRecord> recent(int max);
}
