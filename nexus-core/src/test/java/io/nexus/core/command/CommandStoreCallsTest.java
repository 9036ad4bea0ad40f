package io.nexus.core.command;

import io.nexus.core.Nexus;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.AppendListener;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.EventStore;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.store.StreamQuery;
import io.nexus.core.store.StreamRead;
import io.nexus.core.store.Subscription;
import io.nexus.core.testdomain.Account;
import io.nexus.core.testdomain.Accounts;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a command asks the store before its append: one {@code readAndFind} (the load and the command-id lookup
 * together), which a remote store answers in one round trip, and nothing else.
 */
class CommandStoreCallsTest {

    @Test
    void aCommandLoadsAndLooksItsIdUpInOneStoreCall() {
        CountingStore store = new CountingStore();
        try (Nexus nexus = Accounts.nexus().eventStore(store).build()) {
            nexus.commands().send(new Account.Open("acc-1", "ann"));
            nexus.commands().send(new Account.Deposit("acc-1", 5));
            store.calls.clear();

            CommandMetadata metadata = CommandMetadata.withCommandId(UUID.randomUUID());
            CommandResult deposited = nexus.commands().send(new Account.Deposit("acc-1", 7), metadata);
            assertFalse(deposited.alreadyApplied());
            assertEquals(Map.of("readAndFind", 1, "append", 1), store.takeCalls(), "a new command");

            CommandResult again = nexus.commands().send(new Account.Deposit("acc-1", 7), metadata);
            assertTrue(again.alreadyApplied());
            assertEquals(deposited.events(), again.events(), "the earlier send's events");
            assertEquals(Map.of("readAndFind", 1), store.takeCalls(), "a re-send, answered from the load's events");
        }
    }

    @Test
    void aCachedAggregateIsCheckedAndItsCommandIdLookedUpInOneStoreCall() {
        CountingStore store = new CountingStore();
        try (Nexus nexus = Accounts.nexus().eventStore(store).aggregateCache(10).build()) {
            nexus.commands().send(new Account.Open("acc-1", "ann"));
            store.calls.clear();

            CommandMetadata metadata = CommandMetadata.withCommandId(UUID.randomUUID());
            nexus.commands().send(new Account.Deposit("acc-1", 7), metadata);
            assertEquals(Map.of("readAndFind", 1, "append", 1), store.takeCalls(), "a command on a cached aggregate");

            assertTrue(nexus.commands().send(new Account.Deposit("acc-1", 7), metadata).alreadyApplied());
            assertEquals(Map.of("readAndFind", 1), store.takeCalls(), "a re-send on a cached aggregate");

            try (Nexus other = Accounts.nexus().eventStore(store).build()) {
                other.commands().send(new Account.Deposit("acc-1", 100));
            }
            CommandResult after = nexus.commands().send(new Account.Deposit("acc-1", 1));
            assertEquals(4, after.version(), "appended after the other process's deposit, not in conflict with it");
            assertEquals(108, nexus.repository(Account.class).load("acc-1").balance(),
                    "a cached aggregate whose stream moved is loaded again");
        }
    }

    /** The embedded store, counting the calls of each port method; {@code readAndFind} is one call, as remote stores make it. */
    private static final class CountingStore implements EventStore {
        private final InMemoryEventStore delegate = InMemoryEventStore.create();
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

        Map<String, Integer> takeCalls() {
            Map<String, Integer> taken = new java.util.TreeMap<>();
            calls.forEach((name, count) -> taken.put(name, count.get()));
            calls.clear();
            return taken;
        }

        private void count(String name) {
            calls.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public AppendResult append(String streamId, String aggregateType, ExpectedVersion expected, List<NewEvent> events) {
            count("append");
            return delegate.append(streamId, aggregateType, expected, events);
        }

        @Override
        public List<EventEnvelope> read(StreamQuery query) {
            count("read");
            return delegate.read(query);
        }

        @Override
        public StreamRead readAndFind(StreamQuery query, UUID eventId) {
            count("readAndFind");
            return delegate.readAndFind(query, eventId);
        }

        @Override
        public long currentVersion(String streamId) {
            count("currentVersion");
            return delegate.currentVersion(streamId);
        }

        @Override
        public OptionalLong versionOf(String streamId, UUID eventId) {
            count("versionOf");
            return delegate.versionOf(streamId, eventId);
        }

        @Override
        public List<EventEnvelope> readAll(long fromPosition, int maxCount) {
            return delegate.readAll(fromPosition, maxCount);
        }

        @Override
        public long headPosition() {
            return delegate.headPosition();
        }

        @Override
        public Subscription subscribe(AppendListener listener) {
            return delegate.subscribe(listener);
        }
    }
}
