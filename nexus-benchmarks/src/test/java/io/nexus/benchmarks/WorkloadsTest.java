package io.nexus.benchmarks;

import io.nexus.core.Nexus;
import io.nexus.core.aggregate.AggregateRepository;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.observation.EventTraceContext;
import io.nexus.core.snapshot.Snapshot;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.store.StreamQuery;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmark workloads, run small: they must produce exactly the shapes the benchmarks claim to
 * measure (a benchmark of the wrong workload measures nothing useful). No timing here.
 */
class WorkloadsTest {

    @Test
    void roundRobinCommandsGiveEveryAggregateItsEventsAndAFullRunEndsAtTheShape() {
        Deposit[] commands = Workloads.roundRobinDeposits(20, 7);
        assertEquals(140, commands.length);
        assertEquals(Workloads.accountId(0), commands[0].accountId());
        assertEquals(Workloads.accountId(1), commands[1].accountId());
        assertEquals(Workloads.accountId(0), commands[20].accountId(), "second round starts again at the first aggregate");

        try (Nexus nexus = Workloads.plainNexus()) {
            long expectedBalance = 0;
            for (Deposit command : commands) {
                nexus.commands().send(command);
                if (command.accountId().equals(Workloads.accountId(3))) {
                    expectedBalance += command.amount();
                }
            }
            InMemoryEventStore store = (InMemoryEventStore) nexus.eventStore();
            assertEquals(20, store.streamCount());
            assertEquals(140, store.headPosition());
            for (int a = 0; a < 20; a++) {
                assertEquals(7, store.currentVersion(Workloads.accountId(a)));
            }
            Account account = nexus.repository(Account.class).load(Workloads.accountId(3));
            assertEquals(expectedBalance, account.balance());
            assertEquals(7, account.deposits());
            assertTrue(nexus.snapshotStore().latest(Workloads.accountId(3)).isEmpty(), "the command run takes no snapshots");
        }
    }

    @Test
    void commandEventsAndRawEventsAreAbout100BytesOfTheSameJson() {
        try (Nexus nexus = Workloads.plainNexus()) {
            EventEnvelope stored = nexus.commands().send(new Deposit(Workloads.accountId(42), 17, Workloads.REFERENCE)).events().get(0);
            byte[] raw = Workloads.depositJson(Workloads.accountId(42), 17);
            assertEquals(new String(raw, StandardCharsets.UTF_8), stored.payload().asString());
            assertTrue(raw.length >= 90 && raw.length <= 110, "payload is " + raw.length + " bytes");
        }
    }

    @Test
    void snapshotHistoryLoadsFromTheLatestSnapshotPlusTailAndMatchesAFullReplay() {
        String id = Workloads.accountId(1);
        try (Nexus plain = Workloads.plainNexus(); Nexus snapshotted = Workloads.snapshottingNexus(100)) {
            AggregateRepository<Account> full = plain.repository(Account.class);
            AggregateRepository<Account> withSnapshots = snapshotted.repository(Account.class);
            Workloads.buildHistory(full, id, 999, 100);
            Workloads.buildHistory(withSnapshots, id, 999, 100);

            Snapshot latest = snapshotted.snapshotStore().latest(id).orElseThrow();
            assertEquals(900, latest.version(), "snapshot every 100 events: the latest of 999 is at 900");
            assertTrue(plain.snapshotStore().latest(id).isEmpty());

            Account replayed = full.load(id);
            Account restored = withSnapshots.load(id);
            assertEquals(999, replayed.version());
            assertEquals(999, restored.version());
            assertEquals(replayed.balance(), restored.balance());
            assertEquals(999, restored.deposits());

            AggregateRepository<Account> fromBytes = AggregateRepository.builder(withSnapshots.definition(),
                            Workloads.bytesOnlyCopy(snapshotted.eventStore(), id), snapshotted.codec())
                    .snapshotStore(Workloads.bytesOnlySnapshotCopy(snapshotted.snapshotStore(), id)).build();
            Account cold = fromBytes.load(id);
            assertEquals(999, cold.version());
            assertEquals(replayed.balance(), cold.balance());
        }
    }

    @Test
    void bytesOnlyCopyKeepsEveryEventButNoDecodedObject() {
        String id = Workloads.accountId(5);
        try (Nexus nexus = Workloads.plainNexus()) {
            Workloads.buildHistory(nexus.repository(Account.class), id, 250, 100);
            List<EventEnvelope> original = nexus.eventStore().read(StreamQuery.stream(id));
            List<EventEnvelope> copy = Workloads.bytesOnlyCopy(nexus.eventStore(), id).read(StreamQuery.stream(id));
            assertEquals(250, copy.size());
            for (int i = 0; i < original.size(); i++) {
                assertEquals(original.get(i).eventId(), copy.get(i).eventId());
                assertEquals(original.get(i).version(), copy.get(i).version());
                assertArrayEquals(original.get(i).payload().bytes(), copy.get(i).payload().bytes());
                assertTrue(original.get(i).payload().decoded().isPresent());
                assertFalse(copy.get(i).payload().decoded().isPresent());
            }
        }
    }

    @Test
    void appendRunStoresEveryBatchWithItsExpectedVersionAndCanRunAgainOnAFreshStore() {
        Workloads.AppendRun run = new Workloads.AppendRun(7, 3, 100);
        assertEquals(21, run.batchCount());
        assertEquals(2_100, run.eventCount());
        for (int pass = 0; pass < 2; pass++) {
            InMemoryEventStore store = InMemoryEventStore.create();
            run.appendAll(store);
            assertEquals(2_100, store.headPosition());
            assertEquals(7, store.streamCount());
            for (int s = 0; s < 7; s++) {
                assertEquals(300, store.currentVersion(Workloads.accountId(s)));
            }
        }
    }

    @Test
    void memoryMeasurementStoresTheEventsItCounts() {
        // Sizes only: the byte counts depend on the JVM and are reported by the main, not asserted.
        MemoryPerEvent.raw(1_000);
        MemoryPerEvent.commands(5, 4);
    }

    @Test
    void theTracingOverheadRunsTraceOnlyWithTheRealTracer() {
        for (String tracing : List.of("off", "noop", "otel")) {
            TracingOverheadBenchmark.Traced state = new TracingOverheadBenchmark.Traced();
            state.tracing = tracing;
            state.prepare();
            state.fresh();
            try {
                state.nexus.commands().send(state.commands[0]);
                EventEnvelope event = state.nexus.eventStore().read(StreamQuery.stream(Workloads.accountId(0))).get(0);
                assertEquals(tracing.equals("otel"), event.metadata().containsKey(EventTraceContext.TRACEPARENT),
                        tracing + ": " + event.metadata());
                assertEquals(tracing.equals("off"), state.nexus.observationRegistry().isNoop(), tracing);
            } finally {
                state.close();
                state.closeTracer();
            }
        }
    }
}
