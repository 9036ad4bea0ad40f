package io.nexus.core.command;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nexus.core.Nexus;
import io.nexus.core.aggregate.AggregateDefinition;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.snapshot.SnapshotTrigger;
import io.nexus.core.testdomain.Account;
import io.nexus.core.testdomain.Accounts;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Re-sending a command id: the same command answers alreadyApplied, a different one is refused. */
class CommandIdempotencyTest {

    @Test
    void aResentCreateAnswersAlreadyAppliedWithTheOriginalOutcome() {
        try (Nexus nexus = Accounts.nexus().build()) {
            CommandMetadata metadata = CommandMetadata.withCommandId(UUID.randomUUID());
            CommandResult first = nexus.commands().send(new Account.Open("acc-1", "ann"), metadata);
            CommandResult again = nexus.commands().send(new Account.Open("acc-1", "ann"), metadata);

            assertFalse(first.alreadyApplied());
            assertTrue(again.alreadyApplied(), "a re-sent create is not an AggregateAlreadyExistsException");
            assertEquals(first.events(), again.events(), "the original events");
            assertEquals(1, again.version());
            assertEquals(1, nexus.eventStore().currentVersion("acc-1"), "nothing appended twice");
        }
    }

    @Test
    void aResentStateDependentCommandAnswersAlreadyAppliedAlthoughTheAggregateWouldNowRefuseIt() {
        try (Nexus nexus = Accounts.nexus().build()) {
            nexus.commands().send(new Account.Open("acc-1", "ann"));
            nexus.commands().send(new Account.Deposit("acc-1", 100));
            CommandMetadata metadata = CommandMetadata.withCommandId(UUID.randomUUID());
            CommandResult withdrawn = nexus.commands().send(new Account.Withdraw("acc-1", 100), metadata);
            nexus.commands().send(new Account.Deposit("acc-1", 7));

            CommandResult again = nexus.commands().send(new Account.Withdraw("acc-1", 100), metadata);
            assertTrue(again.alreadyApplied(), "not refused with 'holds 7'");
            assertEquals(withdrawn.events(), again.events());
            assertEquals(3, again.version(), "the version the withdrawal was applied at, not the stream's head");
            assertEquals(7, nexus.repository(Account.class).load("acc-1").balance());
        }
    }

    @Test
    void aCommandIdIsRecognisedBehindSnapshotsAndTheAggregateCache() {
        AggregateDefinition<Account> snapshotting = AggregateDefinition.builder(Account.class, Account::new)
                .snapshots(Account.State.class, 1, SnapshotTrigger.everyEvents(1)).build();
        try (Nexus nexus = Accounts.nexus(snapshotting).aggregateCache(10).build()) {
            CommandMetadata metadata = CommandMetadata.withCommandId(UUID.randomUUID());
            nexus.commands().send(new Account.Open("acc-1", "ann"));
            CommandResult deposited = nexus.commands().send(new Account.Deposit("acc-1", 5), metadata);
            for (int i = 0; i < 20; i++) {
                nexus.commands().send(new Account.Deposit("acc-1", 1));
            }
            CommandResult again = nexus.commands().send(new Account.Deposit("acc-1", 5), metadata);
            assertTrue(again.alreadyApplied(), "its events lie before the snapshot the load starts from");
            assertEquals(deposited.events(), again.events());
            assertEquals(25, nexus.repository(Account.class).load("acc-1").balance());
        }
    }

