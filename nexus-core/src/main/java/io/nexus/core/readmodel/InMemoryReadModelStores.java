package io.nexus.core.readmodel;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** The embedded {@link ReadModelStores}: one {@link InMemoryReadModelStore} per name, kept as long as this instance. */
public final class InMemoryReadModelStores implements ReadModelStores {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

    private final Map<String, Named> stores = new ConcurrentHashMap<>();

    private record Named(Class<?> type, ReadModelStore<?> store) {
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V> ReadModelStore<V> store(String name, Class<V> type) {
        requireName(name);
        Objects.requireNonNull(type, "type");
        Named named = stores.computeIfAbsent(name, n -> new Named(type, new InMemoryReadModelStore<V>()));
        if (!named.type().equals(type)) {
            throw new IllegalArgumentException("read-model store '" + name + "' holds " + named.type().getName()
                    + ", not " + type.getName() + "; give each read model its own name");
        }
        return (ReadModelStore<V>) named.store();
    }

    /**
     * Checks a store name for every engine's keys.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public static void requireName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("read-model store name must be letters, digits, '-', '_' or '.', but was '"
                    + name + "'");
        }
    }
}
