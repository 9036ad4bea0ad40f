package io.nexus.core.store;

/**
 * The event store port: append with optimistic concurrency, read a stream, read the global log, and
 * subscribe to appends. Split by role so that a component asks only for what it uses.
 *
 * <p>Implementations are thread-safe. The embedded {@link InMemoryEventStore} needs nothing
 * installed; adapters (DynamoDB, ...) implement the same contract, checked by the {@code
 * EventStoreContract} suite of {@code nexus-test-kit}.
 */
public interface EventStore extends AppendToStream, ReadStream, ReadAll, SubscribeToAppends {
}