    @Test
    void aCommandIdReusedWithAnotherPayloadOrCommandIsRefusedNamingTheId() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Nexus nexus = Accounts.nexus().meterRegistry(registry).build()) {
            nexus.commands().send(new Account.Open("acc-1", "ann"));
            UUID commandId = UUID.randomUUID();
            CommandMetadata metadata = CommandMetadata.withCommandId(commandId);
            nexus.commands().send(new Account.Deposit("acc-1", 10), metadata);

            CommandIdReusedException otherAmount = assertThrows(CommandIdReusedException.class,
                    () -> nexus.commands().send(new Account.Deposit("acc-1", 20), metadata));
            assertEquals(commandId, otherAmount.commandId());
            assertEquals("Account", otherAmount.aggregateType());
            assertEquals("acc-1", otherAmount.aggregateId());
            assertEquals(2, otherAmount.appliedAtVersion());
            assertTrue(otherAmount.getMessage().startsWith("Command id '" + commandId + "' was already used by a different "
                    + "command on Account 'acc-1'"), otherAmount.getMessage());
            assertFalse(otherAmount.isTransient());

            assertThrows(CommandIdReusedException.class,
                    () -> nexus.commands().send(new Account.Withdraw("acc-1", 10), metadata), "another command class");
            assertTrue(nexus.commands().send(new Account.Deposit("acc-1", 10), metadata.correlationId("retry-2"))
                    .alreadyApplied(), "the fingerprint covers the command, not its metadata");
            assertEquals(2, nexus.eventStore().currentVersion("acc-1"), "nothing appended");
            assertEquals(2, registry.get("nexus.command").tags("command", "Deposit", "outcome", "success").timer().count()
                    + registry.get("nexus.command").tags("command", "Deposit", "outcome", "duplicate").timer().count());
            assertEquals(1, registry.get("nexus.command").tags("command", "Deposit", "outcome", "rejected").timer().count());
        }
    }

    @Test
    void aCommandIdIsRememberedPerAggregate() {
        try (Nexus nexus = Accounts.nexus().build()) {
            CommandMetadata metadata = CommandMetadata.withCommandId(UUID.randomUUID());
            nexus.commands().send(new Account.Open("acc-1", "ann"), metadata);
            CommandResult other = nexus.commands().send(new Account.Open("acc-2", "ann"), metadata);
            assertFalse(other.alreadyApplied(), "event ids derive from the command id and the aggregate id");
            assertEquals(1, nexus.eventStore().currentVersion("acc-2"));
        }
    }

    @Test
    void thousandsOfConcurrentTwinCreatesEachGetOneAppliedAndOneAlreadyApplied() throws Exception {
        int pairs = 1_000;
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            ids.add(UUID.randomUUID());
        }
        try (Nexus nexus = Accounts.nexus().build()) {
            List<List<Object>> outcomes = runTwins(pairs, i -> twin -> nexus.commands().send(
                    new Account.Open("acc-" + i, "ann"), CommandMetadata.withCommandId(ids.get(i))));
            assertEachPairIsOneAppliedOneAlreadyApplied(outcomes);
            for (int i = 0; i < pairs; i++) {
                assertEquals(1, nexus.eventStore().currentVersion("acc-" + i), "events of acc-" + i);
            }
        }
    }

    @Test
    void concurrentTwinWithdrawalsOfTheWholeBalanceEachGetOneAppliedAndOneAlreadyApplied() throws Exception {
        int pairs = 300;
        try (Nexus nexus = Accounts.nexus().conflictRetry(RetryPolicy.custom().maxAttempts(10)
                .initialDelay(Duration.ZERO).maxDelay(Duration.ZERO).build()).build()) {
            for (int i = 0; i < pairs; i++) {
                nexus.commands().send(new Account.Open("acc-" + i, "ann"));
                nexus.commands().send(new Account.Deposit("acc-" + i, 50));
            }
            List<UUID> ids = new ArrayList<>();
            for (int i = 0; i < pairs; i++) {
                ids.add(UUID.randomUUID());
            }
            List<List<Object>> outcomes = runTwins(pairs, i -> twin -> nexus.commands().send(
                    new Account.Withdraw("acc-" + i, 50), CommandMetadata.withCommandId(ids.get(i))));
            assertEachPairIsOneAppliedOneAlreadyApplied(outcomes);
            for (int i = 0; i < pairs; i++) {
                assertEquals(0, nexus.repository(Account.class).load("acc-" + i).balance(), "balance of acc-" + i);
            }
        }
    }

    @Test
    void concurrentTwinsWithDifferentPayloadsGetOneAppliedAndOneRefusal() throws Exception {
        int pairs = 300;
        try (Nexus nexus = Accounts.nexus().build()) {
            List<UUID> ids = new ArrayList<>();
            for (int i = 0; i < pairs; i++) {
                ids.add(UUID.randomUUID());
            }
            List<List<Object>> outcomes = runTwins(pairs, i -> twin -> nexus.commands().send(
                    new Account.Open("acc-" + i, twin == 0 ? "ann" : "bob"), CommandMetadata.withCommandId(ids.get(i))));
            for (int i = 0; i < pairs; i++) {
                List<Object> pair = outcomes.get(i);
                long applied = pair.stream().filter(o -> o instanceof CommandResult r && !r.alreadyApplied()).count();
                long refused = pair.stream().filter(o -> o instanceof CommandIdReusedException).count();
                assertEquals(1, applied, "pair " + i + ": " + pair);
                assertEquals(1, refused, "pair " + i + ": " + pair);
                assertEquals(1, nexus.eventStore().currentVersion("acc-" + i));
            }
        }
    }

    @Test
    void theFingerprintDependsOnContentOnlyAndNotOnMapOrder() {
        record Tagged(String id, Map<String, Integer> tags) {
        }
        Map<String, Integer> ascending = new LinkedHashMap<>();
        ascending.put("a", 1);
        ascending.put("b", 2);
        ascending.put("c", 3);
        Map<String, Integer> descending = new LinkedHashMap<>();
        descending.put("c", 3);
        descending.put("b", 2);
        descending.put("a", 1);
        assertEquals(CommandFingerprint.of(new Tagged("x", ascending)), CommandFingerprint.of(new Tagged("x", descending)));
        assertNotEquals(CommandFingerprint.of(new Tagged("x", ascending)), CommandFingerprint.of(new Tagged("y", ascending)));
        assertNotEquals(CommandFingerprint.of(new Account.Deposit("a", 1)), CommandFingerprint.of(new Account.Withdraw("a", 1)),
                "the class is part of the fingerprint");
        assertEquals(22, CommandFingerprint.of(new Account.Deposit("a", 1)).length());
    }

    /** Sends of one pair of twins: the function gets the twin's number, 0 or 1. */
    @FunctionalInterface
    private interface Twin {
        CommandResult send(int twin);
    }

    /** Runs twin {@code 0} and {@code 1} of each pair on two threads that meet at a barrier before every pair. */
    private static List<List<Object>> runTwins(int pairs, IntFunction<Twin> pair) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CyclicBarrier barrier = new CyclicBarrier(2);
        try {
            List<Future<List<Object>>> sides = new ArrayList<>();
            for (int side = 0; side < 2; side++) {
                int twin = side;
                sides.add(pool.submit(() -> {
                    List<Object> results = new ArrayList<>(pairs);
                    for (int i = 0; i < pairs; i++) {
                        await(barrier);
                        try {
                            results.add(pair.apply(i).send(twin));
                        } catch (RuntimeException e) {
                            results.add(e);
                        }
                    }
                    return results;
                }));
            }
            List<Object> left = sides.get(0).get(120, TimeUnit.SECONDS);
            List<Object> right = sides.get(1).get(120, TimeUnit.SECONDS);
            List<List<Object>> byPair = new ArrayList<>(pairs);
            for (int i = 0; i < pairs; i++) {
                byPair.add(List.of(left.get(i), right.get(i)));
            }
            return byPair;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void await(CyclicBarrier barrier) throws InterruptedException, BrokenBarrierException, TimeoutException {
        barrier.await(60, TimeUnit.SECONDS);
    }

    private static void assertEachPairIsOneAppliedOneAlreadyApplied(List<List<Object>> outcomes) {
        for (int i = 0; i < outcomes.size(); i++) {
            List<Object> pair = outcomes.get(i);
            CommandResult a = assertInstanceOf(CommandResult.class, pair.get(0), "pair " + i + ": " + pair);
            CommandResult b = assertInstanceOf(CommandResult.class, pair.get(1), "pair " + i + ": " + pair);
            assertEquals(1, (a.alreadyApplied() ? 0 : 1) + (b.alreadyApplied() ? 0 : 1),
                    "pair " + i + " must have exactly one applied: " + pair);
            assertEquals(a.version(), b.version(), "both twins report the version the command was applied at");
            assertEquals(ids(a.events()), ids(b.events()), "both twins report the same events");
        }
    }

    private static List<UUID> ids(List<EventEnvelope> events) {
        return events.stream().map(EventEnvelope::eventId).toList();
    }
}
