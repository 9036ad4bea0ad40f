package io.nexus.postgresql;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.Subscription;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The change feed reaches appends of other processes (here: another store instance on its own pool) by
 * {@code LISTEN/NOTIFY}, and by its poll when the writer sends no notifications.
 */
class PostgresChangeFeedTest {

    @Test
    void anotherProcessesAppendsReachASubscriberByNotify() throws Exception {
        assertDelivered(true, Duration.ofHours(1));
    }

    @Test
    void withoutNotificationsThePollDeliversThem() throws Exception {
        assertDelivered(false, Duration.ofMillis(100));
    }

    @Test
    void aClosedStoreRefusesNewSubscriptions() {
        PostgresEventStore store = PostgresEventStore.builder(EmbeddedPostgresServer.dataSource())
                .schema(EmbeddedPostgresServer.freshSchema("feed")).build();
        store.subscribe(events -> { }).close();
        store.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.subscribe(events -> { }));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    private static void assertDelivered(boolean notifications, Duration subscriberPoll) throws Exception {
        String schema = EmbeddedPostgresServer.freshSchema("feed");
        List<EventEnvelope> told = new ArrayList<>();
        try (PostgresEventStore subscriber = PostgresEventStore.builder(EmbeddedPostgresServer.dataSource()).schema(schema)
                .pollInterval(subscriberPoll).build();
             var otherPool = EmbeddedPostgresServer.newPool(2);
             PostgresEventStore writer = PostgresEventStore.builder(otherPool).schema(schema)
                     .notifications(notifications).build();
             Subscription ignored = subscriber.subscribe(batch -> {
                 synchronized (told) {
                     told.addAll(batch);
                     told.notifyAll();
                 }
             })) {
            List<UUID> appended = new ArrayList<>();
            String stream = "order-" + UUID.randomUUID();
            for (int i = 0; i < 5; i++) {
                NewEvent event = NewEvent.of("ItemAdded", 1, EventPayload.ofJson("{\"i\":" + i + "}"));
                appended.add(event.eventId());
                writer.append(stream, "Order", ExpectedVersion.exactly(i), List.of(event));
            }
            synchronized (told) {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (told.size() < appended.size() && System.nanoTime() < deadline) {
                    told.wait(100);
                }
                assertEquals(appended, told.stream().map(EventEnvelope::eventId).toList(),
                        "events told to the subscriber, in order");
            }
        }
    }
}
