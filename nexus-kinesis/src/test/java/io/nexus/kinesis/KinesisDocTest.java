package io.nexus.kinesis;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nexus.core.bus.BusPath;
import io.nexus.core.bus.ConsumerGroup;
import io.nexus.core.bus.RoutingRule;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.deadletter.InMemoryDeadLetterQueue;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.router.EventRouter;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.InMemoryEventStore;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.KinesisClient;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.nexus.kinesis.KinesisTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The code of docs/kinesis.md, run against kinesis-mock. */
class KinesisDocTest {

    private final List<EventEnvelope> handled = new CopyOnWriteArrayList<>();

    private void handle(EventEnvelope event) {
        handled.add(event);
    }

    @Test
    void setUp() {
        KinesisMock mock = KinesisMock.get();
        for (String stream : List.of("orders-events", "orders-audit")) {
            mock.admin().createStream(r -> r.streamName(stream).shardCount(1));
            mock.admin().waiter().waitUntilStreamExists(r -> r.streamName(stream));
        }
        InMemoryEventStore eventStore = InMemoryEventStore.create();
        InMemoryCheckpointStore checkpointStore = new InMemoryCheckpointStore();
        InMemoryDeadLetterQueue deadLetterQueue = new InMemoryDeadLetterQueue();
        MeterRegistry meterRegistry = new SimpleMeterRegistry();
        try (KinesisClient kinesis = mock.client()) {
            // tag::setup[]
            // kinesis: your KinesisClient, e.g. KinesisClient.builder().httpClient(UrlConnectionHttpClient.create()).build()
            // (any synchronous SDK HTTP client); closing the bus never closes it
            KinesisEventBus bus = KinesisEventBus.builder(kinesis)
                    .primaryStream("orders-events")                  // required
                    .secondaryStream("orders-audit")                 // optional
                    .routing(RoutingRule.secondaryFor(Set.of("AuditNoted", "EmailSent")))
                    .checkpoints(checkpointStore)                    // e.g. the DynamoDB checkpoint store; in-memory by default
                    .deadLetters(deadLetterQueue)                    // dead letters and parked events; in-memory by default
                    .meterRegistry(meterRegistry)
                    .build();                                        // checks that both streams exist and are active

            EventRouter router = EventRouter.builder(eventStore, eventStore, bus)
                    .name("orders")
                    .checkpoints(checkpointStore)
                    .build()
                    .start();

            ConsumerGroup group = bus.subscribe("order-projections", BusPath.PRIMARY, event -> handle(event));
            group.health();                                          // RUNNING / FAILING / DEAD_LETTERS / STOPPED, counts
            group.deadLetters();                                     // retryDeadLetter(id) / discardDeadLetter(id)
            // end::setup[]
            try (bus; router; group) {
                eventStore.append("order-1", "Order", ExpectedVersion.noStream(), List.of(
                        NewEvent.of("OrderPlaced", 1, EventPayload.ofJson("{}")),
                        NewEvent.of("AuditNoted", 1, EventPayload.ofJson("{}"))));
                await("the primary event handled", Duration.ofSeconds(60), () -> !handled.isEmpty());
                assertEquals("OrderPlaced", handled.get(0).eventType());
                await("the router checkpointed both events", Duration.ofSeconds(60), () -> router.position() == 2);
                assertTrue(handled.stream().noneMatch(e -> e.eventType().equals("AuditNoted")),
                        "the audit event goes to the secondary stream only");
                assertTrue(group.deadLetters().isEmpty());
            }
        }
    }
}
