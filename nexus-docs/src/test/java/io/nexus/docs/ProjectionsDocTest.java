package io.nexus.docs;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nexus.core.Nexus;
import io.nexus.core.bus.BusPath;
import io.nexus.core.bus.ConsumerGroup;
import io.nexus.core.bus.ConsumerGroupHealth;
import io.nexus.core.bus.InMemoryEventBus;
import io.nexus.core.bus.RoutingRule;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.deadletter.InMemoryDeadLetterQueue;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.notification.Notification;
import io.nexus.core.notification.NotificationHub;
import io.nexus.core.projection.ProcessingMode;
import io.nexus.core.projection.Projection;
import io.nexus.core.projection.ProjectionProcessor;
import io.nexus.core.projection.ShadowRebuild;
import io.nexus.core.projection.TaskScheduler;
import io.nexus.core.readmodel.InMemoryReadModelStores;
import io.nexus.core.readmodel.ReadModelStore;
import io.nexus.core.readmodel.ReadModelStores;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.serialization.EventType;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.store.EventStore;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.tracking.LogTracker;
import io.nexus.testkit.Await;
import io.nexus.testkit.logging.LogCapture;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The code of docs/projections.md, run on the embedded engines. */
class ProjectionsDocTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @EventType("OrderPlaced")
    record OrderPlaced(String customerId) { }

    @EventType("OrderConfirmed")
    record OrderConfirmed() { }

    @EventType("AuditNoted")
    record AuditNoted(String text) { }

    /** One row of the order-summaries read model. */
    record Summary(String customerId, String status) { }

    private static final EventTypes TYPES = EventTypes.builder()
            .register(OrderPlaced.class).register(OrderConfirmed.class).register(AuditNoted.class).build();
    private static final EventCodec CODEC = EventCodec.jackson(TYPES);

    // tag::projection[]
    /** The order-summaries read model: one row per order, written with the order's version. */
    static final class OrderSummaries implements Projection {
        private final ReadModelStore<Summary> readModels;

        OrderSummaries(ReadModelStores stores) {
            this.readModels = stores.store("order-summaries", Summary.class);
        }

        @Override
        public String name() {
            return "order-summaries";                        // checkpoints and dead letters are stored under it
        }

        @Override
        public Set<String> eventTypes() {
            return Set.of("OrderPlaced", "OrderConfirmed");  // event type names handled; others pass by
        }

        @Override
        public void handle(Object event, EventEnvelope envelope) {
            if (event instanceof OrderPlaced placed) {
                readModels.put(envelope.streamId(), new Summary(placed.customerId(), "PLACED"), envelope.version());
            } else if (event instanceof OrderConfirmed) {
                Summary row = readModels.get(envelope.streamId()).orElseThrow().value();
                // put ignores a version already applied: a redelivered event changes nothing
                readModels.put(envelope.streamId(), new Summary(row.customerId(), "CONFIRMED"), envelope.version());
            }
        }

        // tag::last-applied[]
        @Override
        public OptionalLong lastAppliedVersion(String streamId) {
            return readModels.get(streamId).map(summary -> OptionalLong.of(summary.version())).orElse(OptionalLong.empty());
        }
        // end::last-applied[]
    }
    // end::projection[]

    /** A consumer that fails while {@link #broken} is set, as a bug would until it is fixed. */
    static final class Invoices {
        final AtomicBoolean broken = new AtomicBoolean();
        final List<String> invoiced = new CopyOnWriteArrayList<>();

        void on(EventEnvelope event) {
            if (broken.get()) {
                throw new IllegalStateException("invoice template missing");
            }
            invoiced.add(event.streamId() + "@" + event.version());
        }
    }

    /** Records what the secondary path delivers. */
    static final class Audit {
        final List<String> recorded = new CopyOnWriteArrayList<>();

        void record(EventEnvelope event) {
            recorded.add(event.eventType());
        }
    }

    private static void append(EventStore store, String streamId, long expected, Object... events) {
        store.append(streamId, "Order", expected == 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(expected),
                java.util.Arrays.stream(events).map(e -> CODEC.encode(e, UUID.randomUUID(), null, null, Map.of())).toList());
    }

    @Test
    void theBusRoutesPerPathDeadLettersAPoisonEventAndRetriesItAfterTheFix() {
        InMemoryEventStore store = InMemoryEventStore.create();
        append(store, "order-1", 0, new OrderPlaced("c-1"), new AuditNoted("placed by phone"));
        append(store, "order-2", 0, new OrderPlaced("c-2"));
        InMemoryCheckpointStore checkpointStore = new InMemoryCheckpointStore();
        Invoices invoices = new Invoices();
        invoices.broken.set(true);
        Audit audit = new Audit();
        // tag::bus[]
        InMemoryEventBus bus = InMemoryEventBus.builder()
                .routing(RoutingRule.secondaryFor(Set.of("AuditNoted", "PageViewed")))
                .checkpoints(checkpointStore)          // default: a fresh InMemoryCheckpointStore
                .partitions(4)                          // per path: the parallelism of each group
                .consumerRetry(RetryPolicy.attempts(2)) // default: 5 attempts, then a dead letter
                .build();
        ConsumerGroup billing = bus.subscribe("billing", BusPath.PRIMARY, event -> invoices.on(event));
        bus.subscribe("audit", BusPath.SECONDARY, event -> audit.record(event));
        // end::bus[]
        try (bus; LogCapture logs = LogCapture.start()) {
            bus.publish(store.readAll(1, 10));
            Await.until("both placements dead-lettered, the audit note recorded", WAIT, () -> billing.deadLetters().size() == 2 && billing.health().status() == ConsumerGroupHealth.Status.DEAD_LETTERS
                    && audit.recorded.size() == 1);
            assertEquals(ConsumerGroupHealth.Status.DEAD_LETTERS, billing.health().status());
            assertEquals(List.of("AuditNoted"), audit.recorded);

            invoices.broken.set(false);
            // tag::dead-letters[]
            for (DeadLetter letter : billing.deadLetters()) {      // oldest first
                billing.retryDeadLetter(letter.id());             // after the fix; or billing.discardDeadLetter(letter.id())
            }
            billing.health();                                     // status and counts
            // end::dead-letters[]
            assertEquals(Set.of("order-1@1", "order-2@1"), Set.copyOf(invoices.invoiced));
            assertEquals(ConsumerGroupHealth.Status.RUNNING, billing.health().status());
            logs.assertContains("Consumer group 'billing/primary' dead-lettered 'OrderPlaced' of stream 'order-1' version 1 after 2 attempts",
                    "invoice template missing");
        }
    }

    @Test
    void aLogTrackerHandsOverBatchesAndCheckpointsWhatTheHandlerReturns() {
        InMemoryEventStore store = InMemoryEventStore.create();
        append(store, "order-1", 0, new OrderPlaced("c-1"), new OrderConfirmed());
        InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
        List<EventEnvelope> applied = new CopyOnWriteArrayList<>();
        Summaries summaries = applied::add;
        try (TaskScheduler scheduler = TaskScheduler.singleThread("order-summaries")) {
            // tag::tracker[]
            LogTracker tracker = LogTracker.builder("order-summaries", store, store, checkpoints)
                    .scheduler(scheduler)                 // default: one daemon thread, stopped by close()
                    .batchSize(500).pollInterval(Duration.ofSeconds(1))
                    .retry(RetryPolicy.custom().initialDelay(Duration.ofMillis(50)).maxDelay(Duration.ofSeconds(10)).jitter(0.5).build())
                    .build();
            tracker.start(batch -> {
                batch.forEach(summaries::apply);
                return batch.get(batch.size() - 1).globalPosition();
            });
            // end::tracker[]
            try (tracker) {
                Await.until("the tracker to checkpoint both events", WAIT, () -> tracker.checkpointedPosition() == 2);
                assertEquals(2, applied.size());
            }
        }
    }

    /** What the tracker's handler applies each event to. */
    interface Summaries {
        void apply(EventEnvelope event);
    }

    @Test
    void aProcessorFeedsTheProjectionRebuildsItBesideAndNotifies() {
        InMemoryCheckpointStore checkpointStore = new InMemoryCheckpointStore();
        InMemoryDeadLetterQueue deadLetterQueue = new InMemoryDeadLetterQueue();
        MeterRegistry meterRegistry = new SimpleMeterRegistry();
        ReadModelStores readModels = new InMemoryReadModelStores();
        ReadModelStores newReadModels = new InMemoryReadModelStores();
        try (Nexus nexus = Nexus.builder().eventTypes(TYPES).build();
             TaskScheduler notifications = TaskScheduler.singleThread("notifications")) {
            EventStore store = nexus.eventStore();
            append(store, "order-42", 0, new OrderPlaced("c-1"));
            NotificationHub notificationHub = NotificationHub.builder(notifications).build();
            // tag::processor[]
            ProjectionProcessor processor = ProjectionProcessor.builder(new OrderSummaries(readModels), store, nexus.codec())
                    .checkpoints(checkpointStore)
                    .deadLetters(deadLetterQueue)
                    .mode(ProcessingMode.ASYNC)                  // or INLINE
                    .retry(RetryPolicy.custom().maxAttempts(5).initialDelay(Duration.ofMillis(100))
                            .multiplier(2).maxDelay(Duration.ofSeconds(30)).jitter(1.0).build())
                    .listener(notificationHub)
                    .meterRegistry(meterRegistry)
                    .build();
            processor.start();
            // end::processor[]
            try (processor) {
                notificationHub.waitForVersion("order-42", 1, Duration.ofSeconds(30));
                assertEquals("PLACED", readModels.store("order-summaries", Summary.class).get("order-42").orElseThrow().value().status());

                // tag::rebuild[]
                ShadowRebuild rebuild = processor.rebuild(new OrderSummaries(newReadModels), 0);   // from the beginning
                rebuild.progress();              // RebuildProgress(done, total, eventsPerSecond, elapsed, caughtUp)
                rebuild.switchWhenCaughtUp();    // or switchOver() once progress().caughtUp()
                // end::rebuild[]
                Await.until("the rebuild to switch over", WAIT, () -> !rebuild.inProgress());
                assertEquals("PLACED", newReadModels.store("order-summaries", Summary.class).get("order-42").orElseThrow().value().status());

                append(store, "order-42", 1, new OrderConfirmed());
                Result result = new Result(2);
                notificationHub.waitForVersion("order-42", result.version(), Duration.ofSeconds(30));
                List<Notification> sent = new CopyOnWriteArrayList<>();
                Socket socket = sent::add;
                String clientId = "browser-1";
                long lastSeenVersion = 1;
                NotificationHub hub = notificationHub;
                // tag::notifications[]
                // hub: NotificationHub.builder(TaskScheduler.singleThread("notifications")).build(), the processor's listener
                hub.subscribe(clientId, "order-42", lastSeenVersion, n -> socket.send(n));   // Notification(projection, aggregateId, version, eventType)
                hub.subscribeToProjection(clientId, "order-summaries", n -> socket.send(n));
                hub.waitForVersion("order-42", result.version(), Duration.ofSeconds(2));       // read-your-writes; or awaitVersion(...) for a future
                // end::notifications[]
                Await.until("the missed version sent to the reconnecting client", WAIT, () -> !sent.isEmpty());
                assertEquals(2, sent.get(0).version());
            }
        }
    }

    /** Where the page's notifications go: a WebSocket in the example app. */
    interface Socket {
        void send(Notification notification);
    }

    /** The version a command answered with, as {@code CommandResult.version()}. */
    record Result(long version) { }

}
