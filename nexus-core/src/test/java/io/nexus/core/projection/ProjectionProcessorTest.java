package io.nexus.core.projection;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nexus.core.LogCapture;
import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.deadletter.DeadLetterNotFoundException;
import io.nexus.core.deadletter.InMemoryDeadLetterQueue;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.serialization.EventSerializationException;
import io.nexus.core.serialization.EventType;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.serialization.JacksonEventSerializer;
import io.nexus.core.serialization.UnknownEventTypeException;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.upcast.Upcaster;
import io.nexus.core.upcast.UpcasterChain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.nexus.core.projection.Fixtures.CODEC;
import static io.nexus.core.projection.Fixtures.add;
import static io.nexus.core.projection.Fixtures.raw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProjectionProcessorTest {

    private final ManualScheduler scheduler = new ManualScheduler();
    private final InMemoryEventStore store = InMemoryEventStore.builder().clock(scheduler).build();
    private final InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore(scheduler);
    private final InMemoryDeadLetterQueue deadLetters = new InMemoryDeadLetterQueue();
    private final List<ProjectionProcessor> processors = new ArrayList<>();
    private final LogCapture logs = LogCapture.start();

    private static final RetryPolicy NO_JITTER = RetryPolicy.custom().maxAttempts(5).initialDelay(Duration.ofMillis(100))
            .multiplier(2.0).maxDelay(Duration.ofSeconds(30)).jitter(0.0).build();

    @AfterEach
    void stopAll() {
        processors.forEach(ProjectionProcessor::close);
        logs.close();
    }

    private ProjectionProcessor processor(Projection projection) {
        return processor(projection, CODEC, ProcessingMode.ASYNC, checkpoints);
    }

    private ProjectionProcessor processor(Projection projection, EventCodec codec, ProcessingMode mode, CheckpointStore cps) {
        ProjectionProcessor p = ProjectionProcessor.builder(projection, store, codec).checkpoints(cps)
                .deadLetters(deadLetters).retry(NO_JITTER).scheduler(scheduler).clock(scheduler).mode(mode)
                .pollInterval(Duration.ofHours(1)).stallThreshold(Duration.ofSeconds(10)).batchSize(4).build();
        processors.add(p);
        return p;
    }

    @Test
    void handlesEveryDeclaredEventFromTheGlobalLogAndStoresTheCheckpoint() {
        add(store, "cart-1", "a", "b");
        add(store, "cart-2", "x");
        store.append("cart-1", "Cart", io.nexus.core.store.ExpectedVersion.any(),
                List.of(CODEC.encode(new Fixtures.Ignored("skip me"), UUID.randomUUID(), null, null, Map.of())));
        add(store, "cart-1", "c");
        Fixtures.Recorder recorder = new Fixtures.Recorder("carts");
        ProjectionProcessor processor = processor(recorder);
        processor.start();
        scheduler.runDue();

        assertEquals(List.of("a", "b", "c"), recorder.items("cart-1"));
        assertEquals(List.of("x"), recorder.items("cart-2"));
        assertEquals(5, processor.position());
        assertEquals("5", checkpoints.load("carts", Checkpoint.GLOBAL).orElseThrow().position());

        add(store, "cart-2", "y");
        scheduler.runDue();
        assertEquals(List.of("x", "y"), recorder.items("cart-2"), "woken by the store's append notification");
    }

    @Test
    void aRestartResumesFromTheCheckpointWithoutSkippingOrRepeating() {
        add(store, "cart-1", "a", "b", "c");
        Fixtures.Recorder first = new Fixtures.Recorder("carts");
        ProjectionProcessor p1 = processor(first);
        p1.start();
        scheduler.runDue();
        p1.stop();
        add(store, "cart-1", "d");
        add(store, "cart-2", "e");

        Fixtures.Recorder second = new Fixtures.Recorder("carts");
        processor(second).start();
        scheduler.runDue();
        assertEquals(List.of("cart-1@4", "cart-2@1"), second.deliveries);
    }

    @Test
    void aCrashBetweenHandlingAndStoringTheCheckpointRedeliversAndNothingIsLost() {
        add(store, "cart-1", "a", "b");
        AtomicBoolean dead = new AtomicBoolean();
        CheckpointStore crashing = new CheckpointStore() {
            @Override
            public Optional<Checkpoint> load(String consumer, String partition) {
                return checkpoints.load(consumer, partition);
            }

            @Override
            public Map<String, Checkpoint> loadAll(String consumer) {
                return checkpoints.loadAll(consumer);
            }

            @Override
            public void save(String consumer, String partition, String position) {
                if (dead.get()) {
                    throw new IllegalStateException("process died before the checkpoint was stored");
                }
                checkpoints.save(consumer, partition, position);
            }

            @Override
            public void reset(String consumer) {
                checkpoints.reset(consumer);
            }
        };
        Fixtures.Recorder recorder = new Fixtures.Recorder("carts");
        ProjectionProcessor p1 = processor(recorder, CODEC, ProcessingMode.ASYNC, crashing);
        p1.start();
        scheduler.runDue();
        dead.set(true);
        add(store, "cart-1", "c");
        add(store, "cart-2", "d");
        scheduler.runDue();
        assertEquals(List.of("a", "b", "c"), recorder.items("cart-1"), "handled, but the checkpoint was not stored");
        p1.stop();

        ProjectionProcessor p2 = processor(recorder, CODEC, ProcessingMode.ASYNC, checkpoints);
        p2.start();
        scheduler.runDue();
        assertEquals(2, recorder.deliveriesOf("cart-1@3"), "redelivered after the crash");
        assertEquals(2, recorder.deliveriesOf("cart-2@1"), "redelivered after the crash");
        assertEquals(1, recorder.deliveriesOf("cart-1@1"), "stored checkpoints are not redelivered");
        assertEquals(List.of("a", "b", "c"), recorder.items("cart-1"), "the idempotency key kept the read model exact");
        assertEquals(List.of("d"), recorder.items("cart-2"));
        assertEquals("4", checkpoints.load("carts", Checkpoint.GLOBAL).orElseThrow().position());
    }

    @Test
    void retriesAFailingEventWithExponentialBackoffOnTheControllableClock() {
        Fixtures.Recorder recorder = new Fixtures.Recorder("carts");
        List<Instant> attempts = Collections.synchronizedList(new ArrayList<>());
        recorder.failWhen = e -> {
            attempts.add(scheduler.instant());
            return attempts.size() <= 3;
        };
        ProjectionProcessor processor = processor(recorder);
        processor.start();
        scheduler.runDue();
        Instant start = scheduler.instant();
        add(store, "cart-1", "a");
        scheduler.runDue();
        assertEquals(1, attempts.size());

        scheduler.advance(Duration.ofMillis(99));
        assertEquals(1, attempts.size(), "no retry before the first 100 ms delay");
        scheduler.advance(Duration.ofSeconds(5));
        assertEquals(List.of(start, start.plusMillis(100), start.plusMillis(300), start.plusMillis(700)), attempts,
                "attempts after 100, 200 and 400 ms");
        assertEquals(List.of("a"), recorder.items("cart-1"));
        assertTrue(deadLetters.list("carts").isEmpty());
        assertEquals(ProjectionHealth.Status.RUNNING, processor.health().status());
    }

    @Test
    void jitterDrawsEachDelayBetweenZeroAndTheExponentialBound() {
        RetryPolicy jittered = NO_JITTER.toBuilder().jitter(1.0).build();
        Fixtures.Recorder recorder = new Fixtures.Recorder("carts");
        List<Instant> attempts = Collections.synchronizedList(new ArrayList<>());
        recorder.failWhen = e -> attempts.add(scheduler.instant());
        ProjectionProcessor processor = ProjectionProcessor.builder(recorder, store, CODEC).checkpoints(checkpoints)
                .deadLetters(deadLetters).retry(jittered).random(new SplittableRandom(7)).scheduler(scheduler)
                .clock(scheduler).pollInterval(Duration.ofHours(1)).build();
        processors.add(processor);
        processor.start();
        add(store, "cart-1", "a");
        scheduler.advance(Duration.ofSeconds(10));
        assertEquals(5, attempts.size());
        SplittableRandom replay = new SplittableRandom(7);
        for (int i = 1; i < attempts.size(); i++) {
            Duration gap = Duration.between(attempts.get(i - 1), attempts.get(i));
            Duration bound = Duration.ofMillis(100L << (i - 1));
            assertTrue(gap.compareTo(bound) <= 0, "delay " + i + " was " + gap + ", above " + bound);
            assertEquals(jittered.delayAfter(i, replay), gap, "delay " + i + " comes from the seeded jitter");
        }
    }

    @Test
    void deadLettersAfterFiveAttemptsWhileOtherAggregatesContinueAndTheSameAggregateWaits() {
        Fixtures.Recorder recorder = new Fixtures.Recorder("carts");
        recorder.failWhen = e -> e.idempotencyKey().equals("cart-1@2");
        ProjectionProcessor processor = processor(recorder);
        processor.start();
        add(store, "cart-1", "a", "poison");
        add(store, "cart-2", "x");
        add(store, "cart-1", "after-1");
        add(store, "cart-2", "y");
        scheduler.runDue();

        assertEquals(List.of("x", "y"), recorder.items("cart-2"), "other aggregates go on during retries");
        assertEquals(List.of("a"), recorder.items("cart-1"));
        assertEquals(ProjectionHealth.Status.FAILING, processor.health().status());
        assertEquals(1, processor.health().retrying());
        assertEquals("1", checkpoints.load("carts", Checkpoint.GLOBAL).orElseThrow().position(),
                "the checkpoint does not pass an event still being retried");

        scheduler.advance(Duration.ofMillis(1499));
        assertEquals(4, recorder.deliveriesOf("cart-1@2"));
        assertTrue(deadLetters.list("carts").isEmpty());
        scheduler.advance(Duration.ofMillis(1));
        assertEquals(5, recorder.deliveriesOf("cart-1@2"), "5 attempts: at 0, 100, 300, 700 and 1500 ms");
        List<DeadLetter> letters = processor.deadLetters();
        assertEquals(1, letters.size());
        DeadLetter letter = letters.get(0);
        assertEquals("cart-1", letter.event().streamId());
        assertEquals(2, letter.event().version());
        assertEquals(5, letter.attempts());
        assertEquals(IllegalStateException.class.getName(), letter.causeType());
        assertEquals("handler rejects cart-1@2", letter.causeMessage());
        assertTrue(letter.causeTrace().contains("Recorder.handle"), letter.causeTrace());
        assertTrue(logs.text().contains("Projection 'carts' dead-lettered 'ItemAdded' of stream 'cart-1' version 2 after 5 attempts"),
                logs.text());
        assertTrue(!logs.text().contains("\tat "), "the log names the cause; its stack trace is in the dead letter");

        add(store, "cart-1", "after-2");
        add(store, "cart-2", "z");
        scheduler.advance(Duration.ofSeconds(60));
        assertEquals(List.of("a"), recorder.items("cart-1"), "later events of the aggregate stay parked");
        assertEquals(0, recorder.deliveriesOf("cart-1@3"));
        assertEquals(List.of("x", "y", "z"), recorder.items("cart-2"));
        ProjectionHealth health = processor.health();
        assertEquals(ProjectionHealth.Status.DEAD_LETTERS, health.status());
        assertEquals(1, health.deadLetters());
        assertEquals(0, health.lagEvents());
        assertEquals("1", checkpoints.load("carts", Checkpoint.GLOBAL).orElseThrow().position(),
                "the in-memory queue forgets its dead letters with the process, so the checkpoint waits before them");

        recorder.failWhen = e -> false;
        assertTrue(processor.retryDeadLetter(letter.id()));
        assertEquals(List.of("a", "poison", "after-1", "after-2"), recorder.items("cart-1"), "released in order");
        assertEquals("7", checkpoints.load("carts", Checkpoint.GLOBAL).orElseThrow().position(),
                "released: the checkpoint catches up at once");
        assertTrue(processor.deadLetters().isEmpty());
        assertEquals(ProjectionHealth.Status.RUNNING, processor.health().status());

        add(store, "cart-1", "later");
        scheduler.runDue();
        assertEquals(List.of("a", "poison", "after-1", "after-2", "later"), recorder.items("cart-1"));
    }

    @Test
    void aRetriedDeadLetterThatFailsAgainStaysWithTheNewCause() {
        Fixtures.Recorder recorder = new Fixtures.Recorder("carts");
        recorder.failWhen = e -> e.version() == 1;
        ProjectionProcessor processor = processor(recorder);
        processor.start();
        add(store, "cart-1", "a", "b");
        scheduler.advance(Duration.ofSeconds(5));
        DeadLetter letter = processor.deadLetters().get(0);

        assertFalse(processor.retryDeadLetter(letter.id()));
        DeadLetter again = processor.deadLetters().get(0);
        assertEquals(letter.id(), again.id());
        assertEquals(6, again.attempts());
        assertEquals(List.of(), recorder.items("cart-1"));
        assertThrows(DeadLetterNotFoundException.class, () -> processor.retryDeadLetter(UUID.randomUUID()));
    }

    @Test
    void discardingADeadLetterReleasesTheParkedEventsInOrder() {
        Fixtures.Recorder recorder = new Fixtures.Recorder("carts");
        recorder.failWhen = e -> e.idempotencyKey().equals("cart-1@1");
        ProjectionProcessor processor = processor(recorder);
        processor.start();
        add(store, "cart-1", "bad", "b", "c");
        scheduler.advance(Duration.ofSeconds(5));
        assertEquals(List.of(), recorder.items("cart-1"));

        processor.discardDeadLetter(processor.deadLetters().get(0).id());
        assertEquals(List.of("b", "c"), recorder.items("cart-1"));
        assertTrue(deadLetters.list("carts").isEmpty());
    }

    @Test
    void anUndecodablePayloadIsRetriedThenDeadLetteredWithTheCauseAndBlocksNoOtherAggregate() {
        Fixtures.Recorder recorder = new Fixtures.Recorder("carts");
        ProjectionProcessor processor = processor(recorder);
        processor.start();
        raw(store, "cart-1", "ItemAdded", 1, "{not json");
        add(store, "cart-1", "parked");
        add(store, "cart-2", "fine");
        scheduler.runDue();
        assertEquals(List.of("fine"), recorder.items("cart-2"));
        scheduler.advance(Duration.ofSeconds(5));

        DeadLetter letter = processor.deadLetters().get(0);
        assertEquals(EventSerializationException.class.getName(), letter.causeType());
        assertTrue(letter.causeMessage().contains("'cart-1' version 1"), letter.causeMessage());
        assertEquals(5, letter.attempts());
        assertEquals(List.of(), recorder.items("cart-1"), "never skipped: the next event waits");
    }

    @Test
    void anUnknownEventTypeIsRetriedThenDeadLetteredWithTheCause() {
        Fixtures.Recorder recorder = new Fixtures.Recorder("carts", Set.of("ItemAdded", "ItemRemoved"));
        ProjectionProcessor processor = processor(recorder);
        processor.start();
        raw(store, "cart-1", "ItemRemoved", 1, "{\"item\":\"a\"}");
        add(store, "cart-2", "fine");
        scheduler.advance(Duration.ofSeconds(5));

        assertEquals(List.of("fine"), recorder.items("cart-2"));
        DeadLetter letter = processor.deadLetters().get(0);
        assertEquals(UnknownEventTypeException.class.getName(), letter.causeType());
        assertTrue(letter.causeMessage().contains("'ItemRemoved'"), letter.causeMessage());
    }

    @EventType(value = "PriceSet", version = 2)
    record PriceSet(long cents) {
    }

    @Test
    void aDeadLetterIsUpcastWhenRetried() {
        EventTypes types = EventTypes.builder().register(PriceSet.class).build();
        EventCodec codec = new EventCodec(types, new JacksonEventSerializer(), UpcasterChain.of(types, List.of(
                Upcaster.of("PriceSet", 1, node -> {
                    ObjectNode out = node.objectNode();
                    out.put("cents", node.get("euros").asLong() * 100);
                    return out;
                }))));
        List<Object> seen = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean broken = new AtomicBoolean(true);
        Projection prices = new Projection() {
            @Override
            public String name() {
                return "prices";
            }

            @Override
            public Set<String> eventTypes() {
                return Set.of("PriceSet");
            }

            @Override
            public void handle(Object event, EventEnvelope envelope) {
                if (broken.get()) {
                    throw new IllegalStateException("price table missing");
                }
                seen.add(event);
            }
        };
        ProjectionProcessor processor = processor(prices, codec, ProcessingMode.ASYNC, checkpoints);
        processor.start();
        raw(store, "product-1", "PriceSet", 1, "{\"euros\":5}");
        scheduler.advance(Duration.ofSeconds(5));
        DeadLetter letter = processor.deadLetters().get(0);
        assertEquals(1, letter.event().schemaVersion(), "the dead letter keeps the event as stored");

        broken.set(false);
        assertTrue(processor.retryDeadLetter(letter.id()));
        assertEquals(List.of(new PriceSet(500)), seen);
    }

    @Test
    void deadLettersSurviveARestartAndKeepTheirAggregateParked() {
        Fixtures.Recorder first = new Fixtures.Recorder("carts");
        first.failWhen = e -> e.idempotencyKey().equals("cart-1@1");
        ProjectionProcessor p1 = processor(first);
        p1.start();
        add(store, "cart-1", "bad", "b");
        scheduler.advance(Duration.ofSeconds(5));
        p1.stop();
        add(store, "cart-1", "c");
        add(store, "cart-2", "x");

        Fixtures.Recorder second = new Fixtures.Recorder("carts");
        ProjectionProcessor p2 = processor(second);
        p2.start();
        scheduler.runDue();
        assertEquals(List.of("x"), second.items("cart-2"));
        assertEquals(List.of(), second.items("cart-1"), "cart-1 is still parked after the restart");

        assertTrue(p2.retryDeadLetter(p2.deadLetters().get(0).id()));
        assertEquals(List.of("bad", "b", "c"), second.items("cart-1"));
    }

    @Test
    void aRestartDuringRetriesHandlesTheFailingEventAgain() {
        Fixtures.Recorder first = new Fixtures.Recorder("carts");
        first.failWhen = e -> e.idempotencyKey().equals("cart-1@1");
        ProjectionProcessor p1 = processor(first);
        p1.start();
        add(store, "cart-1", "flaky", "b");
        add(store, "cart-2", "x");
        scheduler.runDue();
        p1.stop();

        Fixtures.Recorder second = new Fixtures.Recorder("carts");
        processor(second).start();
        scheduler.runDue();
        assertEquals(List.of("flaky", "b"), second.items("cart-1"), "the event being retried was not lost");
    }

    @Test
    void reportsLagInEventsAndInTimeAndAStall() {
        Fixtures.Recorder recorder = new Fixtures.Recorder("carts");
        ProjectionProcessor processor = processor(recorder);
        processor.start();
        scheduler.runDue();
        add(store, "cart-1", "a", "b", "c");
        scheduler.skip(Duration.ofSeconds(4));

        ProjectionHealth health = processor.health();
        assertEquals(3, health.lagEvents());
        assertEquals(Duration.ofSeconds(4), health.lagTime());
        assertEquals(ProjectionHealth.Status.RUNNING, health.status());

        scheduler.skip(Duration.ofSeconds(7));
        health = processor.health();
        assertEquals(ProjectionHealth.Status.STALLED, health.status(), "behind and no progress for 11 s > 10 s");
        assertEquals(Duration.ofSeconds(11), health.lagTime());

        scheduler.runDue();
        health = processor.health();
        assertEquals(0, health.lagEvents());
        assertEquals(Duration.ZERO, health.lagTime());
        assertEquals(3, health.position());
        assertEquals(ProjectionHealth.Status.RUNNING, health.status());
        processor.stop();
        assertEquals(ProjectionHealth.Status.STOPPED, processor.health().status());
    }

    @Test
    void aShadowRebuildServesTheOldInstanceUntilItSwitchesAndReportsProgress() {
        for (int i = 0; i < 20; i++) {
            add(store, "cart-" + (i % 3), "item-" + i);
        }
        Fixtures.Recorder v1 = new Fixtures.Recorder("carts");
        ProjectionProcessor processor = processor(v1);
        processor.start();
        scheduler.runDue();
        assertEquals(20, v1.applied.size());

        Fixtures.Recorder v2 = new Fixtures.Recorder("carts");
        ShadowRebuild rebuild = processor.rebuild(v2, 0);
        RebuildProgress before = rebuild.progress();
        assertEquals(0, before.done());
        assertEquals(20, before.total());
        assertFalse(before.caughtUp());

        scheduler.skip(Duration.ofSeconds(2));
        assertTrue(scheduler.runOne(), "one drain: up to 8 batches of 4 events for each instance");
        RebuildProgress midway = rebuild.progress();
        assertTrue(midway.done() > 0 && midway.done() <= 20, "done " + midway.done());
        assertEquals(midway.done() / 2.0, midway.eventsPerSecond(), 1e-9);
        assertSame(v1, processor.active(), "the old instance serves during the rebuild");

        scheduler.runDue();
        add(store, "cart-9", "during-rebuild");
        scheduler.runDue();
        assertTrue(rebuild.progress().caughtUp());
        assertEquals(21, rebuild.progress().done());
        assertSame(v1, processor.active());
        assertEquals(List.of("during-rebuild"), v1.items("cart-9"), "the old instance kept serving");

        rebuild.switchOver();
        assertSame(v2, processor.active());
        assertFalse(rebuild.inProgress());
        assertEquals(21, v2.applied.size());
        assertEquals("21", checkpoints.load("carts", Checkpoint.GLOBAL).orElseThrow().position());

        add(store, "cart-9", "after-switch");
        scheduler.runDue();
        assertEquals(List.of("during-rebuild", "after-switch"), v2.items("cart-9"));
        assertEquals(List.of("during-rebuild"), v1.items("cart-9"), "the old instance is retired");

        IllegalStateException over = assertThrows(IllegalStateException.class, rebuild::progress);
        assertTrue(over.getMessage().contains("is over"), over.getMessage());
        ShadowRebuild next = processor.rebuild(new Fixtures.Recorder("carts"), 0);
        rebuild.cancel();
        assertTrue(next.inProgress(), "a finished rebuild's handle does not touch the next rebuild");
        next.cancel();
        assertFalse(next.inProgress());
        assertSame(v2, processor.active());
    }

    @Test
    void aRebuildCannotSwitchBeforeItCatchesUpAndCanSwitchByItself() {
        for (int i = 0; i < 40; i++) {
            add(store, "cart-" + (i % 5), "item-" + i);
        }
        Fixtures.Recorder v1 = new Fixtures.Recorder("carts");
        ProjectionProcessor processor = processor(v1);
        processor.start();
        scheduler.runDue();

        Fixtures.Recorder v2 = new Fixtures.Recorder("carts");
        ShadowRebuild rebuild = processor.rebuild(v2, 11);
        assertEquals(30, rebuild.progress().total());
        assertThrows(IllegalStateException.class, () -> processor.rebuild(new Fixtures.Recorder("carts"), 0));
        IllegalStateException early = assertThrows(IllegalStateException.class, rebuild::switchOver);
        assertTrue(early.getMessage().contains("caught up"), early.getMessage());

        rebuild.switchWhenCaughtUp();
        scheduler.runDue();
        assertSame(v2, processor.active());
        assertEquals(30, v2.applied.size(), "rebuilt from position 11");
        assertThrows(IllegalArgumentException.class, () -> processor.rebuild(new Fixtures.Recorder("other"), 0));
    }

    @Test
    void aSwitchAskedForWhileTheLastBatchIsHandledHappensWithoutAnotherAppend() {
        for (int i = 0; i < 8; i++) {
            add(store, "cart-" + (i % 3), "item-" + i);
        }
        // Runs the first zero-delay task scheduled once armed on the scheduling thread: the switch check the
        // last batch's hook schedules then runs before the tracker has recorded that batch's position, as a
        // scheduler thread can.
        AtomicBoolean armed = new AtomicBoolean();
        TaskScheduler racing = (task, delay) -> {
            if (delay.isZero() && armed.compareAndSet(true, false)) {
                task.run();
                return () -> { };
            }
            return scheduler.schedule(task, delay);
        };
        ProjectionProcessor processor = ProjectionProcessor.builder(new Fixtures.Recorder("carts"), store, CODEC)
                .checkpoints(checkpoints).deadLetters(deadLetters).retry(NO_JITTER).scheduler(racing).clock(scheduler)
                .pollInterval(Duration.ofHours(1)).stallThreshold(Duration.ofSeconds(10)).batchSize(4).build();
        processors.add(processor);
        processor.start();
        scheduler.runDue();

        Fixtures.Recorder v2 = new Fixtures.Recorder("carts");
        v2.failWhen = e -> {
            if (e.globalPosition() == 8) {
                armed.set(true);
            }
            return false;
        };
        ShadowRebuild rebuild = processor.rebuild(v2, 0);
        armed.set(true);
        rebuild.switchWhenCaughtUp();
        assertTrue(rebuild.inProgress(), "asked for before the rebuild has handled anything");
        scheduler.runDue();
        assertFalse(armed.get(), "the check ran inside the last batch");
        assertSame(v2, processor.active(), "switched once the last batch was handled, with no further append");
        assertEquals(8, v2.applied.size());
    }

    @Test
    void inlineModeAppliesTheEventBeforeTheAppendReturns() {
        Fixtures.Recorder recorder = new Fixtures.Recorder("carts");
        ProjectionProcessor processor = processor(recorder, CODEC, ProcessingMode.INLINE, checkpoints);
        processor.start();
        scheduler.runDue();
        add(store, "cart-1", "a", "b");
        assertEquals(List.of("a", "b"), recorder.items("cart-1"), "read-your-writes without running the scheduler");
        assertEquals(2, processor.position());
        scheduler.runDue();
        assertEquals(2, recorder.deliveries.size(), "the asynchronous path does not repeat inline work");
    }

    @Test
    void inlineModeFailuresGoToTheRetryPathAndNeverFailTheAppend() {
        Fixtures.Recorder recorder = new Fixtures.Recorder("carts");
        recorder.failWhen = e -> e.version() == 1 && recorder.deliveriesOf(e.idempotencyKey()) < 3;
        ProjectionProcessor processor = processor(recorder, CODEC, ProcessingMode.INLINE, checkpoints);
        processor.start();
        add(store, "cart-1", "a");
        add(store, "cart-1", "b");
        assertEquals(List.of(), recorder.items("cart-1"));
        scheduler.advance(Duration.ofSeconds(1));
        assertEquals(List.of("a", "b"), recorder.items("cart-1"));
    }

    @Test
    void runsOnItsOwnThreadByDefault() throws InterruptedException {
        Fixtures.Recorder recorder = new Fixtures.Recorder("carts");
        try (ProjectionProcessor processor = ProjectionProcessor.builder(recorder, store, CODEC).build()) {
            processor.start();
            add(store, "cart-1", "a");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (recorder.applied.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            assertEquals(List.of("a"), recorder.items("cart-1"));
        }
    }

    @Test
    void rejectsAProjectionWithoutEventTypesOrName() {
        IllegalArgumentException noTypes = assertThrows(IllegalArgumentException.class,
                () -> ProjectionProcessor.builder(new Fixtures.Recorder("p", Set.of()), store, CODEC));
        assertTrue(noTypes.getMessage().contains("'p'"), noTypes.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ProjectionProcessor.builder(new Fixtures.Recorder(" "), store, CODEC));
        ProjectionProcessor processor = processor(new Fixtures.Recorder("carts"));
        processor.start();
        assertThrows(IllegalStateException.class, processor::start);
    }

    @Test
    void aHandlerThatThrowsAnErrorIsDeadLetteredLikeAnyOtherFailure() {
        Projection broken = new Projection() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public Set<String> eventTypes() {
                return Set.of("ItemAdded");
            }

            @Override
            public void handle(Object event, EventEnvelope envelope) {
                throw new AssertionError("invariant violated by " + envelope.idempotencyKey());
            }
        };
        ProjectionProcessor processor = processor(broken);
        processor.start();
        add(store, "cart-1", "a");
        scheduler.advance(Duration.ofSeconds(5));
        DeadLetter letter = processor.deadLetters().get(0);
        assertEquals(AssertionError.class.getName(), letter.causeType());
        assertEquals(1, processor.position());
    }

    @Test
    void stoppingAbandonsARebuildAndARestartResumesServing() {
        add(store, "cart-1", "a", "b");
        Fixtures.Recorder v1 = new Fixtures.Recorder("carts");
        ProjectionProcessor processor = processor(v1);
        processor.start();
        scheduler.runDue();
        ShadowRebuild rebuild = processor.rebuild(new Fixtures.Recorder("carts"), 0);
        processor.stop();
        assertFalse(rebuild.inProgress());
        assertTrue(checkpoints.load("carts#rebuild", Checkpoint.GLOBAL).isEmpty());
        add(store, "cart-1", "c");
        processor.start();
        scheduler.runDue();
        assertSame(v1, processor.active());
        assertEquals(List.of("a", "b", "c"), v1.items("cart-1"));
        assertEquals(3, v1.deliveries.size());
    }
}
