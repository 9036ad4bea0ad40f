package io.nexus.core.readmodel;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link ReadModelStore} that serves reads from a {@link NexusCache} in front of another store.
 * Writes go to the underlying store first and then drop the cached entry, so a reader never sees a
 * value older than the last completed write (a load racing with the write is waited for by the
 * invalidation). Absent ids are not cached. Thread-safe.
 *
 * <p>Only this instance's writes invalidate: if other processes write the same underlying store, give
 * the cache an {@link NexusCache.Builder#expireAfterWrite expiry} that bounds how stale reads may be.
 */
public final class CachingReadModelStore<V> implements ReadModelStore<V> {

    private final ReadModelStore<V> delegate;
    private final NexusCache<String, Versioned<V>> cache;

    public CachingReadModelStore(ReadModelStore<V> delegate, NexusCache<String, Versioned<V>> cache) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.cache = Objects.requireNonNull(cache, "cache");
    }

    /** The cache, for its hit rate and statistics. */
    public NexusCache<String, Versioned<V>> cache() {
        return cache;
    }

    @Override
    public Optional<Versioned<V>> get(String id) {
        return Optional.ofNullable(cache.get(id, key -> delegate.get(key).orElse(null)));
    }

    @Override
    public Map<String, Versioned<V>> getAll(Collection<String> ids) {
        Map<String, Versioned<V>> out = new LinkedHashMap<>();
        for (String id : ids) {
            get(id).ifPresent(found -> out.put(id, found));
        }
        return out;
    }

    @Override
    public boolean put(String id, V value, long version) {
        boolean stored = delegate.put(id, value, version);
        if (stored) {
            cache.invalidate(id);
        }
        return stored;
    }

    @Override
    public boolean delete(String id) {
        boolean deleted = delegate.delete(id);
        cache.invalidate(id);
        return deleted;
    }

    @Override
    public long count() {
        return delegate.count();
    }
}
