package io.nexus.core;

import io.nexus.core.bus.BusPath;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.deadletter.InMemoryDeadLetterQueue;
import io.nexus.core.bus.InMemoryEventBus;
import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.notification.Notification;
import io.nexus.core.projection.ProcessingMode;
import io.nexus.core.projection.Projection;
import io.nexus.core.projection.ProjectionHealth;
import io.nexus.core.projection.ProjectionProcessor;
import io.nexus.core.projection.TypedProjection;
import io.nexus.core.readmodel.ReadModelStore;
import io.nexus.core.serialization.UnknownEventTypeException;
import io.nexus.core.testdomain.Account;
import io.nexus.core.testdomain.Accounts;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The read side assembled on the builder: projections by event class, notifications, the bus fed by one router. */
class NexusReadSideTest {

    /** Balances by account, kept by a projection that declares its handlers by event class. */
    static final class Balances extends TypedProjection {
        final ReadModelStore<Long> balances;

        Balances(ReadModelStore<Long> balances) {
            super("balances");
            this.balances = balances;
            on(Account.Opened.class, (event, envelope) -> balances.put(envelope.streamId(), 0L, envelope.version()));
            on(Account.Deposited.class, (event, envelope) -> add(envelope, event.amount()));
            on(Account.Withdrawn.class, (event, envelope) -> add(envelope, -event.amount()));
        }

        private void add(EventEnvelope envelope, long amount) {
            long current = balances.get(envelope.streamId()).orElseThrow().value();
            balances.put(envelope.streamId(), current + amount, envelope.version());
        }
    }

    private static long balance(Nexus nexus, String id) {
        return nexus.readModels().store("balances", Long.class).get(id).map(v -> v.value()).orElse(-1L);
    }

    @Test
    void aProjectionDeclaresItsHandlersByEventClassAndGetsTheTypeNamesFromTheApplication() throws Exception {
        try (Nexus nexus = Accounts.nexus()
                .projection(context -> new Balances(context.readModels().store("balances", Long.class)),
                        options -> options.mode(ProcessingMode.INLINE))
                .build()) {
            nexus.start();
            nexus.commands().send(new Account.Open("acc-1", "ann"));
            nexus.commands().send(new Account.Deposit("acc-1", 70));
            nexus.commands().send(new Account.Withdraw("acc-1", 30));
            Awaiting.until("the balance is 40", () -> balance(nexus, "acc-1") == 40);
            assertEquals(Set.of("AccountOpened", "Deposited", "Withdrawn"), Set.copyOf(new Balances(
                    nexus.readModels().store("other", Long.class)).bind(nexus.codec().types()).eventTypes()));
            assertEquals(ProjectionHealth.Status.RUNNING, nexus.projection("balances").health().status());
        }
    }

    @Test
    void aHandlerBuiltInlineSeesTheDecodedEventOfItsClass() throws Exception {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        TypedProjection owners = Projection.handling("owners")
                .on(Account.Opened.class, (event, envelope) -> seen.add(envelope.streamId() + ":" + event.owner()))
                .build();
        try (Nexus nexus = Accounts.nexus().projection(owners).build()) {
            nexus.commands().send(new Account.Open("acc-1", "ann"));
            nexus.commands().send(new Account.Deposit("acc-1", 5));
            nexus.start();
            nexus.commands().send(new Account.Open("acc-2", "bob"));
            Awaiting.until("both openings are seen", () -> seen.size() == 2);
            assertEquals(List.of("acc-1:ann", "acc-2:bob"), seen);
            assertEquals(List.of("owners"), nexus.projections().stream().map(ProjectionProcessor::name).toList(),
                    "the application lists its projections' processors");
        }
    }

    record Unregistered(String note) {
    }

    @Test
    void aHandlerOfAClassTheApplicationDoesNotRegisterIsAStartupErrorNamingIt() {
        TypedProjection projection = Projection.handling("notes")
                .on(Account.Opened.class, (event, envelope) -> { })
                .on(Unregistered.class, (event, envelope) -> { })
                .build();
        UnknownEventTypeException e = assertThrows(UnknownEventTypeException.class,
                () -> Accounts.nexus().projection(projection).build());
        assertEquals(Unregistered.class.getName(), e.eventType());
        assertTrue(e.getMessage().startsWith("Projection 'notes' handles " + Unregistered.class.getName()
                + ", which the application's event types do not register"), e.getMessage());
    }

