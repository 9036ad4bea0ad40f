package io.nexus.core.readmodel;

/**
 * Key-value read-model stores by name: one engine family (in-memory, DynamoDB, PostgreSQL) gives every
 * projection of an application its own {@link ReadModelStore}. Asking twice for the same name and type
 * returns a store over the same data. Thread-safe.
 */
@FunctionalInterface
public interface ReadModelStores {

    /**
     * The store named {@code name} holding values of {@code type}.
     *
     * @param name not blank; letters, digits, '-', '_' and '.' only, so that every engine can use it in a key
     * @param type the class of the stored values; durable engines serialize them with Jackson
     * @throws IllegalArgumentException if the name is blank or holds other characters
     */
    <V> ReadModelStore<V> store(String name, Class<V> type);
}
