package io.nexus.core.projection;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nexus.core.LogCapture;
import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.deadletter.InMemoryDeadLetterQueue;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.store.NoChangeCaptureStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.nexus.core.projection.Fixtures.CODEC;
import static io.nexus.core.projection.Fixtures.add;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A projection never applies an event whose predecessor in the same aggregate it has not
 * applied, and a start that fails leaves a processor that can start again.
 */
class ProjectionGapSafetyTest {

    private static final RetryPolicy NO_JITTER = RetryPolicy.custom().maxAttempts(5).initialDelay(Duration.ofMillis(100))
            .multiplier(2.0).maxDelay(Duration.ofSeconds(30)).jitter(0.0).build();

    private final ManualScheduler scheduler = new ManualScheduler();
    private final InMemoryEventStore store = InMemoryEventStore.builder().clock(scheduler).build();
    private final InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore(scheduler);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<ProjectionProcessor> processors = new ArrayList<>();
    private final LogCapture logs = LogCapture.start();

    @AfterEach
    void closeAll() {
        processors.forEach(ProjectionProcessor::close);
        logs.close();
    }

    /** A recorder whose read model keeps the last applied version per stream, and says so. */
    static final class VersionedRecorder extends Fixtures.Recorder {
        final Map<String, Long> versions = new ConcurrentHashMap<>();

        VersionedRecorder() {
            super("carts");
        }

        @Override
        public void handle(Object event, EventEnvelope envelope) {
            super.handle(event, envelope);
            versions.merge(envelope.streamId(), envelope.version(), Math::max);
        }

        @Override
        public OptionalLong lastAppliedVersion(String streamId) {
            Long version = versions.get(streamId);
            return version == null ? OptionalLong.empty() : OptionalLong.of(version);
        }
    }

    private ProjectionProcessor.Builder builder(Projection projection, InMemoryDeadLetterQueue deadLetters) {
        return ProjectionProcessor.builder(projection, store, CODEC).checkpoints(checkpoints).deadLetters(deadLetters)
                .retry(NO_JITTER).scheduler(scheduler).clock(scheduler).pollInterval(Duration.ofHours(1))
                .meterRegistry(meters);
    }

    private ProjectionProcessor started(ProjectionProcessor.Builder builder) {
        ProjectionProcessor processor = builder.build();
        processors.add(processor);
        processor.start();
        return processor;
    }

    /** v1 applied, v2 dead-lettered, v3..v5 parked behind it; then the process "dies". */
    private void firstRunDeadLettersVersionTwo(Fixtures.Recorder recorder, boolean acceptVolatile) {
        recorder.failWhen = e -> e.idempotencyKey().equals("cart-1@2");
        ProjectionProcessor.Builder builder = builder(recorder, new InMemoryDeadLetterQueue());
        if (acceptVolatile) {
            builder.checkpointPastVolatileDeadLetters();
        }
        ProjectionProcessor first = started(builder);
        add(store, "cart-1", "a", "poison", "c", "d", "e");
        add(store, "cart-2", "x");
        scheduler.advance(Duration.ofSeconds(5));
        assertEquals(1, first.deadLetters().size());
        assertEquals(List.of("a"), recorder.items("cart-1"));
        first.close();
    }

    @Test
    void aRestartWithAFreshInMemoryDeadLetterQueueNeverAppliesAnEventOverTheGap() {
        Fixtures.Recorder recorder = new Fixtures.Recorder("carts");
        firstRunDeadLettersVersionTwo(recorder, false);
        assertEquals(1, checkpoints.load("carts", Checkpoint.GLOBAL).orElseThrow().positionAsLong(),
                "the checkpoint waited before the dead letter, which only the in-memory queue recorded");

        InMemoryDeadLetterQueue fresh = new InMemoryDeadLetterQueue();
        ProjectionProcessor second = started(builder(recorder, fresh));
        add(store, "cart-1", "f");
        scheduler.runDue();
        assertEquals(List.of("a"), recorder.items("cart-1"), "v3..v6 are not applied over the missing v2");
        assertEquals(0, recorder.deliveriesOf("cart-1@6"));
        assertEquals(ProjectionHealth.Status.FAILING, second.health().status(), "v2 is met again and retried");

        scheduler.advance(Duration.ofSeconds(5));
        assertEquals(ProjectionHealth.Status.DEAD_LETTERS, second.health().status());
        DeadLetter letter = second.deadLetters().get(0);
        assertEquals(2, letter.event().version());

        recorder.failWhen = e -> false;
        assertTrue(second.retryDeadLetter(letter.id()));
        assertEquals(List.of("a", "poison", "c", "d", "e", "f"), recorder.items("cart-1"));
        assertEquals(ProjectionHealth.Status.RUNNING, second.health().status());
    }

