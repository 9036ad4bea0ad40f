package io.nexus.core.readmodel;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * The key-value read-model store port: where projections keep the documents queries read.
 *
 * <p>Contract: writes are conditional on the version, so that a projection that handles an event twice
 * (at-least-once delivery) or late never moves a read model backwards: {@link #put} stores only a
 * version greater than the stored one. A write is visible to every later read once it returns.
 * Implementations are thread-safe; values should be immutable (records are ideal), since an embedded
 * store hands out the stored instance. Arguments are never {@code null}.
 *
 * @param <V> the read model type
 */
public interface ReadModelStore<V> {

    /**
     * The read model stored under {@code id}, empty if there is none.
     *
     * @throws io.nexus.core.NexusException if the store cannot be reached (transient)
     */
    Optional<Versioned<V>> get(String id);

    /** The read models stored under any of {@code ids}, by id; absent ids are left out. */
    Map<String, Versioned<V>> getAll(Collection<String> ids);

    /**
     * Stores {@code value} as version {@code version} of {@code id}, if that is newer than what is stored.
     *
     * @return {@code true} if stored; {@code false} if the stored version was equal or newer (nothing changed)
     * @throws IllegalArgumentException     if {@code id} is blank or {@code version} is negative
     * @throws io.nexus.core.NexusException if the store cannot be reached (transient); nothing changed
     */
    boolean put(String id, V value, long version);

    /**
     * Removes the read model under {@code id}.
     *
     * @return whether there was one
     */
    boolean delete(String id);

    /** How many read models are stored. */
    long count();
}
