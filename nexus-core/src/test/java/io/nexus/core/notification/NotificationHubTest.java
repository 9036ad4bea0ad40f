package io.nexus.core.notification;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.projection.ManualScheduler;
import io.nexus.core.projection.Projection;
import io.nexus.core.projection.ProjectionProcessor;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.store.Subscription;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NotificationHubTest {

    private final ManualScheduler scheduler = new ManualScheduler();
    private final NotificationHub hub = NotificationHub.builder(scheduler).clock(scheduler).build();

    private static EventEnvelope event(String stream, long version, String type) {
        return new EventEnvelope(UUID.randomUUID(), stream, "Order", version, version, type, 1, Instant.EPOCH, null, null,
                Map.of(), EventPayload.ofJson("{}"));
    }

    @Test
    void subscribersOfAnAggregateLearnItsIdVersionAndEventTypeOnceAProjectionHasAppliedIt() {
        InMemoryEventStore store = InMemoryEventStore.builder().clock(scheduler).build();
        record Placed(String id) {
        }
        EventCodec codec = EventCodec.jackson(EventTypes.builder().register(Placed.class, "Placed", 1).build());
        List<String> applied = Collections.synchronizedList(new ArrayList<>());
        Projection orders = new Projection() {
            public String name() {
                return "orders";
            }

            public Set<String> eventTypes() {
                return Set.of("Placed");
            }

            public void handle(Object event, EventEnvelope envelope) {
                applied.add(envelope.idempotencyKey());
            }
        };
        List<Notification> received = Collections.synchronizedList(new ArrayList<>());
        hub.subscribe("client-1", "order-1", 0, received::add);
        try (ProjectionProcessor processor = ProjectionProcessor.builder(orders, store, codec).scheduler(scheduler)
                .clock(scheduler).listener(hub).build()) {
            processor.start();
            store.append("order-1", "Order", ExpectedVersion.noStream(),
                    List.of(codec.encode(new Placed("order-1"), UUID.randomUUID(), null, null, Map.of())));
            store.append("order-2", "Order", ExpectedVersion.noStream(),
                    List.of(codec.encode(new Placed("order-2"), UUID.randomUUID(), null, null, Map.of())));
            assertTrue(received.isEmpty(), "nothing before the projection has applied the event");
            CompletableFuture<Notification> visible = hub.awaitVersion("order-1", 1, Duration.ofSeconds(5));
            assertFalse(visible.isDone());
            scheduler.runDue();

            assertEquals(List.of(new Notification("orders", "order-1", 1, "Placed")), received, "only its own aggregate");
            assertEquals(new Notification("orders", "order-1", 1, "Placed"), visible.join());
            assertEquals(List.of("order-1@1", "order-2@1"), applied);
        }
    }

    @Test
    void waitingForAVersionCompletesAtOnceWhenVisibleAndTimesOutWithATypedError() throws Exception {
        hub.applied("orders", event("order-1", 3, "Shipped"));
        assertEquals(3, hub.awaitVersion("order-1", 2, Duration.ofSeconds(1)).join().version());
        assertEquals(3, hub.waitForVersion("order-1", 3, Duration.ofSeconds(1)).version());

        CompletableFuture<Notification> later = hub.awaitVersion("order-1", 5, Duration.ofSeconds(2));
        hub.applied("orders", event("order-1", 4, "Paid"));
        assertFalse(later.isDone(), "version 4 is not enough");
        scheduler.advance(Duration.ofMillis(1999));
        assertFalse(later.isDone());
        scheduler.advance(Duration.ofMillis(1));
        ExecutionException failed = assertThrows(ExecutionException.class, later::get);
        VersionWaitTimeoutException timeout = assertInstanceOf(VersionWaitTimeoutException.class, failed.getCause());
        assertEquals(5, timeout.expectedVersion());
        assertEquals(4, timeout.visibleVersion());
        assertTrue(timeout.isTransient());
        assertTrue(timeout.getMessage().contains("'order-1' expected version >= 5"), timeout.getMessage());

        CompletableFuture<Notification> reached = hub.awaitVersion("order-1", 5, Duration.ofSeconds(2));
        hub.applied("orders", event("order-1", 5, "Delivered"));
        assertEquals(5, reached.join().version());
        scheduler.advance(Duration.ofSeconds(5));
        assertEquals(5, reached.join().version(), "the cancelled timeout did not fire");
        assertThrows(IllegalArgumentException.class, () -> hub.awaitVersion("order-1", 0, Duration.ofSeconds(1)));
    }

    @Test
    void throttlesEachClientTo100PerSecondAndCoalescesToTheLatestVersionInsteadOfDropping() {
        List<Notification> slowClient = Collections.synchronizedList(new ArrayList<>());
        List<Notification> otherClient = Collections.synchronizedList(new ArrayList<>());
        for (int a = 0; a < 3; a++) {
            hub.subscribe("busy", "order-" + a, 0, slowClient::add);
        }
        hub.subscribe("quiet", "order-0", 0, otherClient::add);

        for (int v = 1; v <= 1000; v++) {
            for (int a = 0; a < 3; a++) {
                hub.applied("orders", event("order-" + a, v, "LineAdded"));
            }
        }
        assertEquals(100, slowClient.size(), "the burst allowance of the default 100/s");
        assertEquals(100, otherClient.size(), "each client has its own budget");

        scheduler.advance(Duration.ofSeconds(1));
        assertTrue(slowClient.size() <= 200, "at most 100 more in the next second: " + slowClient.size());
        for (int a = 0; a < 3; a++) {
            String id = "order-" + a;
            long lastSeen = slowClient.stream().filter(n -> n.aggregateId().equals(id)).mapToLong(Notification::version).max().orElseThrow();
            assertEquals(1000, lastSeen, "the latest version of " + id + " was delivered, coalesced");
        }
        assertEquals(1000, otherClient.get(otherClient.size() - 1).version());
        List<Long> versions = otherClient.stream().map(Notification::version).toList();
        assertEquals(versions.stream().sorted().toList(), versions, "versions never go backwards");
    }

    @Test
    void aReconnectingClientResumesFromTheLastVersionItSaw() {
        hub.applied("orders", event("order-1", 7, "Paid"));
        List<Notification> resumed = new ArrayList<>();
        Subscription s1 = hub.subscribe("client-1", "order-1", 3, resumed::add);
        assertEquals(List.of(new Notification("orders", "order-1", 7, "Paid")), resumed, "missed versions: the latest at once");

        List<Notification> upToDate = new ArrayList<>();
        hub.subscribe("client-2", "order-1", 7, upToDate::add);
        assertTrue(upToDate.isEmpty(), "nothing missed, nothing sent");

        s1.close();
        hub.applied("orders", event("order-1", 8, "Shipped"));
        assertEquals(1, resumed.size(), "a closed subscription receives nothing");
        assertEquals(List.of(8L), upToDate.stream().map(Notification::version).toList());
        assertEquals(8, hub.latest("order-1").orElseThrow().version());
    }

    @Test
    void projectionSubscribersHearOfEveryAggregate() {
        List<String> seen = new ArrayList<>();
        hub.subscribeToProjection("dashboard", "orders", n -> seen.add(n.aggregateId() + "@" + n.version()));
        hub.applied("orders", event("order-1", 1, "Placed"));
        hub.applied("invoices", event("invoice-1", 1, "Issued"));
        hub.applied("orders", event("order-2", 1, "Placed"));
        assertEquals(List.of("order-1@1", "order-2@1"), seen);
        assertThrows(IllegalArgumentException.class, () -> hub.subscribe(" ", "order-1", 0, n -> { }));
        assertThrows(IllegalArgumentException.class, () -> NotificationHub.builder(scheduler).ratePerClient(0));
    }
}
