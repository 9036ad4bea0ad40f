package io.nexus.core.temporal;

import java.util.List;

/**
 * Where temporal queries are recorded. Implementations are thread-safe. A log that fails to record makes
 * the query end in {@link AuditFailedException}: an unaudited historical read is never returned as a normal
 * result, but the exception keeps what the query came to.
 */
public interface AuditLog {

    /**
     * Stores {@code record} (not null) before the query's caller hears the outcome.
     *
     * @throws RuntimeException if it cannot be stored; a transient {@link io.nexus.core.NexusException} marks the
     *                          query as worth retrying
     */
    void record(AuditRecord record);

    /** The most recent records, newest last, at most {@code max}; never null. */
    List<AuditRecord> recent(int max);
}