    @Test
    void aVolatileQueueAcceptedExplicitlyLetsTheCheckpointPassAndTheReadModelsVersionCatchesTheGap() {
        VersionedRecorder recorder = new VersionedRecorder();
        firstRunDeadLettersVersionTwo(recorder, true);
        assertEquals(6, checkpoints.load("carts", Checkpoint.GLOBAL).orElseThrow().positionAsLong(),
                "the user accepted a queue that forgets: the checkpoint passed the dead letter");

        ProjectionProcessor second = started(builder(recorder, new InMemoryDeadLetterQueue()).checkpointPastVolatileDeadLetters());
        add(store, "cart-1", "f");
        scheduler.runDue();
        assertEquals(List.of("a"), recorder.items("cart-1"), "v6 found the read model at v1 and did not apply over the gap");
        assertEquals(1.0, meters.get("nexus.projection.gaps").tag("projection", "carts").counter().count());
        assertTrue(logs.text().contains("Projection 'carts' was handed stream 'cart-1' version 6 but last applied version 1"),
                logs.text());
        assertEquals(ProjectionHealth.Status.FAILING, second.health().status(), "v2, read back from the stream, fails again");

        scheduler.advance(Duration.ofSeconds(5));
        DeadLetter letter = second.deadLetters().get(0);
        assertEquals(2, letter.event().version(), "the dead letter is the missing predecessor");
        recorder.failWhen = e -> false;
        assertTrue(second.retryDeadLetter(letter.id()));
        assertEquals(List.of("a", "poison", "c", "d", "e", "f"), recorder.items("cart-1"));
    }

    @Test
    void aGapWhosePredecessorsNowSucceedIsClosedByReadingThemBackInOrder() {
        VersionedRecorder recorder = new VersionedRecorder();
        firstRunDeadLettersVersionTwo(recorder, true);

        recorder.failWhen = e -> false;
        ProjectionProcessor second = started(builder(recorder, new InMemoryDeadLetterQueue()).checkpointPastVolatileDeadLetters());
        add(store, "cart-1", "f");
        scheduler.runDue();
        assertEquals(List.of("a", "poison", "c", "d", "e", "f"), recorder.items("cart-1"), "read back, then v6");
        assertEquals(1.0, meters.get("nexus.projection.gaps").counter().count());
        assertEquals(ProjectionHealth.Status.RUNNING, second.health().status());
        assertEquals(List.of("x"), recorder.items("cart-2"), "other streams untouched");
    }

    @Test
    void startOnAStoreWithoutChangeCaptureFollowsTheLogByPolling() {
        NoChangeCaptureStore noCapture = new NoChangeCaptureStore(store);
        Fixtures.Recorder recorder = new Fixtures.Recorder("carts");
        ProjectionProcessor processor = ProjectionProcessor.builder(recorder, noCapture, CODEC).scheduler(scheduler)
                .clock(scheduler).pollInterval(Duration.ofSeconds(1)).build();
        processors.add(processor);
        processor.start();
        scheduler.runDue();
        add(store, "cart-1", "a");
        scheduler.advance(Duration.ofSeconds(1));
        assertEquals(List.of("a"), recorder.items("cart-1"));
        assertEquals(ProjectionHealth.Status.RUNNING, processor.health().status());
        assertEquals(1, noCapture.subscribeCalls());
    }

    @Test
    void aFailedStartLeavesAStoppedProcessorThatStartsAgainAndClosesCleanly() {
        AtomicBoolean unreachable = new AtomicBoolean(true);
        CheckpointStore flaky = new CheckpointStore() {
            @Override
            public Optional<Checkpoint> load(String consumer, String partition) {
                if (unreachable.get()) {
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
        Fixtures.Recorder recorder = new Fixtures.Recorder("carts");
        ProjectionProcessor processor = builder(recorder, new InMemoryDeadLetterQueue()).checkpoints(flaky).build();
        processors.add(processor);
        assertThrows(IllegalStateException.class, processor::start);
        assertEquals(ProjectionHealth.Status.STOPPED, processor.health().status());
        assertThrows(IllegalStateException.class, () -> processor.rebuild(new Fixtures.Recorder("carts"), 0),
                "not running");
        add(store, "cart-1", "a");
        scheduler.runDue();
        assertEquals(List.of(), recorder.items("cart-1"), "nothing runs after a failed start");

        unreachable.set(false);
        processor.start();
        scheduler.runDue();
        assertEquals(List.of("a"), recorder.items("cart-1"));
        assertNotEquals(ProjectionHealth.Status.STOPPED, processor.health().status());
        assertDoesNotThrow(processor::close);
        assertDoesNotThrow(processor::close);
        assertEquals(ProjectionHealth.Status.STOPPED, processor.health().status());
    }

    @Test
    void closingAProcessorThatNeverStartedIsHarmless() {
        ProjectionProcessor processor = builder(new Fixtures.Recorder("carts"), new InMemoryDeadLetterQueue()).build();
        assertDoesNotThrow(processor::close);
        assertFalse(processor.health().healthy());
    }
}
