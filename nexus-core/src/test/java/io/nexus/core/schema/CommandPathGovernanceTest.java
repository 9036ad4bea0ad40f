package io.nexus.core.schema;

import io.nexus.core.Nexus;
import io.nexus.core.aggregate.Aggregate;
import io.nexus.core.aggregate.AggregateDefinition;
import io.nexus.core.aggregate.EventSourcingHandler;
import io.nexus.core.serialization.EventType;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.store.StreamQuery;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Governance on the command path: what the registry refuses is never appended. */
class CommandPathGovernanceTest {

    @EventType(value = "AccountOpened", version = 1)
    public record AccountOpened(String accountId, String owner, long limit) {
    }

    @EventType(value = "AccountClosed", version = 1)
    public record AccountClosed(String accountId) {
    }

    public record Open(String accountId, String owner, long limit) {
    }

    public record Close(String accountId) {
    }

    public static final class Account extends Aggregate {
        void open(Open c) {
            apply(new AccountOpened(c.accountId(), c.owner(), c.limit()));
        }

        void close(Close c) {
            apply(new AccountClosed(c.accountId()));
        }

        @EventSourcingHandler
        private void on(AccountOpened e) {
        }

        @EventSourcingHandler
        private void on(AccountClosed e) {
        }
    }

    private static final String OPENED_V1 = """
            {"type":"object","properties":{"accountId":{"type":"string"},"owner":{"type":"string","minLength":1},
             "limit":{"type":"integer","minimum":0}},"required":["accountId","owner","limit"],"additionalProperties":false}""";

    private Nexus nexus(SchemaRegistry registry) {
        return Nexus.builder()
                .eventTypes(EventTypes.builder().register(AccountOpened.class).register(AccountClosed.class).build())
                .aggregate(AggregateDefinition.of(Account.class, Account::new), routes -> routes
                        .create(Open.class, Open::accountId, Account::open)
                        .update(Close.class, Close::accountId, Account::close))
                .validator(SchemaRegistryEventValidator.builder(registry).build())
                .build();
    }

    @Test
    void aConformingEventIsAppendedAndAViolatingOneIsNot() {
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.create();
        registry.register("AccountOpened", OPENED_V1);
        try (Nexus nexus = nexus(registry)) {
            nexus.commands().send(new Open("acc-1", "ada", 100));

            SchemaViolationException e = assertThrows(SchemaViolationException.class,
                    () -> nexus.commands().send(new Open("acc-2", "", -5)));

            assertEquals("AccountOpened", e.eventType());
            assertEquals(1, e.schemaVersion());
            assertEquals(java.util.List.of("/limit", "/owner"), e.violations().stream().map(Violation::pointer).toList());
            assertEquals(1, nexus.eventStore().read(StreamQuery.stream("acc-1")).size());
            assertEquals(0, nexus.eventStore().read(StreamQuery.stream("acc-2")).size());
        }
    }

    @Test
    void anEventTypeWithoutARegisteredSchemaIsRefused() {
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.create();
        registry.register("AccountOpened", OPENED_V1);
        try (Nexus nexus = nexus(registry)) {
            nexus.commands().send(new Open("acc-1", "ada", 100));

            UnknownSchemaException e = assertThrows(UnknownSchemaException.class, () -> nexus.commands().send(new Close("acc-1")));

            assertEquals("AccountClosed", e.eventType());
            assertEquals(1, nexus.eventStore().read(StreamQuery.stream("acc-1")).size());
        }
    }
}
