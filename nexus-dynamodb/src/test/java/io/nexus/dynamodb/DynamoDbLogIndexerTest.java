package io.nexus.dynamodb;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.testkit.Await;
import io.nexus.testkit.ChildJvm;
import io.nexus.testkit.ControllableClock;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The log indexer on DynamoDB Local: one lease across processes, takeover when it runs out, a stale
 * holder that cannot write, restarts that resume where the index ends; positions gapless, each event
 * once, every stream in version order. Lease time runs on controllable clocks.
 */
class DynamoDbLogIndexerTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    private final DynamoDbTables.Names tables = DynamoDbLocal.freshTables("indexer");
    private final DynamoDbEventStore store = DynamoDbEventStore.builder(DynamoDbLocal.client())
            .tableName(tables.events()).build();
    private final Map<String, Long> versions = new HashMap<>();

    private DynamoDbLogIndexer indexer(String owner, ControllableClock clock) {
        return DynamoDbLogIndexer.builder(DynamoDbLocal.client(), DynamoDbLocal.streamsClient())
                .tableName(tables.events()).owner(owner).clock(clock).leaseDuration(Duration.ofSeconds(2)).build();
    }

    @Test
    void oneIndexerHoldsTheLeaseAndAnotherTakesOverWhenItRunsOut() {
        ControllableClock clock = ControllableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
        DynamoDbLogIndexer first = indexer("first", clock);
        DynamoDbLogIndexer second = indexer("second", clock);
        append(5, 2);
        assertEquals(10, first.catchUp(), "the first indexer takes the free lease and indexes everything");
        assertTrue(first.holdsLease());
        append(5, 1);
        assertEquals(0, second.catchUp(), "the second indexer stands by while the lease holds");
        assertFalse(second.holdsLease());
        assertEquals(10, store.headPosition(), "the index did not move without its holder");

        clock.advance(Duration.ofSeconds(3)); // the first process died: its lease runs out
        assertEquals(5, second.catchUp(), "the second indexer takes over and indexes what the first left");
        assertEquals(0, first.catchUp(), "the first indexer comes back and finds its lease taken");
        assertFalse(first.holdsLease());
        append(3, 1);
        assertEquals(3, second.catchUp());
        assertWholeLog(18);
    }

    @Test
    void aStaleHolderCannotWriteOnceAnotherTookTheLease() {
        ControllableClock slow = ControllableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
        ControllableClock fast = ControllableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
        DynamoDbLogIndexer stale = indexer("stale", slow);
        DynamoDbLogIndexer other = indexer("other", fast);
        append(4, 1);
        assertEquals(4, stale.catchUp());
        fast.advance(Duration.ofSeconds(3)); // the other process's clock says the lease ran out
        append(4, 1);
        assertEquals(4, other.catchUp());
        append(2, 1);
        assertTrue(stale.holdsLease(), "by its own clock the stale holder still holds the lease");
        assertEquals(0, stale.catchUp(), "its write fails on the tail's condition: nothing indexed twice");
        assertFalse(stale.holdsLease());
        assertEquals(2, other.catchUp());
        assertWholeLog(10);
    }

    @Test
    void aRestartedIndexerResumesWhereTheIndexEnds() {
        ControllableClock clock = ControllableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
        append(6, 3);
        assertEquals(18, indexer("same-process", clock).catchUp());
        append(6, 1);
        assertEquals(6, indexer("same-process", clock).catchUp(), "a new instance of the same owner resumes at once");
        assertEquals(0, indexer("same-process", clock).catchUp(), "nothing is indexed twice");
        assertWholeLog(24);
    }

    @Test
    void theComponentIndexesInTheBackground() {
        DynamoDbLogIndexer component = DynamoDbLogIndexer.builder(DynamoDbLocal.client(), DynamoDbLocal.streamsClient())
                .tableName(tables.events()).build();
        component.start();
        try {
            append(10, 2);
            Await.until("the component indexed the 20 events", WAIT, () -> store.headPosition() >= 20);
            assertEquals(20, store.headPosition());
        } finally {
            component.close();
        }
        assertWholeLog(20);
    }

    @Test
    void closeReleasesTheLeaseSoAStandbyTakesOverAtOnce() {
        ControllableClock clock = ControllableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
        DynamoDbLogIndexer first = indexer("first", clock);
        DynamoDbLogIndexer second = indexer("second", clock);
        append(4, 2);
        assertEquals(8, first.catchUp());
        append(3, 1);
        assertEquals(0, second.catchUp(), "the lease holds");
        first.close();
        assertFalse(first.holdsLease());
        clock.advance(Duration.ofMillis(700)); // the standby's next check, a third of the 2 s lease; the lease has not run out
        assertEquals(3, second.catchUp(), "the second indexer takes the released lease at its next check");
        assertTrue(second.holdsLease());
        assertWholeLog(11);
    }

    @Test
    void aStandbyTakesOverFromAnIndexerJvmKilledWithSigkill() throws Exception {
        Path dir = Path.of("target", "indexer-crash", tables.events() + "-" + UUID.randomUUID());
        DynamoDbLogIndexer standby = DynamoDbLogIndexer.builder(DynamoDbLocal.client(), DynamoDbLocal.streamsClient())
                .tableName(tables.events()).owner("standby").leaseDuration(Duration.ofSeconds(2)).build();
        try (ChildJvm child = ChildJvm.start("indexer", dir, List.of("-Xmx128m"), IndexerProcess.class,
                List.of(DynamoDbLocal.endpoint().toString(), tables.events(), "killed"))) {
            Await.until("the child indexer holds the lease", WAIT, () -> child.lines().contains("HOLDING"));
            append(5, 2);
            Await.until("the child indexed the first events", WAIT, () -> store.headPosition() == 10);
            child.kill(); // SIGKILL, holding the lease
            standby.start();
            append(5, 1);
            Await.until("the standby takes the lease once it ran out and indexes the rest", WAIT, () -> store.headPosition() == 15);
            assertTrue(standby.holdsLease());
        } finally {
            standby.close();
        }
        assertWholeLog(15);
    }

    @Test
    void aSubscriptionOfTheEngineFamilyWakesAfterThisProcesssIndexerIndexedTheEvents() throws InterruptedException {
        DynamoDbEngines engines = DynamoDbEngines.builder(DynamoDbLocal.client()).streams(DynamoDbLocal.streamsClient())
                .tables(new DynamoDbTables.Names(tables.events(), null, null)).build();
        DynamoDbLogIndexer indexer = engines.logIndexer().orElseThrow();
        DynamoDbEventStore engineStore = engines.eventStore();
        indexer.start();
        java.util.concurrent.BlockingQueue<Long> headsWhenWoken = new java.util.concurrent.LinkedBlockingQueue<>();
        try (io.nexus.core.store.Subscription ignored = engineStore.subscribe(events -> headsWhenWoken.add(store.headPosition()))) {
            Await.until("the indexer holds the lease", WAIT, indexer::holdsLease);
            for (int i = 1; i <= 5; i++) {
                append(1, 1);
                Long head = headsWhenWoken.poll(60, TimeUnit.SECONDS);
                assertEquals(i, head, "when append " + i + " wakes the listener, the global log already holds it");
            }
        } finally {
            indexer.close();
        }
    }

    /** Appends {@code rounds} single-event appends to each of {@code streams} streams (new ones each call). */
    private void append(int streams, int rounds) {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < streams; i++) {
            ids.add("s-" + UUID.randomUUID());
        }
        for (int round = 0; round < rounds; round++) {
            for (String id : ids) {
                long v = versions.getOrDefault(id, 0L);
                store.append(id, "T", ExpectedVersion.exactly(v), List.of(NewEvent.of("E", 1,
                        EventPayload.ofBytes(("{\"v\":" + v + "}").getBytes(StandardCharsets.UTF_8)))));
                versions.put(id, v + 1);
            }
        }
    }

    private void assertWholeLog(int expected) {
        List<EventEnvelope> log = new java.util.ArrayList<>();
        long from = 1;
        for (List<EventEnvelope> page; !(page = store.readAll(from, 7)).isEmpty(); ) {
            log.addAll(page);
            from = page.get(page.size() - 1).globalPosition() + 1;
        }
        assertEquals(expected, log.size(), "events in the global log");
        assertEquals(expected, store.headPosition(), "the head");
        Set<UUID> ids = new HashSet<>();
        Map<String, Long> seen = new HashMap<>();
        for (int i = 0; i < log.size(); i++) {
            EventEnvelope e = log.get(i);
            assertEquals(i + 1, e.globalPosition(), "gapless positions");
            assertTrue(ids.add(e.eventId()), "event " + e.eventId() + " indexed once");
            assertEquals(seen.getOrDefault(e.streamId(), 0L) + 1, e.version(), "stream " + e.streamId() + " in order");
            seen.put(e.streamId(), e.version());
        }
        assertEquals(versions, seen, "every appended event is in the log");
    }
}
