package io.nexus.core.command;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nexus.core.Nexus;
import io.nexus.core.aggregate.AggregateAlreadyExistsException;
import io.nexus.core.aggregate.AggregateNotFoundException;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.NewEvent;
import io.nexus.core.policy.PolicyDecision;
import io.nexus.core.policy.PolicyDeniedException;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.schema.SchemaViolationException;
import io.nexus.core.schema.Violation;
import io.nexus.core.store.ConcurrencyConflictException;
import io.nexus.core.store.EventStore;
import io.nexus.core.store.EventTooLargeException;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.store.StreamQuery;
import io.nexus.core.testdomain.Account;
import io.nexus.core.testdomain.Accounts;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandBusTest {

    @Test
    void commandsAppendEventsAndReturnTheNewVersion() {
        try (Nexus nexus = Accounts.nexus().build()) {
            CommandResult opened = nexus.commands().send(new Account.Open("acc-1", "ann"));
            assertEquals(1, opened.version());
            CommandResult deposited = nexus.commands().send(new Account.Deposit("acc-1", 10));
            assertEquals(2, deposited.version());
            assertEquals(1, deposited.events().size());
            assertEquals("Deposited", deposited.events().get(0).eventType());
            assertEquals("Account", deposited.events().get(0).aggregateType());
            assertEquals(1, deposited.attempts());
            assertFalse(deposited.alreadyApplied());
        }
    }

    @Test
    void metadataFlowsIntoEveryEvent() {
        try (Nexus nexus = Accounts.nexus().build()) {
            UUID commandId = UUID.randomUUID();
            CommandMetadata metadata = CommandMetadata.withCommandId(commandId).correlationId("req-9")
                    .attributes(Map.of("user", "ann"));
            EventEnvelope e = nexus.commands().send(new Account.Open("acc-1", "ann"), metadata).events().get(0);
            assertEquals("req-9", e.correlationId());
            assertEquals(commandId.toString(), e.causationId());
            assertEquals("ann", e.metadata().get("user"));
            assertEquals(Set.of("user", CommandMetadata.FINGERPRINT_KEY), e.metadata().keySet(),
                    "the first event also records the command's fingerprint");
            assertEquals(22, e.metadata().get(CommandMetadata.FINGERPRINT_KEY).length());
            assertEquals(metadata.eventId("acc-1", 0), e.eventId());
        }
    }

    @Test
    void badCommandsGetTypedErrorsAndChangeNothing() {
        try (Nexus nexus = Accounts.nexus().build()) {
            assertThrows(UnknownCommandException.class, () -> nexus.commands().send("not a command"));
            assertThrows(InvalidCommandException.class, () -> nexus.commands().send(null));
            InvalidCommandException blank = assertThrows(InvalidCommandException.class,
                    () -> nexus.commands().send(new Account.Open(" ", "ann")));
            assertTrue(blank.getMessage().contains("Open"), blank.getMessage());
            assertThrows(AggregateNotFoundException.class, () -> nexus.commands().send(new Account.Deposit("acc-1", 5)));
            nexus.commands().send(new Account.Open("acc-1", "ann"));
            assertThrows(AggregateAlreadyExistsException.class, () -> nexus.commands().send(new Account.Open("acc-1", "bob")));
            CommandRejectedException rejected = assertThrows(CommandRejectedException.class,
                    () -> nexus.commands().send(new Account.Withdraw("acc-1", 5)));
            assertTrue(rejected.getMessage().contains("acc-1"), rejected.getMessage());
            assertFalse(rejected.isTransient());
            assertEquals(1, nexus.eventStore().currentVersion("acc-1"));
            assertEquals(1, nexus.eventStore().headPosition());
        }
    }

    @Test
    void resendingAnAppliedCommandWithTheSameIdDoesNotApplyItTwice() {
        try (Nexus nexus = Accounts.nexus().build()) {
            nexus.commands().send(new Account.Open("acc-1", "ann"));
            CommandMetadata metadata = CommandMetadata.withCommandId(UUID.randomUUID());
            CommandResult first = nexus.commands().send(new Account.Deposit("acc-1", 10), metadata);
            nexus.commands().send(new Account.Deposit("acc-1", 1));
            CommandResult again = nexus.commands().send(new Account.Deposit("acc-1", 10), metadata);
            assertFalse(first.alreadyApplied());
            assertTrue(again.alreadyApplied());
            assertEquals(first.events(), again.events(), "the original outcome");
            assertEquals(2, again.version(), "the version the command was applied at");
            assertEquals(11, nexus.repository(Account.class).load("acc-1").balance());
        }
    }

    /** A store that lets another writer slip in before the first append of each stream's next command. */
    private static EventStore racingStore(InMemoryEventStore delegate, AtomicInteger races) {
        return new EventStore() {
            @Override
            public io.nexus.core.store.AppendResult append(String streamId, String aggregateType, ExpectedVersion expected,
                                                           List<NewEvent> events) {
                if (races.getAndDecrement() > 0) {
                    delegate.append(streamId, aggregateType, ExpectedVersion.any(),
                            List.of(NewEvent.of("Deposited", 1, io.nexus.core.event.EventPayload.ofJson("{\"amount\":100}"))));
                }
                return delegate.append(streamId, aggregateType, expected, events);
            }

            @Override
            public List<EventEnvelope> read(StreamQuery query) {
                return delegate.read(query);
            }

            @Override
            public long currentVersion(String streamId) {
                return delegate.currentVersion(streamId);
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
            public io.nexus.core.store.Subscription subscribe(io.nexus.core.store.AppendListener listener) {
                return delegate.subscribe(listener);
            }
        };
    }

    @Test
    void aConflictWithoutRetryCarriesStreamExpectedAndActualVersion() {
        InMemoryEventStore store = InMemoryEventStore.create();
        AtomicInteger races = new AtomicInteger(0);
        try (Nexus nexus = Accounts.nexus().eventStore(racingStore(store, races)).build()) {
            nexus.commands().send(new Account.Open("acc-1", "ann"));
            races.set(1);
            ConcurrencyConflictException e = assertThrows(ConcurrencyConflictException.class,
                    () -> nexus.commands().send(new Account.Deposit("acc-1", 5)));
            assertEquals("acc-1", e.streamId());
            assertEquals("1", e.expectedVersion());
            assertEquals(2, e.actualVersion());
            assertTrue(e.isTransient());
            assertTrue(e.getMessage().contains("Stream 'acc-1' expected version 1 but was 2"), e.getMessage());
            assertEquals(2, store.currentVersion("acc-1"), "only the other writer's event is stored");
        }
    }

    @Test
    void aConflictIsRetriedOnAFreshlyLoadedAggregateWithBackoff() {
        InMemoryEventStore store = InMemoryEventStore.create();
        AtomicInteger races = new AtomicInteger(0);
        List<Duration> waits = new ArrayList<>();
        RetryPolicy retry = RetryPolicy.custom().maxAttempts(3).initialDelay(Duration.ofMillis(10)).jitter(0).build();
        try (Nexus nexus = Accounts.nexus().eventStore(racingStore(store, races)).conflictRetry(retry)
                .sleeper(waits::add).build()) {
            nexus.commands().send(new Account.Open("acc-1", "ann"));
            races.set(2);
            CommandResult result = nexus.commands().send(new Account.Deposit("acc-1", 5));
            assertEquals(3, result.attempts());
            assertEquals(4, result.version(), "two racing events, then ours");
            assertEquals(List.of(Duration.ofMillis(10), Duration.ofMillis(20)), waits);
            assertEquals(205, nexus.repository(Account.class).load("acc-1").balance());
        }
    }

    @Test
    void concurrentCommandsOnOneAggregateAllApplyOnceWithRetries() throws Exception {
        try (Nexus nexus = Accounts.nexus().conflictRetry(RetryPolicy.custom().maxAttempts(200)
                .initialDelay(Duration.ZERO).maxDelay(Duration.ZERO).build()).build()) {
            nexus.commands().send(new Account.Open("acc-1", "ann"));
            int threads = 8;
            int perThread = 50;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        nexus.commands().send(new Account.Deposit("acc-1", 1));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            Account account = nexus.repository(Account.class).load("acc-1");
            assertEquals(threads * perThread, account.balance());
            assertEquals(1 + threads * perThread, account.version());
            List<EventEnvelope> events = nexus.eventStore().read(StreamQuery.stream("acc-1"));
            for (int i = 0; i < events.size(); i++) {
                assertEquals(i + 1, events.get(i).version());
            }
        }
    }

    @Test
    void failedGovernanceOrSizeChecksAppendNothing() {
        try (Nexus nexus = Accounts.nexus()
                .validator((stream, event) -> {
                    if (event.payload().asString().contains("666")) {
                        throw new SchemaViolationException(event.eventType(), event.schemaVersion(),
                                List.of(new Violation("/amount", "must not be 666")));
                    }
                })
                .policyEngine(request -> request.principal().containsKey("blocked")
                        ? PolicyDecision.deny("blocked users may not write") : PolicyDecision.allow())
                .eventStore(InMemoryEventStore.builder().maxEventSize(250).build())
                .build()) {
            nexus.commands().send(new Account.Open("acc-1", "ann"));
            SchemaViolationException schema = assertThrows(SchemaViolationException.class,
                    () -> nexus.commands().send(new Account.Deposit("acc-1", 666)));
            assertEquals("/amount", schema.violations().get(0).pointer());
            PolicyDeniedException denied = assertThrows(PolicyDeniedException.class, () -> nexus.commands().send(
                    new Account.Deposit("acc-1", 5), CommandMetadata.create().principal(Map.of("blocked", "yes"))));
            assertTrue(denied.getMessage().contains("blocked users may not write"), denied.getMessage());
            assertThrows(EventTooLargeException.class,
                    () -> nexus.commands().send(new Account.Open("acc-2", "x".repeat(500))));
            assertEquals(1, nexus.eventStore().headPosition(), "nothing but the first event was stored");
        }
    }

    @Test
    void aPolicyEngineThatFailsRefusesTheEvent() {
        try (Nexus nexus = Accounts.nexus().policyEngine(r -> {
            throw new IllegalStateException("engine down");
        }).build()) {
            io.nexus.core.NexusException e = assertThrows(io.nexus.core.NexusException.class,
                    () -> nexus.commands().send(new Account.Open("acc-1", "ann")));
            assertTrue(e.getMessage().contains("fail closed"), e.getMessage());
            assertEquals(0, nexus.eventStore().headPosition());
        }
    }

    @Test
    void theAggregateCacheSkipsReplaysButNeverServesAStaleVersion() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Nexus nexus = Accounts.nexus().aggregateCache(100).meterRegistry(registry).build()) {
            nexus.commands().send(new Account.Open("acc-1", "ann"));
            nexus.commands().send(new Account.Deposit("acc-1", 5));
            nexus.commands().send(new Account.Deposit("acc-1", 5));
            assertEquals(0, registry.get("nexus.aggregate.load.events").summary().totalAmount(), "no event replayed");
            assertTrue(nexus.repository(Account.class).cacheHitRate().orElseThrow() > 0.5);
            nexus.eventStore().append("acc-1", "Account", ExpectedVersion.exactly(3),
                    List.of(NewEvent.of("Deposited", 1, io.nexus.core.event.EventPayload.ofJson("{\"amount\":100}"))));
            assertThrows(CommandRejectedException.class, () -> nexus.commands().send(new Account.Withdraw("acc-1", 500)));
            CommandResult result = nexus.commands().send(new Account.Withdraw("acc-1", 110));
            assertEquals(5, result.version(), "decided on version 4, written by another writer behind the cache");
            assertEquals(0, nexus.repository(Account.class).load("acc-1").balance());
        }
    }

    @Test
    void metricsAreRecordedWhenARegistryIsGiven() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Nexus nexus = Accounts.nexus().meterRegistry(registry).build()) {
            nexus.commands().send(new Account.Open("acc-1", "ann"));
            nexus.commands().send(new Account.Deposit("acc-1", 3));
            assertThrows(CommandRejectedException.class, () -> nexus.commands().send(new Account.Withdraw("acc-1", 9)));
            assertEquals(1, registry.get("nexus.command").tags("command", "Deposit", "outcome", "success").timer().count());
            assertEquals(1, registry.get("nexus.command").tags("command", "Withdraw", "outcome", "rejected").timer().count());
            assertEquals(2, registry.get("nexus.append").tags("aggregate", "Account").timer().count());
            assertEquals(2, registry.get("nexus.append.batch.size").summary().totalAmount());
            assertEquals(3, registry.get("nexus.aggregate.load").timer().count());
            assertEquals(3, registry.get("nexus.aggregate.load.events").summary().totalAmount(), "0 + 1 + 2 events replayed");
        }
    }
}
