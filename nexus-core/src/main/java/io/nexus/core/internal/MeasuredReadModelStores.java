package io.nexus.core.internal;

import io.nexus.core.observation.NexusMeters;
import io.nexus.core.readmodel.ReadModelStore;
import io.nexus.core.readmodel.ReadModelStores;
import io.nexus.core.readmodel.Versioned;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * The application's read-model stores with every query timed ({@link NexusMeters#READMODEL_QUERY}, tags
 * {@code store} and {@code operation}: get, getAll, count, and {@code outcome}), whatever the engine, so the
 * embedded stores are measured like the durable ones. Writes are not: projections' meters cover them. Not
 * part of the API.
 */
public final class MeasuredReadModelStores implements ReadModelStores {

    private final ReadModelStores delegate;
    private final NexusMetrics metrics;

    private MeasuredReadModelStores(ReadModelStores delegate, NexusMetrics metrics) {
        this.delegate = delegate;
        this.metrics = metrics;
    }

    /** {@code stores} measured on {@code metrics}; {@code stores} itself when nothing is recorded. */
    public static ReadModelStores of(ReadModelStores stores, NexusMetrics metrics) {
        return metrics.enabled() ? new MeasuredReadModelStores(stores, metrics) : stores;
    }

    @Override
    public <V> ReadModelStore<V> store(String name, Class<V> type) {
        return new Measured<>(name, delegate.store(name, type));
    }

    private final class Measured<V> implements ReadModelStore<V> {
        private final String name;
        private final ReadModelStore<V> store;

        Measured(String name, ReadModelStore<V> store) {
            this.name = name;
            this.store = store;
        }

        @Override
        public Optional<Versioned<V>> get(String id) {
            long started = System.nanoTime();
            String outcome = "failed";
            try {
                Optional<Versioned<V>> found = store.get(id);
                outcome = found.isPresent() ? "found" : "absent";
                return found;
            } finally {
                record("get", outcome, started);
            }
        }

        @Override
        public Map<String, Versioned<V>> getAll(Collection<String> ids) {
            long started = System.nanoTime();
            String outcome = "failed";
            try {
                Map<String, Versioned<V>> found = store.getAll(ids);
                outcome = "found";
                return found;
            } finally {
                record("getAll", outcome, started);
            }
        }

        @Override
        public boolean put(String id, V value, long version) {
            return store.put(id, value, version);
        }

        @Override
        public boolean delete(String id) {
            return store.delete(id);
        }

        @Override
        public long count() {
            long started = System.nanoTime();
            String outcome = "failed";
            try {
                long count = store.count();
                outcome = "found";
                return count;
            } finally {
                record("count", outcome, started);
            }
        }

        private void record(String operation, String outcome, long started) {
            metrics.timer(NexusMeters.READMODEL_QUERY, System.nanoTime() - started, "store", name, "operation", operation,
                    "outcome", outcome);
        }

        @Override
        public String toString() {
            return store.toString();
        }
    }
}
