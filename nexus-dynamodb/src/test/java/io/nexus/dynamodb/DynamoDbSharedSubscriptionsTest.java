package io.nexus.dynamodb;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.AppendListener;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.Subscription;
import io.nexus.testkit.Await;
import io.nexus.testkit.logging.LogCapture;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsRequest;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.dynamodb.model.GetShardIteratorResponse;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static io.nexus.dynamodb.DynamoDbEventStoreTest.events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every subscription of a store shares one Streams reader (or, with the log indexer of the engine family, that
 * indexer's reader): counted by shard and by iterator chain with an SDK interceptor on the Streams client.
 */
class DynamoDbSharedSubscriptionsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static final Duration POLL = Duration.ofMillis(50);

    private final DynamoDbTables.Names tables = DynamoDbLocal.freshTables("shared");
    private final StreamReads reads = new StreamReads();
    private final DynamoDbStreamsClient streams = DynamoDbLocal.newStreamsClient(b -> b.addExecutionInterceptor(reads));
    private final Map<String, Long> versions = new HashMap<>();

    @Test
    void fiveSubscribersShareOneStreamReaderThatStopsWithTheLastSubscription() {
        DynamoDbEventStore store = DynamoDbEventStore.builder(DynamoDbLocal.client()).tableName(tables.events())
                .streamsClient(streams).subscriptionPollInterval(POLL).build();
        List<Recorder> recorders = recorders(5);
        List<Subscription> subscriptions = new ArrayList<>();
        AppendListener failing = new AppendListener() {
            @Override
            public void onAppend(List<EventEnvelope> events) {
                throw new IllegalStateException("subscriber failure raised on purpose");
            }

            @Override
            public String toString() {
                return "failing-subscriber";
            }
        };
        try (LogCapture logs = LogCapture.start()) {
            recorders.forEach(r -> subscriptions.add(store.subscribe(r)));
            Subscription failingSubscription = store.subscribe(failing);
            int mark = reads.size();
            List<UUID> ids = appendToStreams(3, 2);
            recorders.forEach(r -> r.await(ids));
            int end = reads.size();
            Map<String, Set<String>> chains = reads.chainsPerShard(mark, end);
            assertOneReaderPerShard(chains, "five subscribers and a failing one");
            System.out.println("[shared-subscriptions] 6 subscribers, no indexer: " + (end - mark)
                    + " GetRecords while 6 events were delivered, chains per shard " + chains);
            assertEquals(chains.size(), reads.iteratorsTaken(), "one GetShardIterator per shard, taken by the first subscribe");

            subscriptions.get(0).close();
            List<UUID> later = appendToStreams(1, 1);
            recorders.subList(1, 5).forEach(r -> r.await(later));
            assertEquals(Set.copyOf(ids), Set.copyOf(recorders.get(0).ids()), "a closed subscription receives nothing after close");
            assertEquals(ids.size(), recorders.get(0).ids().size(), "each event once");
            assertEquals(1, logs.lines().stream().filter(l -> l.contains("failing-subscriber")).count(),
                    "the failing subscriber failed on 4 batches and is logged once:\n" + logs.text());
            logs.assertContains("subscriber failure raised on purpose");

            subscriptions.subList(1, 5).forEach(Subscription::close);
            failingSubscription.close(); // the last one: its reader stops, and close waits for it
            assertSilentAfter(reads.size(), chains);

            // A new first subscriber starts a new reader; closing the store stops it.
            Recorder again = new Recorder();
            store.subscribe(again);
            int restarted = reads.size();
            List<UUID> afterRestart = appendToStreams(1, 1);
            again.await(afterRestart);
            Map<String, Set<String>> restartChains = reads.chainsPerShard(restarted, reads.size());
            assertOneReaderPerShard(restartChains, "a subscriber after the last one left");
            store.close();
            assertThrows(IllegalStateException.class, () -> store.subscribe(new Recorder()), "subscribe after close");
            assertSilentAfter(reads.size(), restartChains);
            assertEquals(afterRestart, again.ids(), "nothing delivered after the store closed");
        }
    }

    /**
     * Asserts that the readers of {@code stoppedChains} send no GetRecords from {@code mark} on, while a control
     * reader driven here reads an append: it shows that the interceptor still counts (no sleep involved).
     */
    private void assertSilentAfter(int mark, Map<String, Set<String>> stoppedChains) {
        List<EventEnvelope> seenByControl = new CopyOnWriteArrayList<>();
        try (DynamoDbChangeCapture control = control(seenByControl)) {
            control.open();
            List<UUID> afterStop = appendToStreams(1, 1);
            for (int i = 0; i < 50 && seenByControl.size() < afterStop.size(); i++) {
                control.pollOnce();
            }
            assertEquals(afterStop, seenByControl.stream().map(EventEnvelope::eventId).toList(), "the control reader");
        }
        assertTrue(reads.size() > mark, "the control reader's GetRecords were counted");
        Set<String> stopped = new TreeSet<>();
        stoppedChains.values().forEach(stopped::addAll);
        Map<String, Set<String>> since = reads.chainsPerShard(mark, reads.size());
        since.values().forEach(c -> c.retainAll(stopped));
        since.values().forEach(c -> assertTrue(c.isEmpty(), "a stopped reader sent GetRecords after it stopped: " + since));
    }

    @Test
    void withTheEngineFamilysIndexerTheSubscribersReadThroughTheIndexersReader() {
        DynamoDbEngines engines = DynamoDbEngines.builder(DynamoDbLocal.client()).streams(streams)
                .tables(new DynamoDbTables.Names(tables.events(), null, null)).build();
        DynamoDbLogIndexer indexer = engines.logIndexer().orElseThrow();
        DynamoDbEventStore store = engines.eventStore();
        indexer.start();
        List<Subscription> subscriptions = new ArrayList<>();
        try {
            Await.until("the indexer holds its lease and reads the Stream", WAIT, () -> indexer.holdsLease() && reads.size() > 0);
            List<Recorder> recorders = recorders(5);
            recorders.forEach(r -> subscriptions.add(store.subscribe(r)));
            int mark = reads.size();
            int iteratorsBefore = reads.iteratorsTaken();
            List<UUID> ids = appendToStreams(5, 2);
            recorders.forEach(r -> r.await(ids));
            int end = reads.size();
            assertOneReaderPerShard(reads.chainsPerShard(mark, end), "five subscribers plus the indexer");
            assertEquals(iteratorsBefore, reads.iteratorsTaken(), "no subscriber took a shard iterator");
            for (Recorder r : recorders) {
                List<Long> positions = r.events().stream().map(EventEnvelope::globalPosition).sorted().toList();
                assertEquals(java.util.stream.LongStream.rangeClosed(1, 10).boxed().toList(), positions,
                        "each subscriber gets each event once, with its global position");
            }
            System.out.println("[shared-subscriptions] 5 subscribers + indexer: " + (end - mark)
                    + " GetRecords while 10 events were delivered, chains per shard " + reads.chainsPerShard(mark, end));

            // The counting would see a second reader: one more reader of the same shard makes two chains.
            try (DynamoDbChangeCapture control = control(new CopyOnWriteArrayList<>())) {
                int before = reads.size();
                control.pollOnce();
                control.pollOnce();
                Await.until("the indexer reads again", WAIT, () -> reads.chainsPerShard(before, reads.size()).values().stream()
                        .allMatch(c -> c.size() == 2));
            }
        } finally {
            subscriptions.forEach(Subscription::close);
            indexer.close();
        }
    }

    @Test
    void aProcessWhoseIndexerStandsByFeedsItsSubscribersFromTheLogWithoutReadingTheStream() {
        DynamoDbTables.Names names = new DynamoDbTables.Names(tables.events(), null, null);
        DynamoDbEngines holder = DynamoDbEngines.builder(DynamoDbLocal.client()).streams(DynamoDbLocal.streamsClient())
                .tables(names).build();
        DynamoDbEngines standby = DynamoDbEngines.builder(DynamoDbLocal.client()).streams(streams).tables(names).build();
        DynamoDbLogIndexer holding = holder.logIndexer().orElseThrow();
        DynamoDbLogIndexer standing = standby.logIndexer().orElseThrow();
        holding.start();
        Await.until("the first process's indexer holds the lease", WAIT, holding::holdsLease);
        standing.start();
        List<Subscription> subscriptions = new ArrayList<>();
        try {
            List<Recorder> recorders = recorders(2);
            recorders.forEach(r -> subscriptions.add(standby.eventStore().subscribe(r)));
            List<UUID> ids = appendToStreams(2, 2);
            recorders.forEach(r -> r.await(ids));
            assertEquals(0, reads.size(), "the standby process sent no GetRecords");
            assertEquals(0, reads.iteratorsTaken(), "the standby process took no shard iterator");
        } finally {
            subscriptions.forEach(Subscription::close);
            standing.close();
            holding.close();
        }
    }

    private static void assertOneReaderPerShard(Map<String, Set<String>> chains, String who) {
        assertTrue(!chains.isEmpty(), "GetRecords were sent while " + who + " received: " + chains);
        chains.forEach((shard, ofShard) -> assertEquals(1, ofShard.size(),
                "one iterator chain (one reader) on shard " + shard + " for " + who + ": " + chains));
    }

    private DynamoDbChangeCapture control(List<EventEnvelope> sink) {
        return DynamoDbChangeCapture.builder(DynamoDbLocal.client(), streams).tableName(tables.events())
                .readerName("control").checkpoints(new io.nexus.core.checkpoint.InMemoryCheckpointStore())
                .startAtLatest(true).listener(sink::addAll).build();
    }

    private static List<Recorder> recorders(int n) {
        List<Recorder> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Recorder());
        }
        return out;
    }

    /** Appends {@code rounds} single-event appends to each of {@code streams} new streams; their ids in append order. */
    private List<UUID> appendToStreams(int streams, int rounds) {
        DynamoDbEventStore writer = DynamoDbEventStore.builder(DynamoDbLocal.client()).tableName(tables.events()).build();
        List<String> streamIds = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            streamIds.add("s-" + UUID.randomUUID());
        }
        List<UUID> ids = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            for (String id : streamIds) {
                long v = versions.getOrDefault(id, 0L);
                List<NewEvent> one = events(1);
                writer.append(id, "T", ExpectedVersion.exactly(v), one);
                versions.put(id, v + 1);
                ids.add(one.get(0).eventId());
            }
        }
        return ids;
    }

    /** A subscriber that records what it receives. */
    private static final class Recorder implements AppendListener {
        private final List<EventEnvelope> received = new CopyOnWriteArrayList<>();

        @Override
        public void onAppend(List<EventEnvelope> events) {
            received.addAll(events);
        }

        List<EventEnvelope> events() {
            return List.copyOf(received);
        }

        List<UUID> ids() {
            return received.stream().map(EventEnvelope::eventId).toList();
        }

        /** Waits until every id arrived; asserts that each arrived once. */
        void await(List<UUID> ids) {
            Await.until("a subscriber received " + ids.size() + " events", WAIT, () -> ids().containsAll(ids));
            List<UUID> mine = ids().stream().filter(ids::contains).toList();
            assertEquals(ids.size(), mine.size(), "each event once: " + mine);
        }
    }

    /**
     * Counts the Streams reads by shard and by iterator chain: a chain starts at each {@code GetShardIterator} and
     * follows each {@code GetRecords}' next iterator, so two readers of one shard are two chains however their
     * requests interleave.
     */
    static final class StreamReads implements ExecutionInterceptor {
        private final Map<String, String> chainOfIterator = new ConcurrentHashMap<>();
        private final List<String> getRecordsChains = new CopyOnWriteArrayList<>();
        private final AtomicInteger iterators = new AtomicInteger();

        @Override
        public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
            SdkRequest request = context.request();
            SdkResponse response = context.response();
            if (request instanceof GetShardIteratorRequest taken && response instanceof GetShardIteratorResponse given) {
                String chain = taken.shardId() + "#" + iterators.incrementAndGet();
                if (given.shardIterator() != null) {
                    chainOfIterator.put(given.shardIterator(), chain);
                }
            } else if (request instanceof GetRecordsRequest read && response instanceof GetRecordsResponse result) {
                String chain = chainOfIterator.getOrDefault(read.shardIterator(), "unknown#0");
                getRecordsChains.add(chain);
                if (result.nextShardIterator() != null) {
                    chainOfIterator.put(result.nextShardIterator(), chain);
                }
            }
        }

        /** GetRecords sent so far. */
        int size() {
            return getRecordsChains.size();
        }

        /** GetShardIterator sent so far. */
        int iteratorsTaken() {
            return iterators.get();
        }

        /** For the GetRecords from {@code from} (inclusive) to {@code to}: shard id to the chains that read it. */
        Map<String, Set<String>> chainsPerShard(int from, int to) {
            Map<String, Set<String>> out = new TreeMap<>();
            for (String chain : getRecordsChains.subList(from, to)) {
                out.computeIfAbsent(chain.substring(0, chain.lastIndexOf('#')), k -> new TreeSet<>()).add(chain);
            }
            return out;
        }
    }
}
