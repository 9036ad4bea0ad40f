package io.nexus.core.router;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nexus.core.Awaiting;
import io.nexus.core.bus.BusPath;
import io.nexus.core.bus.EventPublisher;
import io.nexus.core.bus.InMemoryEventBus;
import io.nexus.core.bus.RoutingRule;
import io.nexus.core.checkpoint.Checkpoint;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.store.NoChangeCaptureStore;
import io.nexus.core.store.Subscription;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventRouterTest {

    private static final RetryPolicy FAST = RetryPolicy.custom().initialDelay(Duration.ofMillis(1))
            .maxDelay(Duration.ofMillis(20)).build();

    private final InMemoryEventStore store = InMemoryEventStore.create();

    private void append(String stream, String... types) {
        List<NewEvent> events = new ArrayList<>();
        for (String type : types) {
            events.add(NewEvent.of(type, 1, EventPayload.ofJson("{}")));
        }
        store.append(stream, "Order", ExpectedVersion.any(), events);
    }

    /** Records what it is given, one list per publish call. */
    private static final class Recorder implements EventPublisher {
        final List<EventEnvelope> published = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void publish(List<EventEnvelope> events) {
            published.addAll(events);
        }

        List<Long> positions() {
            synchronized (published) {
                return published.stream().map(EventEnvelope::globalPosition).toList();
            }
        }
    }

    @Test
    void catchesUpOnStoredEventsThenFollowsNewAppendsInGlobalOrder() {
        append("order-1", "Placed", "Paid");
        append("order-2", "Placed");
        Recorder bus = new Recorder();
        try (EventRouter router = EventRouter.builder(store, store, bus).pollInterval(Duration.ofSeconds(30)).build().start()) {
            Awaiting.until("the three stored events were published", () -> bus.published.size() == 3);
            append("order-1", "Shipped");
            append("order-3", "Placed", "Paid");
            Awaiting.until("the live appends were published", () -> bus.published.size() == 6);
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), bus.positions());
            Awaiting.until("the checkpoint caught up", () -> router.position() == 6);
            assertEquals(0, router.lag());
        }
    }

    @Test
    void resumesFromItsCheckpointAfterARestartWithoutMissingAppendsMadeWhileItWasDown() {
        InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
        Recorder bus = new Recorder();
        append("order-1", "Placed", "Paid");
        try (EventRouter router = EventRouter.builder(store, store, bus).name("orders").checkpoints(checkpoints).build().start()) {
            Awaiting.until("first run published both", () -> router.position() == 2);
        }
        append("order-1", "Shipped");
        append("order-2", "Placed");
        assertEquals("2", checkpoints.load("event-router/orders", Checkpoint.GLOBAL).orElseThrow().position());

        try (EventRouter router = EventRouter.builder(store, store, bus).name("orders").checkpoints(checkpoints).build().start()) {
            Awaiting.until("second run published the appends made while it was down", () -> router.position() == 4);
        }
        assertEquals(List.of(1L, 2L, 3L, 4L), bus.positions(), "each event once, none missed");
    }

    @Test
    void aFailingPublishIsRetriedAndNothingIsSkippedOrReordered() {
        AtomicInteger failuresLeft = new AtomicInteger(3);
        Recorder delegate = new Recorder();
        EventPublisher flaky = events -> {
            if (failuresLeft.getAndDecrement() > 0) {
                throw new IllegalStateException("bus unavailable");
            }
            delegate.publish(events);
        };
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        append("order-1", "Placed", "Paid");
        try (EventRouter router = EventRouter.builder(store, store, flaky).backoff(FAST).meterRegistry(meters).build().start()) {
            Awaiting.until("published after the failures", () -> router.position() == 2);
            append("order-2", "Placed");
            Awaiting.until("and the next append too", () -> router.position() == 3);
            assertTrue(router.lastFailure().isEmpty(), "the failure cleared once a publish succeeded");
        }
        assertEquals(List.of(1L, 2L, 3L), delegate.positions());
        assertEquals(3.0, meters.get("nexus.router.retries").tag("step", "publish").counter().count());
    }

    @Test
    void whilePublishingFailsTheFailureIsReportedAndTheCheckpointStays() {
        EventPublisher down = events -> {
            throw new IllegalStateException("bus down");
        };
        append("order-1", "Placed");
        try (EventRouter router = EventRouter.builder(store, store, down).backoff(FAST).build().start()) {
            Awaiting.until("the failure is reported", () -> router.lastFailure().isPresent());
            assertTrue(router.lastFailure().orElseThrow().getMessage().contains("bus down"));
            assertTrue(router.lastFailure().orElseThrow().isTransient());
            assertEquals(0, router.position());
            assertEquals(1, router.lag());
        }
    }

    @Test
    void aCrashBetweenPublishAndCheckpointPublishesAgainWithTheSameEventIds() {
        Recorder bus = new Recorder();
        InMemoryCheckpointStore durable = new InMemoryCheckpointStore();
        CheckpointStore crashing = new CheckpointStore() {
            @Override
            public Optional<Checkpoint> load(String consumer, String partition) {
                return durable.load(consumer, partition);
            }

            @Override
            public Map<String, Checkpoint> loadAll(String consumer) {
                return durable.loadAll(consumer);
            }

            @Override
            public void save(String consumer, String partition, String position) {
                throw new IllegalStateException("process died before the checkpoint was stored");
            }

            @Override
            public void reset(String consumer) {
                durable.reset(consumer);
            }
        };
        append("order-1", "Placed", "Paid");
        try (EventRouter router = EventRouter.builder(store, store, bus).checkpoints(crashing).backoff(FAST).build().start()) {
            Awaiting.until("published, then stuck on the checkpoint", () -> bus.published.size() == 2 && router.lastFailure().isPresent());
        }
        try (EventRouter router = EventRouter.builder(store, store, bus).checkpoints(durable).build().start()) {
            Awaiting.until("republished after the restart", () -> router.position() == 2);
        }
        List<UUID> ids = bus.published.stream().map(EventEnvelope::eventId).toList();
        assertEquals(4, ids.size(), "both events were published twice");
        assertEquals(2, Set.copyOf(ids).size(), "the duplicates carry the same event ids");
    }

    @Test
    void theBusRoutingRuleSendsEachEventTypeToItsPath() {
        try (InMemoryEventBus bus = InMemoryEventBus.builder().routing(RoutingRule.secondaryFor(Set.of("AuditNoted"))).build();
             EventRouter router = EventRouter.builder(store, store, bus).build().start()) {
            Map<BusPath, List<String>> seen = new ConcurrentHashMap<>();
            Subscription primary = bus.subscribe("app", BusPath.PRIMARY, e ->
                    seen.computeIfAbsent(BusPath.PRIMARY, p -> Collections.synchronizedList(new ArrayList<>())).add(e.eventType()));
            Subscription secondary = bus.subscribe("app", BusPath.SECONDARY, e ->
                    seen.computeIfAbsent(BusPath.SECONDARY, p -> Collections.synchronizedList(new ArrayList<>())).add(e.eventType()));
            append("order-1", "Placed", "AuditNoted", "Paid");
            Awaiting.until("both paths received their events", () -> seen.getOrDefault(BusPath.PRIMARY, List.of()).size() == 2
                    && seen.getOrDefault(BusPath.SECONDARY, List.of()).size() == 1);
            assertEquals(List.of("Placed", "Paid"), List.copyOf(seen.get(BusPath.PRIMARY)));
            assertEquals(List.of("AuditNoted"), List.copyOf(seen.get(BusPath.SECONDARY)));
            primary.close();
            secondary.close();
            assertEquals(3, router.position());
        }
    }

    @Test
    void aStoreWithoutChangeCaptureIsRoutedByPolling() {
        NoChangeCaptureStore noCapture = new NoChangeCaptureStore(store);
        Recorder bus = new Recorder();
        append("order-1", "Placed");
        try (EventRouter router = EventRouter.builder(noCapture, noCapture, bus).pollInterval(Duration.ofMillis(20)).build().start()) {
            Awaiting.until("the stored event was published", () -> router.position() == 1);
            append("order-1", "Paid");
            Awaiting.until("the next append was found by a poll", () -> router.position() == 2);
        }
        assertEquals(List.of(1L, 2L), bus.positions());
    }

    @Test
    void rejectsBadOptionsAndASecondStart() {
        EventRouter.Builder builder = EventRouter.builder(store, store, EventPublisher.none());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> builder.batchSize(0));
        assertEquals("batchSize must be 1..10000, but was 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> builder.name(" "));
        try (EventRouter router = builder.build().start()) {
            IllegalStateException again = assertThrows(IllegalStateException.class, router::start);
            assertTrue(again.getMessage().contains("event-router/default"), again.getMessage());
        }
    }

    @Test
    void publishesLargeBacklogsInBatchesOfTheConfiguredSize() {
        for (int i = 0; i < 25; i++) {
            append("order-" + i, "Placed", "Paid");
        }
        List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
        Recorder bus = new Recorder();
        try (EventRouter router = EventRouter.builder(store, store, events -> {
            sizes.add(events.size());
            bus.publish(events);
        }).batchSize(20).build().start()) {
            Awaiting.until("all 50 published", () -> router.position() == 50);
        }
        assertEquals(List.of(20, 20, 10), List.copyOf(sizes));
        assertEquals(50, bus.positions().stream().collect(Collectors.toSet()).size());
    }

}
