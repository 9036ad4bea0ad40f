package io.nexus.dynamodb;

import io.nexus.core.Nexus;
import io.nexus.core.aggregate.Aggregate;
import io.nexus.core.aggregate.AggregateDefinition;
import io.nexus.core.aggregate.EventSourcingHandler;
import io.nexus.core.command.CommandIdReusedException;
import io.nexus.core.command.CommandMetadata;
import io.nexus.core.command.CommandRejectedException;
import io.nexus.core.command.CommandResult;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.serialization.EventType;
import io.nexus.core.serialization.EventTypes;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Idempotent commands on DynamoDB: the command id is looked up in the stream's event-id guard items before
 * the decision, and concurrent twins meet at the append's transaction.
 */
class DynamoDbCommandIdempotencyTest {

    @EventType("Opened")
    record Opened(String owner) { }

    @EventType("Deposited")
    record Deposited(long amount) { }

    @EventType("Withdrawn")
    record Withdrawn(long amount) { }

    record Open(String id, String owner) { }

    record Deposit(String id, long amount) { }

    record Withdraw(String id, long amount) { }

    /** An account that refuses to go below zero. */
    static final class Wallet extends Aggregate {
        private long balance;

        void open(Open command) {
            apply(new Opened(command.owner()));
        }

        void deposit(Deposit command) {
            apply(new Deposited(command.amount()));
        }

        void withdraw(Withdraw command) {
            if (command.amount() > balance) {
                throw new CommandRejectedException("Wallet '" + id() + "' holds " + balance + ", cannot withdraw " + command.amount());
            }
            apply(new Withdrawn(command.amount()));
        }

        long balance() {
            return balance;
        }

        @EventSourcingHandler
        private void on(Opened e) {
        }

        @EventSourcingHandler
        private void on(Deposited e) {
            balance += e.amount();
        }

        @EventSourcingHandler
        private void on(Withdrawn e) {
            balance -= e.amount();
        }
    }

    private static Nexus nexus() {
        DynamoDbTables.Names tables = DynamoDbLocal.freshTables("idem");
        DynamoDbEventStore store = DynamoDbEventStore.builder(DynamoDbLocal.client()).tableName(tables.events()).build();
        return Nexus.builder()
                .eventStore(store)
                .eventTypes(EventTypes.builder().register(Opened.class).register(Deposited.class).register(Withdrawn.class).build())
                .snapshotExecutor(Runnable::run)
                .conflictRetry(RetryPolicy.custom().maxAttempts(20).initialDelay(Duration.ofMillis(1))
                        .maxDelay(Duration.ofMillis(20)).build())
                .aggregate(AggregateDefinition.of(Wallet.class, Wallet::new), routes -> routes
                        .create(Open.class, Open::id, Wallet::open)
                        .update(Deposit.class, Deposit::id, Wallet::deposit)
                        .update(Withdraw.class, Withdraw::id, Wallet::withdraw))
                .build();
    }

    @Test
    void resendsAnswerAlreadyAppliedAndAReusedIdIsRefused() {
        try (Nexus nexus = nexus()) {
            CommandMetadata open = CommandMetadata.withCommandId(UUID.randomUUID());
            nexus.commands().send(new Open("w-1", "ann"), open);
            assertTrue(nexus.commands().send(new Open("w-1", "ann"), open).alreadyApplied(), "a re-sent create");

            nexus.commands().send(new Deposit("w-1", 30));
            CommandMetadata withdraw = CommandMetadata.withCommandId(UUID.randomUUID());
            CommandResult first = nexus.commands().send(new Withdraw("w-1", 30), withdraw);
            CommandResult again = nexus.commands().send(new Withdraw("w-1", 30), withdraw);
            assertTrue(again.alreadyApplied(), "a re-sent withdrawal of the whole balance is not refused with 'holds 0'");
            assertEquals(ids(first.events()), ids(again.events()));
            assertEquals(3, again.version());

            CommandIdReusedException reused = assertThrows(CommandIdReusedException.class,
                    () -> nexus.commands().send(new Withdraw("w-1", 20), withdraw));
            assertEquals(withdraw.commandId(), reused.commandId());
            assertEquals(3, nexus.eventStore().currentVersion("w-1"));
        }
    }

    @Test
    void concurrentTwinsEachGetOneAppliedAndOneAlreadyApplied() throws Exception {
        int pairs = 40;
        try (Nexus nexus = nexus()) {
            List<UUID> creates = new ArrayList<>();
            List<UUID> withdrawals = new ArrayList<>();
            for (int i = 0; i < pairs; i++) {
                creates.add(UUID.randomUUID());
                withdrawals.add(UUID.randomUUID());
            }
            assertOneAppliedOneAlreadyApplied(runTwins(pairs, (i, twin) -> nexus.commands().send(
                    new Open("w-" + i, "ann"), CommandMetadata.withCommandId(creates.get(i)))));
            for (int i = 0; i < pairs; i++) {
                nexus.commands().send(new Deposit("w-" + i, 10));
            }
            assertOneAppliedOneAlreadyApplied(runTwins(pairs, (i, twin) -> nexus.commands().send(
                    new Withdraw("w-" + i, 10), CommandMetadata.withCommandId(withdrawals.get(i)))));
            for (int i = 0; i < pairs; i++) {
                assertEquals(3, nexus.eventStore().currentVersion("w-" + i), "events of w-" + i);
                assertEquals(0, nexus.repository(Wallet.class).load("w-" + i).balance(), "balance of w-" + i);
            }
        }
    }

    /** Runs twin 0 and twin 1 of each pair on two threads that meet at a barrier before every pair. */
    private static List<List<Object>> runTwins(int pairs, BiFunction<Integer, Integer, CommandResult> send) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CyclicBarrier barrier = new CyclicBarrier(2);
        try {
            List<Future<List<Object>>> sides = new ArrayList<>();
            for (int side = 0; side < 2; side++) {
                int twin = side;
                sides.add(pool.submit(() -> {
                    List<Object> results = new ArrayList<>(pairs);
                    for (int i = 0; i < pairs; i++) {
                        barrier.await(60, TimeUnit.SECONDS);
                        try {
                            results.add(send.apply(i, twin));
                        } catch (RuntimeException e) {
                            results.add(e);
                        }
                    }
                    return results;
                }));
            }
            List<Object> left = sides.get(0).get(300, TimeUnit.SECONDS);
            List<Object> right = sides.get(1).get(300, TimeUnit.SECONDS);
            List<List<Object>> byPair = new ArrayList<>(pairs);
            for (int i = 0; i < pairs; i++) {
                byPair.add(List.of(left.get(i), right.get(i)));
            }
            return byPair;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertOneAppliedOneAlreadyApplied(List<List<Object>> outcomes) {
        for (int i = 0; i < outcomes.size(); i++) {
            List<Object> pair = outcomes.get(i);
            CommandResult a = assertInstanceOf(CommandResult.class, pair.get(0), "pair " + i + ": " + pair);
            CommandResult b = assertInstanceOf(CommandResult.class, pair.get(1), "pair " + i + ": " + pair);
            assertEquals(1, (a.alreadyApplied() ? 0 : 1) + (b.alreadyApplied() ? 0 : 1),
                    "pair " + i + " must have exactly one applied: " + pair);
            assertEquals(ids(a.events()), ids(b.events()), "both twins report the same events, pair " + i);
        }
    }

    private static List<UUID> ids(List<EventEnvelope> events) {
        return events.stream().map(EventEnvelope::eventId).toList();
    }
}
