package io.nexus.core.temporal;

import java.util.List;

/**
 * Where temporal queries are recorded. Implementations are thread-safe. A log that fails to record makes
 * the query end in {@link AuditFailedException}: an unaudited historical read is never returned as a normal
 * result, but the exception keeps what the query came to.
 *
 * <p>Contract (the test kit's {@code AuditLogContract}): a record is visible to {@link #recent} once
 * {@link #record} returns, with every field, oldest first: in recording order, which for records stamped by
 * one clock is also the order of their {@link AuditRecord#at()} (a durable log that several processes share
 * orders by {@code at()}, records of the same instant in recording order). An embedded log may keep only
 * the latest records up to a capacity; a durable one keeps them across restarts.
 */
public interface AuditLog {

    /**
     * Stores {@code record} (not null) before the query's caller hears the outcome.
     *
     * @throws NullPointerException if {@code record} is null
     * @throws RuntimeException     if it cannot be stored; a transient {@link io.nexus.core.NexusException} marks the
     *                              query as worth retrying
     */
    void record(AuditRecord record);

    /**
     * The most recent records, newest last, at most {@code max}; never null.
     *
     * @throws IllegalArgumentException     if {@code max} is negative
     * @throws io.nexus.core.NexusException if the log cannot be read
     */
    List<AuditRecord> recent(int max);
}
