package io.nexus.core.readmodel;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.nexus.core.internal.NexusMetrics;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A bounded in-process cache (Caffeine) for read models and loaded aggregates, with its hit rate exposed
 * through {@link #hitRate()} and, when a meter registry is configured, as the Micrometer cache meters
 * ({@code cache.gets{result=hit|miss}}, {@code cache.size}, {@code cache.evictions}, tagged
 * {@code cache=<name>}).
 *
 * <p>Cache only immutable values, or copies: a cached object is shared by every reader. For aggregates,
 * cache an immutable state (or a snapshot) keyed by id and check the stream's current version before
 * using it. Thread-safe; a loader runs at most once at a time per key.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class NexusCache<K, V> {

    private final String name;
    private final Cache<K, V> cache;

    private NexusCache(Builder b) {
        this.name = b.name;
        Caffeine<Object, Object> caffeine = Caffeine.newBuilder().maximumSize(b.maximumSize).recordStats();
        if (b.expireAfterWrite != null) {
            caffeine.expireAfterWrite(b.expireAfterWrite);
        }
        this.cache = caffeine.build();
        NexusMetrics metrics = NexusMetrics.of(b.meterRegistry);
        if (metrics.enabled()) {
            CaffeineCacheMetrics.monitor(b.meterRegistry, cache, name);
            metrics.gauge(io.nexus.core.observation.NexusMeters.CACHE_HIT_RATIO, cache, c -> c.stats().hitRate(), "cache", name);
        }
    }

    /** A builder for a cache named {@code name} (the {@code cache} tag of its meters). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    /** The cached value of {@code key}, loading it with {@code loader} on a miss (a {@code null} result is not cached). */
    public V get(K key, Function<? super K, ? extends V> loader) {
        Objects.requireNonNull(key, "key");
        return cache.get(key, loader);
    }

    /** The cached value of {@code key}, without loading; a lookup that counts as a hit or a miss. */
    public Optional<V> getIfPresent(K key) {
        return Optional.ofNullable(cache.getIfPresent(Objects.requireNonNull(key, "key")));
    }

    /**
     * Removes and returns the cached value of {@code key}: a lookup that counts as a hit or a miss, after
     * which the caller holds the value alone (two concurrent takes never get the same value).
     */
    public Optional<V> take(K key) {
        V value = cache.getIfPresent(Objects.requireNonNull(key, "key"));
        if (value == null || !cache.asMap().remove(key, value)) {
            return Optional.empty();
        }
        return Optional.of(value);
    }

    public void put(K key, V value) {
        cache.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    }

    /** Drops {@code key}; waits for a load of the same key in progress, so a stale load never survives it. */
    public void invalidate(K key) {
        cache.invalidate(Objects.requireNonNull(key, "key"));
    }

    public void invalidateAll() {
        cache.invalidateAll();
    }

    /** Hits divided by lookups since creation; 1.0 before the first lookup. */
    public double hitRate() {
        return cache.stats().hitRate();
    }

    /** Hit, miss, load and eviction counts since creation. */
    public CacheStats stats() {
        return cache.stats();
    }

    /** Performs pending maintenance (evictions beyond the maximum size, expiries) now rather than later. */
    public void cleanUp() {
        cache.cleanUp();
    }

    /** The approximate number of entries. */
    public long size() {
        return cache.estimatedSize();
    }

    /** Options for {@link NexusCache}. */
    public static final class Builder {
        private final String name;
        private long maximumSize = 10_000;
        private @Nullable Duration expireAfterWrite;
        private @Nullable MeterRegistry meterRegistry;

        private Builder(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("cache name must not be blank, but was '" + name + "'");
            }
            this.name = name;
        }

        /** The most entries kept (least recently and frequently used go first); 10,000 by default. */
        public Builder maximumSize(long value) {
            if (value < 0) {
                throw new IllegalArgumentException("maximumSize must be >= 0, but was " + value);
            }
            this.maximumSize = value;
            return this;
        }

        /** How long an entry lives after it was written; forever by default. */
        public Builder expireAfterWrite(Duration value) {
            Objects.requireNonNull(value, "expireAfterWrite");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("expireAfterWrite must be positive, but was " + value);
            }
            this.expireAfterWrite = value;
            return this;
        }

        /** Where to publish the cache meters; nowhere by default. */
        public Builder meterRegistry(MeterRegistry value) {
            this.meterRegistry = Objects.requireNonNull(value, "meterRegistry");
            return this;
        }

        public <K, V> NexusCache<K, V> build() {
            return new NexusCache<>(this);
        }
    }
}