    @Test
    void aClassHasOneHandler() {
        TypedProjection.Builder builder = Projection.handling("twice").on(Account.Opened.class, (event, envelope) -> { });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> builder.on(Account.Opened.class, (event, envelope) -> { }));
        assertTrue(e.getMessage().contains("already has a handler for " + Account.Opened.class.getName()), e.getMessage());
    }

    @Test
    void projectionsThatAskForNotificationsTellTheApplicationsHub() {
        TypedProjection quiet = Projection.handling("quiet").on(Account.Deposited.class, (event, envelope) -> { }).build();
        TypedProjection loud = Projection.handling("loud").on(Account.Opened.class, (event, envelope) -> { }).build();
        try (Nexus nexus = Accounts.nexus().notifications()
                .projection(quiet)
                .projection(loud, options -> options.mode(ProcessingMode.INLINE).notifications())
                .build()) {
            nexus.start();
            long version = nexus.commands().send(new Account.Open("acc-1", "ann")).version();
            Notification seen = nexus.notifications().waitForVersion("acc-1", version, Duration.ofSeconds(10));
            assertEquals("loud", seen.projection());
            nexus.commands().send(new Account.Deposit("acc-1", 5));
            assertEquals(1, nexus.notifications().latest("acc-1").orElseThrow().version(),
                    "the projection that did not ask for notifications tells the hub nothing");
        }
    }

    @Test
    void aProjectionAskingForNotificationsNeedsAHub() {
        TypedProjection loud = Projection.handling("loud").on(Account.Opened.class, (event, envelope) -> { }).build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Accounts.nexus().projection(loud, options -> options.notifications()).build());
        assertEquals("projection(s) [loud] ask for notifications, but no notification hub is configured; "
                + "add .notifications() to the builder", e.getMessage());
        assertThrows(IllegalStateException.class, () -> Accounts.nexus().build().notifications());
    }

    @Test
    void theBusIsFedByOneRouterFromTheStoreAndEveryEventArrivesOnce() throws Exception {
        InMemoryEventBus bus = InMemoryEventBus.builder().partitions(2).build();
        List<String> billed = Collections.synchronizedList(new ArrayList<>());
        Nexus nexus = Accounts.nexus()
                .eventBus(bus, consumers -> consumers.consumer("billing", BusPath.PRIMARY, e -> billed.add(e.idempotencyKey())))
                .build();
        try (nexus) {
            nexus.commands().send(new Account.Open("acc-1", "ann"));
            nexus.start();
            nexus.commands().send(new Account.Deposit("acc-1", 10));
            nexus.commands().send(new Account.Open("acc-2", "bob"));
            nexus.commands().send(new Account.Withdraw("acc-1", 4));
            Awaiting.until("four events reach billing", () -> billed.size() >= 4);
            Awaiting.until("the router checkpoints the last position", () -> nexus.checkpoints().load("event-router/default", Checkpoint.GLOBAL)
                    .map(Checkpoint::positionAsLong).orElse(0L) == 4);
            // A fifth event marks the end: nothing published twice arrives before it.
            nexus.commands().send(new Account.Deposit("acc-2", 1));
            Awaiting.until("the marker reaches billing", () -> billed.contains("acc-2@2"));
            List<String> acc1 = billed.stream().filter(k -> k.startsWith("acc-1@")).toList();
            assertEquals(List.of("acc-1@1", "acc-1@2", "acc-1@3"), acc1, "in order, once each");
            assertEquals(5, billed.size(), billed.toString());
        }
        assertThrows(IllegalStateException.class, () -> bus.subscribe("late", BusPath.PRIMARY, e -> { }),
                "closing the application closed the bus");
    }

    @Test
    void aBusBuiltFromTheApplicationDeadLettersIntoTheApplicationsQueue() throws Exception {
        InMemoryDeadLetterQueue queue = new InMemoryDeadLetterQueue();
        Nexus nexus = Accounts.nexus()
                .deadLetterQueue(queue)
                .eventBus(context -> InMemoryEventBus.builder().deadLetters(context.deadLetters())
                                .checkpoints(context.checkpoints()).consumerRetry(RetryPolicy.attempts(2)).build(),
                        consumers -> consumers.consumer("billing", BusPath.PRIMARY, e -> {
                            if (e.idempotencyKey().equals("acc-1@2")) {
                                throw new IllegalStateException("billing refuses " + e.idempotencyKey());
                            }
                        }))
                .build();
        try (nexus) {
            nexus.start();
            nexus.commands().send(new Account.Open("acc-1", "ann"));
            nexus.commands().send(new Account.Deposit("acc-1", 10));
            Awaiting.until("the refused event is a dead letter in the application's queue", () -> queue.list("billing/primary").stream()
                    .anyMatch(letter -> letter.event().idempotencyKey().equals("acc-1@2")));
        }
    }

    @Test
    void theApplicationHasOneBus() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Accounts.nexus()
                .eventBus(InMemoryEventBus.create()).eventBus(InMemoryEventBus.create()));
        assertTrue(e.getMessage().startsWith("'eventBus' was already set to InMemoryEventBus by the application"), e.getMessage());
    }
}
