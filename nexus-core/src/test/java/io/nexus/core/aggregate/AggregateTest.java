package io.nexus.core.aggregate;

import io.nexus.core.Nexus;
import io.nexus.core.serialization.EventType;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.testdomain.Account;
import io.nexus.core.testdomain.Accounts;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AggregateTest {

    @EventType("Pinged")
    record Pinged(int n) { }

    @EventType("Ponged")
    record Ponged(int n) { }

    static final class Explicit extends Aggregate {
        static final EventHandlers<Explicit> HANDLERS = EventHandlers.of(Explicit.class).on(Pinged.class, Explicit::pinged);
        int sum;

        Explicit() {
            super(HANDLERS);
        }

        void ping(int n) {
            apply(new Pinged(n));
        }

        void pong(int n) {
            apply(new Ponged(n));
        }

        private void pinged(Pinged e) {
            sum += e.n();
        }
    }

    static final class Twice extends Aggregate {
        @EventSourcingHandler
        void a(Pinged e) { }

        @EventSourcingHandler
        void b(Pinged e) { }
    }

    @Test
    void applyChangesStateAndRecordsUncommittedEventsInOrder() {
        Account account = Accounts.DEFINITION.newInstance("acc-1");
        account.open(new Account.Open("acc-1", "ann"));
        account.deposit(new Account.Deposit("acc-1", 30));
        assertEquals(30, account.balance());
        assertEquals(2, account.version());
        assertEquals(0, account.persistedVersion());
        assertEquals(List.of(new Account.Opened("ann"), new Account.Deposited(30)), account.uncommittedEvents());
        ((Aggregate) account).markCommitted(2);
        assertTrue(account.uncommittedEvents().isEmpty());
        assertEquals(2, account.persistedVersion());
    }

    @Test
    void explicitHandlersWorkWithoutAnnotations() {
        Explicit e = new Explicit();
        e.ping(2);
        e.ping(3);
        assertEquals(5, e.sum);
    }

    @Test
    void anEventWithoutHandlerIsAClearErrorNamingTheType() {
        Explicit e = new Explicit();
        MissingEventHandlerException ex = assertThrows(MissingEventHandlerException.class, () -> e.pong(1));
        assertTrue(ex.getMessage().contains(Ponged.class.getName()), ex.getMessage());
        assertTrue(ex.getMessage().contains("Explicit"), ex.getMessage());
        assertEquals(0, e.version(), "a refused event is not recorded");
    }

    @Test
    void twoHandlersForOneEventTypeFailOnFirstUse() {
        assertThrows(IllegalStateException.class, Twice::new);
    }

    @Test
    void aHandlerForAnUnregisteredEventTypeIsAStartupError() {
        EventTypes onlyPing = EventTypes.builder().register(Pinged.class).build();
        AggregateDefinition<Account> def = AggregateDefinition.of(Account.class, Account::new);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> AggregateRepository.builder(def, InMemoryEventStore.create(), EventCodec.jackson(onlyPing)).build());
        assertTrue(e.getMessage().contains("not a registered event type"), e.getMessage());
    }

    @Test
    void repositoryLoadsWhatItSaved() {
        try (Nexus nexus = Accounts.nexus().build()) {
            nexus.commands().send(new Account.Open("acc-1", "ann"));
            nexus.commands().send(new Account.Deposit("acc-1", 10));
            nexus.commands().send(new Account.Withdraw("acc-1", 4));
            Account loaded = nexus.repository(Account.class).load("acc-1");
            assertEquals(new Account.State("ann", 6, 2), loaded.state());
            assertEquals(3, loaded.version());
            assertTrue(nexus.repository(Account.class).find("nope").isEmpty());
        }
    }

    @Test
    void loadingAnAggregateThatDoesNotExistSaysSo() {
        try (Nexus nexus = Accounts.nexus().aggregateCache(10).build()) {
            AggregateRepository<Account> repository = nexus.repository(Account.class);
            AggregateNotFoundException e = assertThrows(AggregateNotFoundException.class, () -> repository.load("nope"));
            assertEquals("Account", e.aggregateType());
            assertEquals("nope", e.aggregateId());
            assertTrue(e.getMessage().startsWith("Account 'nope' does not exist"), e.getMessage());
            assertTrue(repository.find("nope").isEmpty());
            Account fresh = repository.loadOrNew("nope");
            assertTrue(fresh.isNew());
            assertEquals(0, fresh.version());

            nexus.commands().send(new Account.Open("acc-1", "ann"));
            assertEquals(1, repository.load("acc-1").version(), "served from the cache");
            assertEquals(1, repository.find("acc-1").orElseThrow().version());
            assertEquals(0, nexus.eventStore().currentVersion("nope"), "asking created nothing");
        }
    }

    @Test
    void temporalLoadsStopAtAVersionOrAnInstantAndRespectTheirBound() {
        io.nexus.core.testdomain.MutableClock clock = new io.nexus.core.testdomain.MutableClock();
        try (Nexus nexus = Accounts.nexus().clock(clock).build()) {
            nexus.commands().send(new Account.Open("acc-1", "ann"));
            java.time.Instant afterOpen = clock.instant();
            clock.advance(java.time.Duration.ofMinutes(1));
            nexus.commands().send(new Account.Deposit("acc-1", 10));
            clock.advance(java.time.Duration.ofMinutes(1));
            nexus.commands().send(new Account.Deposit("acc-1", 5));
            AggregateRepository<Account> repo = nexus.repository(Account.class);
            assertEquals(10, repo.loadAtVersion("acc-1", 2, 100).balance());
            assertEquals(0, repo.loadAsOf("acc-1", afterOpen, 100).balance());
            assertEquals(1, repo.loadAsOf("acc-1", afterOpen, 100).version());
            assertEquals(15, repo.loadAsOf("acc-1", clock.instant(), 100).balance());
            assertThrows(TemporalLimitExceededException.class, () -> repo.loadAtVersion("acc-1", 3, 2));
        }
    }
}
