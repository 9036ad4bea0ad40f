package io.nexus.kinesis;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nexus.core.bus.BusPath;
import io.nexus.core.bus.RoutingRule;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.router.EventRouter;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.store.Subscription;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.KinesisClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static io.nexus.kinesis.KinesisTesting.await;
import static io.nexus.kinesis.KinesisTesting.firstOccurrences;
import static io.nexus.kinesis.KinesisTesting.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store's change capture routed through the Kinesis bus to consumers on both paths, with the bus's meters. */
class EventRouterOnKinesisTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void routesStoredAndLiveEventsToThePrimaryAndSecondaryStreamsAndRecordsMeters() {
        KinesisMock mock = KinesisMock.get();
        String primary = mock.createStream("router-primary", 2);
        String secondary = mock.createStream("router-secondary", 1);
        InMemoryEventStore store = InMemoryEventStore.create();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
        for (int k = 0; k < 3; k++) {
            append(store, "order-" + k, "OrderPlaced", "AuditNoted", "OrderPaid");
        }
        try (KinesisClient client = mock.client();
             KinesisEventBus bus = KinesisEventBus.builder(client).primaryStream(primary).secondaryStream(secondary)
                     .routing(RoutingRule.secondaryFor(Set.of("AuditNoted"))).checkpoints(checkpoints)
                     .pollInterval(Duration.ofMillis(50)).maxPollInterval(Duration.ofMillis(500))
                     .meterRegistry(meters).build();
             EventRouter router = EventRouter.builder(store, store, bus).name("orders").checkpoints(checkpoints).build().start()) {
            Map<String, List<Long>> primaryVersions = new ConcurrentHashMap<>();
            Set<UUID> primaryIds = ConcurrentHashMap.newKeySet();
            Set<String> secondaryTypes = ConcurrentHashMap.newKeySet();
            Set<UUID> secondaryIds = ConcurrentHashMap.newKeySet();
            Subscription p = bus.subscribe("projections", BusPath.PRIMARY, e -> {
                primaryVersions.computeIfAbsent(e.streamId(), s -> Collections.synchronizedList(new ArrayList<>())).add(e.version());
                primaryIds.add(e.eventId());
            });
            Subscription s = bus.subscribe("audit", BusPath.SECONDARY, e -> {
                secondaryTypes.add(e.eventType());
                secondaryIds.add(e.eventId());
            });
            for (int k = 0; k < 3; k++) {
                append(store, "order-" + k, "OrderShipped");
            }
            await("6 + 3 primary events and 3 secondary events delivered", TIMEOUT,
                    () -> primaryIds.size() == 9 && secondaryIds.size() == 3);
            p.close();
            s.close();

            assertEquals(Set.of("AuditNoted"), secondaryTypes);
            for (int k = 0; k < 3; k++) {
                assertEquals(List.of(1L, 3L, 4L), firstOccurrences(List.copyOf(primaryVersions.get("order-" + k))),
                        "the primary path carries 'order-" + k + "' in order without its audit event");
            }
            await("the router checkpointed all 12 events", TIMEOUT, () -> router.position() == 12);
            assertEquals(0, router.lag());

            double published = meters.get("nexus.kinesis.publish.records").counters().stream().mapToDouble(c -> c.count()).sum();
            assertEquals(12.0, published, "each routed event published once");
            assertTrue(meters.get("nexus.kinesis.publish.batch.size").summary().count() > 0);
            assertEquals(9.0, meters.get("nexus.kinesis.consume.records").tag("group", "projections").counter().count());
            assertEquals(3.0, meters.get("nexus.kinesis.consume.records").tag("group", "audit").counter().count());
            assertTrue(meters.get("nexus.kinesis.consume.millis.behind").summaries().stream().allMatch(m -> m.count() > 0),
                    "iterator age is recorded");
        } finally {
            mock.deleteStream(primary);
            mock.deleteStream(secondary);
        }
        assertEquals(range(1, 4), store.read(io.nexus.core.store.StreamQuery.stream("order-0")).stream()
                .map(EventEnvelope::version).toList());
    }

    private static void append(InMemoryEventStore store, String stream, String... types) {
        List<NewEvent> events = new ArrayList<>();
        for (String type : types) {
            events.add(NewEvent.of(type, 1, EventPayload.ofJson("{\"type\":\"" + type + "\"}")));
        }
        store.append(stream, "Order", ExpectedVersion.any(), events);
    }
}
