package io.nexus.benchmarks.readside;

import io.nexus.benchmarks.Deposited;
import io.nexus.benchmarks.Workloads;
import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.projection.ProcessingMode;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.store.StreamQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The read-side workloads, run small: the shapes the benchmarks claim to measure, and that a replay or a
 * latency operation really ends where the benchmark says (checkpoint at the head, the client notified of
 * the version just appended). No timing here.
 */
class ReadSideWorkloadsTest {

    private final EventCodec codec = ReadSideWorkloads.codec();

    @Test
    void storeHoldsRoundRobinBatchesOfAbout100ByteDepositsWithOrWithoutTheirDecodedObjects() {
        InMemoryEventStore decoded = ReadSideWorkloads.storeWithDeposits(codec, 7, 3, 10, true);
        InMemoryEventStore bytesOnly = ReadSideWorkloads.storeWithDeposits(codec, 7, 3, 10, false);
        for (InMemoryEventStore store : List.of(decoded, bytesOnly)) {
            assertEquals(210, store.headPosition());
            assertEquals(7, store.streamCount());
            for (int s = 0; s < 7; s++) {
                assertEquals(30, store.currentVersion(Workloads.accountId(s)));
            }
            List<EventEnvelope> log = store.readAll(1, 1_000);
            assertEquals(Workloads.accountId(0), log.get(0).streamId());
            assertEquals(Workloads.accountId(1), log.get(10).streamId(), "the next batch goes to the next stream");
            int size = log.get(0).payload().size();
            assertTrue(size >= 90 && size <= 110, "payload is " + size + " bytes");
        }
        EventEnvelope first = decoded.read(StreamQuery.stream(Workloads.accountId(2))).get(0);
        assertTrue(first.payload().decoded().orElseThrow() instanceof Deposited);
        assertFalse(bytesOnly.read(StreamQuery.stream(Workloads.accountId(2))).get(0).payload().decoded().isPresent());
        assertEquals(codec.decode(first), codec.decode(bytesOnly.read(StreamQuery.stream(Workloads.accountId(2))).get(0)));
    }

    @Test
    void replayCountsEveryEventFromPositionZeroWhateverTheBatchSizeAndFromBytesAlike() {
        InMemoryEventStore decoded = ReadSideWorkloads.storeWithDeposits(codec, 13, 4, 25, true);
        InMemoryEventStore bytesOnly = ReadSideWorkloads.storeWithDeposits(codec, 13, 4, 25, false);
        long expectedTotal = 0;
        for (EventEnvelope e : decoded.readAll(1, 10_000)) {
            expectedTotal += ((Deposited) codec.decode(e)).amount();
        }
        for (int batchSize : new int[]{1, 7, 512, 8192}) {
            for (InMemoryEventStore store : List.of(decoded, bytesOnly)) {
                ReadSideWorkloads.CountingProjection counted = ReadSideWorkloads.replay(store, codec, batchSize, 30);
                assertEquals(1_300, counted.count(), "batch size " + batchSize);
                assertEquals(expectedTotal, counted.total(), "batch size " + batchSize);
                assertEquals(1_300, counted.lastPosition());
            }
        }
    }

    @Test
    void replayOnAMeasuringSchedulerAddsUpItsCpuTime() {
        InMemoryEventStore store = ReadSideWorkloads.storeWithDeposits(codec, 10, 2, 50, true);
        try (CpuTimingScheduler scheduler = new CpuTimingScheduler("replay-test")) {
            assertEquals(1_000, ReadSideWorkloads.replay(store, codec, 64, 30, scheduler).count());
            assertTrue(scheduler.cpuNanos() > 0, "processing ran on the measuring scheduler");
        }
    }

    @Test
    void checkpointWatchPassesSavesThroughAndOpensOnlyAtItsTarget() {
        InMemoryCheckpointStore inner = new InMemoryCheckpointStore();
        ReadSideWorkloads.CheckpointWatch watch = new ReadSideWorkloads.CheckpointWatch(inner, "p", 100);
        watch.save("other", Checkpoint.GLOBAL, "500");
        watch.save("p", Checkpoint.GLOBAL, "99");
        assertFalse(watch.await(0), "another consumer's or a lower checkpoint does not count");
        assertEquals(99, watch.saved());
        assertEquals(99, inner.load("p", Checkpoint.GLOBAL).orElseThrow().positionAsLong());
        watch.save("p", Checkpoint.GLOBAL, "100");
        assertTrue(watch.await(0));
        assertEquals(500, watch.load("other", Checkpoint.GLOBAL).orElseThrow().positionAsLong());
    }

    @ParameterizedTest
    @EnumSource(ProcessingMode.class)
    void eachLatencyOperationEndsWhenItsClientIsNotifiedOfTheVersionJustAppended(ProcessingMode mode) {
        try (NotificationPipeline pipeline = new NotificationPipeline(mode, 4)) {
            for (int i = 0; i < 20; i++) {
                long start = System.nanoTime();
                long delivered = pipeline.appendAndAwait();
                assertTrue(delivered - start >= 0, "delivered after the operation started");
                String id = Workloads.accountId(i % 4);
                long version = i / 4 + 1;
                assertEquals(version, pipeline.store().currentVersion(id));
                assertEquals(version, pipeline.hub().latest(id).orElseThrow().version(), "the hub saw the new version");
                // Handled before the notification was sent, so visible once it arrived.
                assertEquals(i + 1, pipeline.projection().count(), "the projection applied the event");
            }
            assertEquals(0, pipeline.throttled(), "4 clients × 5 notifications stay inside the default throttle");
            assertEquals(20, pipeline.store().headPosition());
        }
    }

    @Test
    void notificationsHeldBackByTheThrottleAreCountedSoABenchmarkCanRefuseThem() {
        // One client written 150 times at once exceeds the default 100 notifications per second.
        try (NotificationPipeline pipeline = new NotificationPipeline(ProcessingMode.INLINE, 1)) {
            for (int i = 0; i < 150; i++) {
                pipeline.appendAndAwait();
            }
            assertTrue(pipeline.throttled() > 0, "throttled: " + pipeline.throttled());
            assertEquals(150, pipeline.hub().latest(Workloads.accountId(0)).orElseThrow().version());
        }
    }
}
