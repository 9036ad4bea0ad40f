package io.nexus.core.readmodel;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The embedded {@link ReadModelStore}: a concurrent map; the version check is atomic per key. Thread-safe. */
public final class InMemoryReadModelStore<V> implements ReadModelStore<V> {

    private final Map<String, Versioned<V>> byId = new ConcurrentHashMap<>();

    @Override
    public Optional<Versioned<V>> get(String id) {
        return Optional.ofNullable(byId.get(Objects.requireNonNull(id, "id")));
    }

    @Override
    public Map<String, Versioned<V>> getAll(Collection<String> ids) {
        Map<String, Versioned<V>> out = new LinkedHashMap<>();
        for (String id : ids) {
            Versioned<V> found = byId.get(Objects.requireNonNull(id, "id"));
            if (found != null) {
                out.put(id, found);
            }
        }
        return out;
    }

    @Override
    public boolean put(String id, V value, long version) {
        Versioned<V> candidate = new Versioned<>(id, value, version);
        boolean[] stored = {false};
        byId.compute(id, (key, current) -> {
            if (current != null && current.version() >= version) {
                return current;
            }
            stored[0] = true;
            return candidate;
        });
        return stored[0];
    }

    @Override
    public boolean delete(String id) {
        return byId.remove(Objects.requireNonNull(id, "id")) != null;
    }

    @Override
    public long count() {
        return byId.size();
    }
}
