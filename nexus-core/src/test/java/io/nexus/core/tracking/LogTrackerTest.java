package io.nexus.core.tracking;

import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.projection.ManualScheduler;
import io.nexus.core.projection.TaskScheduler;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.store.NoChangeCaptureStore;
import io.nexus.core.store.ReadAll;
import io.nexus.core.store.SubscribeToAppends;
import io.nexus.core.store.Subscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogTrackerTest {

    private static final RetryPolicy NO_JITTER = RetryPolicy.custom().initialDelay(Duration.ofMillis(100))
            .multiplier(2.0).maxDelay(Duration.ofSeconds(10)).jitter(0.0).build();
    private static final Duration POLL = Duration.ofSeconds(5);

    private final ManualScheduler scheduler = new ManualScheduler();
    private final InMemoryEventStore store = InMemoryEventStore.builder().clock(scheduler).build();
    private final InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore(scheduler);
    private final List<LogTracker> trackers = new ArrayList<>();

    @AfterEach
    void closeAll() {
        trackers.forEach(LogTracker::close);
    }

    private LogTracker tracker(SubscribeToAppends changes, CheckpointStore cps, TaskScheduler tasks) {
        LogTracker tracker = LogTracker.builder("summaries", store, changes, cps).scheduler(tasks).retry(NO_JITTER)
                .pollInterval(POLL).batchSize(3).build();
        trackers.add(tracker);
        return tracker;
    }

    private LogTracker tracker() {
        return tracker(store, checkpoints, scheduler);
    }

    private void append(String stream, int count) {
        List<NewEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(NewEvent.of("Noted", 1, EventPayload.ofJson("{}")));
        }
        store.append(stream, "Note", ExpectedVersion.any(), events);
    }

    private long checkpoint() {
        return checkpoints.load("summaries", Checkpoint.GLOBAL).map(Checkpoint::positionAsLong).orElse(-1L);
    }

    /** Records the positions it is handed and declares each batch done. */
    private static final class Recording implements LogHandler {
        final List<Long> positions = Collections.synchronizedList(new ArrayList<>());

        @Override
        public long handle(List<EventEnvelope> batch) throws Exception {
            batch.forEach(e -> positions.add(e.globalPosition()));
            return batch.get(batch.size() - 1).globalPosition();
        }
    }

    @Test
    void catchesUpFromTheStoredCheckpointInBatchesAndStoresTheLastPosition() {
        append("a", 4);
        append("b", 3);
        checkpoints.save("summaries", Checkpoint.GLOBAL, "2");
        Recording handler = new Recording();
        LogTracker tracker = tracker();
        tracker.start(handler);
        assertEquals(2, tracker.position(), "starts after the checkpoint");
        scheduler.runDue();

        assertEquals(List.of(3L, 4L, 5L, 6L, 7L), handler.positions);
        assertEquals(7, checkpoint());
        assertEquals(7, tracker.checkpointedPosition());
        assertEquals(0, tracker.lag());
    }

    @Test
    void anAppendWakesTheTrackerWithoutWaitingForThePoll() {
        Recording handler = new Recording();
        LogTracker tracker = tracker();
        tracker.start(handler);
        scheduler.runDue();
        assertTrue(tracker.isLive());

        append("a", 2);
        assertEquals(2, tracker.lag());
        scheduler.runDue();
        assertEquals(List.of(1L, 2L), handler.positions, "handled with no time passing");
        assertEquals(2, checkpoint());
    }

    @Test
    void aStoreWithoutChangeCaptureIsFollowedByPolling() {
        NoChangeCaptureStore noCapture = new NoChangeCaptureStore(store);
        Recording handler = new Recording();
        LogTracker tracker = tracker(noCapture, checkpoints, scheduler);
        tracker.start(handler);
        assertTrue(tracker.isRunning());
        assertFalse(tracker.isLive());
        assertEquals(1, noCapture.subscribeCalls());
        scheduler.runDue();

        append("a", 2);
        scheduler.runDue();
        assertEquals(List.of(), handler.positions, "nothing wakes it");
        scheduler.advance(POLL.minusMillis(1));
        assertEquals(List.of(), handler.positions);
        scheduler.advance(Duration.ofMillis(1));
        assertEquals(List.of(1L, 2L), handler.positions, "the poll found them");
        append("a", 1);
        scheduler.advance(POLL);
        assertEquals(List.of(1L, 2L, 3L), handler.positions, "and polls again");
    }

    @Test
    void aFailingHandlerGetsTheSameBatchAgainAfterTheBackoffAndNothingIsSkipped() {
        append("a", 2);
        List<Instant> attempts = Collections.synchronizedList(new ArrayList<>());
        Recording recording = new Recording();
        LogTracker tracker = tracker();
        Instant start = scheduler.instant();
        tracker.start(batch -> {
            attempts.add(scheduler.instant());
            if (attempts.size() <= 3) {
                throw new IllegalStateException("read model down");
            }
            return recording.handle(batch);
        });
        scheduler.runDue();
        assertEquals(1, attempts.size());
        assertTrue(tracker.isBackingOff());
        assertEquals("read model down", tracker.lastFailure().orElseThrow().getMessage());

        append("b", 1);
        scheduler.runDue();
        scheduler.advance(Duration.ofMillis(99));
        assertEquals(1, attempts.size(), "neither an append nor time short of the backoff tries again");

        scheduler.advance(Duration.ofSeconds(2));
        assertEquals(List.of(start, start.plusMillis(100), start.plusMillis(300), start.plusMillis(700)), attempts,
                "attempts after 100, 200 and 400 ms");
        assertEquals(List.of(1L, 2L, 3L), recording.positions, "the failed batch first, then the rest, in order");
        assertTrue(tracker.lastFailure().isEmpty());
        assertFalse(tracker.isBackingOff());
        assertEquals(3, checkpoint());
    }

    @Test
    void aFailingPollIsNotRetriedBeforeItsBackoffEither() {
        NoChangeCaptureStore noCapture = new NoChangeCaptureStore(store);
        LogTracker tracker = LogTracker.builder("summaries", store, noCapture, checkpoints).scheduler(scheduler)
                .retry(RetryPolicy.custom().initialDelay(Duration.ofSeconds(30)).maxDelay(Duration.ofSeconds(30)).jitter(0).build())
                .pollInterval(Duration.ofSeconds(1)).build();
        trackers.add(tracker);
        AtomicInteger attempts = new AtomicInteger();
        tracker.start(batch -> {
            attempts.incrementAndGet();
            throw new IllegalStateException("down");
        });
        scheduler.runDue();
        append("a", 1);
        scheduler.advance(Duration.ofSeconds(1));
        assertEquals(1, attempts.get());
        scheduler.advance(Duration.ofSeconds(29));
        assertEquals(1, attempts.get(), "29 polls came and went during the 30 s backoff");
        scheduler.advance(Duration.ofSeconds(1));
        assertEquals(2, attempts.get());
    }

    @Test
    void theCheckpointIsWhatTheHandlerDeclaresDone() {
        append("a", 3);
        AtomicBoolean holdBack = new AtomicBoolean(true);
        LogTracker tracker = tracker();
        tracker.start(batch -> holdBack.get() ? LogTracker.NO_CHECKPOINT : batch.get(0).globalPosition());
        scheduler.runDue();
        assertEquals(3, tracker.position());
        assertEquals(-1, checkpoint(), "NO_CHECKPOINT stores nothing");

        holdBack.set(false);
        append("a", 1);
        scheduler.runDue();
        assertEquals(4, checkpoint(), "the first position of the batch, as declared");

        tracker.checkpoint(2);
        assertEquals(4, checkpoint(), "never backwards");
        tracker.checkpoint(99);
        assertEquals(4, checkpoint(), "never beyond what was handed over");
    }

    @Test
    void progressDeclaredOutsideABatchIsStoredAtOnce() {
        append("a", 3);
        LogTracker tracker = tracker();
        tracker.start(batch -> batch.get(0).globalPosition() - 1);
        scheduler.runDue();
        assertEquals(-1, checkpoint(), "the handler kept everything open");

        tracker.checkpoint(2);
        assertEquals(2, checkpoint());
        tracker.checkpoint(LogTracker.NO_CHECKPOINT);
        assertEquals(2, checkpoint());
    }

    @Test
    void stopStoresTheCheckpointAndStartResumesAfterIt() {
        append("a", 2);
        Recording handler = new Recording();
        LogTracker tracker = tracker();
        tracker.start(handler);
        scheduler.runDue();
        tracker.stop();
        tracker.stop();
        assertFalse(tracker.isRunning());
        append("a", 1);
        scheduler.advance(POLL.multipliedBy(3));
        assertEquals(List.of(1L, 2L), handler.positions, "nothing while stopped");

        tracker.start(handler);
        scheduler.runDue();
        assertEquals(List.of(1L, 2L, 3L), handler.positions, "resumed after the checkpoint, nothing repeated");

        tracker.stop();
        tracker.resetTo(1);
        assertEquals(1, checkpoint());
        tracker.start(handler);
        scheduler.runDue();
        assertEquals(List.of(1L, 2L, 3L, 2L, 3L), handler.positions, "replayed after the position it was reset to");
        assertThrows(IllegalStateException.class, () -> tracker.resetTo(0), "not while running");
    }

    @Test
    void aStartThatFailsToLoadTheCheckpointLeavesNothingRunningAndCanBeRepeated() {
        AtomicBoolean down = new AtomicBoolean(true);
        CheckpointStore flaky = new CheckpointStore() {
            @Override
            public Optional<Checkpoint> load(String consumer, String partition) {
                if (down.get()) {
                    throw new IllegalStateException("checkpoint table unreachable");
                }
                return checkpoints.load(consumer, partition);
            }

            @Override
            public Map<String, Checkpoint> loadAll(String consumer) {
                return checkpoints.loadAll(consumer);
            }

            @Override
            public void save(String consumer, String partition, String position) {
                checkpoints.save(consumer, partition, position);
            }

            @Override
            public void reset(String consumer) {
                checkpoints.reset(consumer);
            }
        };
        AtomicInteger open = new AtomicInteger();
        SubscribeToAppends counted = listener -> {
            open.incrementAndGet();
            Subscription inner = store.subscribe(listener);
            return () -> {
                open.decrementAndGet();
                inner.close();
            };
        };
        append("a", 1);
        Recording handler = new Recording();
        LogTracker tracker = tracker(counted, flaky, scheduler);
        assertThrows(IllegalStateException.class, () -> tracker.start(handler));
        assertFalse(tracker.isRunning());
        assertEquals(0, open.get(), "no subscription left behind");

        down.set(false);
        tracker.start(handler);
        scheduler.runDue();
        assertEquals(List.of(1L), handler.positions);
        assertEquals(1, open.get());
        tracker.close();
        tracker.close();
        assertEquals(0, open.get());
        assertThrows(IllegalStateException.class, () -> tracker.start(handler), "closed for good");
    }

    @Test
    void aStartTheSchedulerRefusesClosesItsSubscriptionAndCanBeRepeated() {
        AtomicBoolean refuse = new AtomicBoolean(true);
        TaskScheduler refusing = (task, delay) -> {
            if (refuse.get()) {
                throw new RejectedExecutionException("scheduler shut down");
            }
            return scheduler.schedule(task, delay);
        };
        AtomicInteger open = new AtomicInteger();
        SubscribeToAppends counted = listener -> {
            open.incrementAndGet();
            Subscription inner = store.subscribe(listener);
            return () -> {
                open.decrementAndGet();
                inner.close();
            };
        };
        Recording handler = new Recording();
        LogTracker tracker = tracker(counted, checkpoints, refusing);
        assertThrows(RejectedExecutionException.class, () -> tracker.start(handler));
        assertFalse(tracker.isRunning());
        assertEquals(0, open.get());
        append("a", 1);

        refuse.set(false);
        tracker.start(handler);
        scheduler.runDue();
        assertEquals(List.of(1L), handler.positions);
    }

    @Test
    void aRestartDoesNotLeaveTwoPollsRunning() {
        NoChangeCaptureStore noCapture = new NoChangeCaptureStore(store);
        AtomicInteger reads = new AtomicInteger();
        ReadAll counting = new ReadAll() {
            @Override
            public List<EventEnvelope> readAll(long fromPosition, int maxCount) {
                reads.incrementAndGet();
                return store.readAll(fromPosition, maxCount);
            }

            @Override
            public long headPosition() {
                return store.headPosition();
            }
        };
        LogTracker tracker = LogTracker.builder("summaries", counting, noCapture, checkpoints).scheduler(new TaskScheduler() {
                    @Override
                    public Cancellable schedule(Runnable task, Duration delay) {
                        // Cancelling is ignored, as a scheduler whose task already started would.
                        scheduler.schedule(task, delay);
                        return () -> { };
                    }
                }).pollInterval(POLL).build();
        trackers.add(tracker);
        Recording handler = new Recording();
        tracker.start(handler);
        scheduler.runDue();
        tracker.stop();
        tracker.start(handler);
        scheduler.runDue();
        scheduler.advance(POLL.multipliedBy(2));
        reads.set(0);
        scheduler.advance(POLL);
        assertEquals(1, reads.get(), "one poll per interval, not one per start");
    }

    @Test
    void catchUpNowHandsOverEverythingOnTheCallingThread() {
        append("a", 7);
        Recording handler = new Recording();
        LogTracker tracker = tracker();
        tracker.start(handler);
        assertTrue(tracker.catchUpNow());
        assertEquals(7, handler.positions.size(), "in batches of 3 without running the scheduler");
        assertEquals(7, checkpoint());
        tracker.stop();
        assertFalse(tracker.catchUpNow(), "not while stopped");
    }

    @Test
    void inlineTrackersHandleAppendsOnTheAppendingThreadOnlyWhenAtTheHead() {
        append("a", 7);
        Recording handler = new Recording();
        LogTracker tracker = LogTracker.builder("summaries", store, store, checkpoints).scheduler(scheduler)
                .pollInterval(POLL).batchSize(3).inline(true).build();
        trackers.add(tracker);
        tracker.start(handler);
        append("b", 1);
        assertEquals(List.of(), handler.positions, "behind: the backlog is left to the scheduler, not the appender");
        scheduler.runDue();
        assertEquals(8, handler.positions.size());

        append("b", 2);
        assertEquals(List.of(9L, 10L), handler.positions.subList(8, 10), "at the head: handled before append returned");
        assertEquals(10, checkpoint());
    }

    @Test
    void replayHandsTheLogToTheHandlerUntilTheHeadWithoutACheckpoint() throws Exception {
        append("a", 5);
        Recording handler = new Recording();
        List<Integer> sizes = new ArrayList<>();
        long last = LogTracker.replay(store, 1, 2, batch -> {
            sizes.add(batch.size());
            return handler.handle(batch);
        });
        assertEquals(5, last);
        assertEquals(List.of(2L, 3L, 4L, 5L), handler.positions);
        assertEquals(List.of(2, 2), sizes);
        assertEquals(-1, checkpoint());
        assertEquals(5, LogTracker.replay(store, 5, 10, batch -> {
            throw new AssertionError("nothing after the head");
        }));
    }

    @Test
    void rejectsBadOptions() {
        assertThrows(IllegalArgumentException.class, () -> LogTracker.builder(" ", store, store, checkpoints));
        IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
                () -> LogTracker.builder("c", store, store, checkpoints).batchSize(0));
        assertEquals("batchSize must be 1..100000, but was 0", batch.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LogTracker.builder("c", store, store, checkpoints).pollInterval(Duration.ZERO));
        LogTracker tracker = tracker();
        tracker.start(new Recording());
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> tracker.start(new Recording()));
        assertTrue(twice.getMessage().contains("'summaries'"), twice.getMessage());
    }
}
