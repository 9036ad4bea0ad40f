package io.nexus.postgresql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.Subscription;
import io.nexus.testkit.Await;
import io.nexus.testkit.logging.LogCapture;
import io.nexus.testkit.net.TcpProxy;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

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

    /**
     * A store's close waits for its own threads (the feed, the listening connection, the read ahead), so that the
     * pool can be closed right after without breaking a connection one of them still uses.
     */
    @Test
    void closeEndsTheStoresThreadsBeforeItReturns() {
        String schema = EmbeddedPostgresServer.freshSchema("feed");
        PostgresEventStore store = PostgresEventStore.builder(EmbeddedPostgresServer.dataSource()).schema(schema).build();
        store.subscribe(events -> { });
        store.append("order-1", "Order", ExpectedVersion.noStream(), List.of(
                NewEvent.of("ItemAdded", 1, EventPayload.ofJson("{\"i\":1}")),
                NewEvent.of("ItemAdded", 1, EventPayload.ofJson("{\"i\":2}"))));
        // a reader paging in order starts the read ahead of its next page
        assertEquals(1, store.readAll(1, 1).size());
        assertEquals(1, store.readAll(2, 1).size());
        assertTrue(store.pagesReadAheadStarted() > 0, "a page was read ahead");
        assertEquals(3, threadsOf(schema).size(), "feed, listen and read-ahead threads: " + threadsOf(schema));

        store.close();

        assertEquals(List.of(), threadsOf(schema), "no thread of the store outlives its close");
    }

    /**
     * The server stops answering on the listening connection without closing it (a proxy holds its answers, as
     * a network partition would): the feed's check notices and says so once, listens again on a new connection
     * once the server answers, and another process's appends reach the subscriber by notification again (its
     * poll is an hour, so nothing else could bring them).
     */
    @Test
    void aListeningConnectionTheServerStoppedAnsweringOnIsReplaced() throws Exception {
        URI server = URI.create(EmbeddedPostgresServer.jdbcUrl().substring("jdbc:".length()));
        String schema = EmbeddedPostgresServer.freshSchema("feed");
        PostgresSchema.migrate(EmbeddedPostgresServer.dataSource(), schema);
        List<EventEnvelope> told = new CopyOnWriteArrayList<>();
        try (LogCapture logs = LogCapture.start();
             TcpProxy proxy = TcpProxy.to(server.getHost(), server.getPort());
             HikariDataSource throughProxy = pool("jdbc:postgresql://127.0.0.1:" + proxy.port() + server.getPath());
             PostgresEventStore subscriber = PostgresEventStore.builder(throughProxy).schema(schema).createSchema(false)
                     .pollInterval(Duration.ofHours(1)).listenProbe(Duration.ofMillis(200), Duration.ofSeconds(1)).build();
             PostgresEventStore writer = PostgresEventStore.builder(EmbeddedPostgresServer.dataSource()).schema(schema)
                     .createSchema(false).build();
             Subscription subscription = subscriber.subscribe(told::addAll)) {
            writer.append("order-1", "Order", ExpectedVersion.noStream(), List.of(NewEvent.of("OrderPlaced", 1, EventPayload.ofJson("{}"))));
            Await.until("the first append is told", Duration.ofSeconds(30), () -> told.size() == 1);

            proxy.stallAnswers();
            Await.until("the feed notices its connection is lost", Duration.ofSeconds(30),
                    () -> logs.text().contains("Change feed on '" + PostgresEventStore.channel(schema) + "' lost its LISTEN connection"));
            proxy.resume();
            Await.until("the feed listens again", Duration.ofSeconds(30),
                    () -> logs.text().contains("Change feed on '" + PostgresEventStore.channel(schema) + "' listens again"));
            writer.append("order-2", "Order", ExpectedVersion.noStream(), List.of(NewEvent.of("OrderPlaced", 1, EventPayload.ofJson("{}"))));
            Await.until("another process's next append is told by notification", Duration.ofSeconds(30), () -> told.size() == 2);
            assertEquals(List.of("order-1", "order-2"), told.stream().map(EventEnvelope::streamId).toList());
            assertEquals(1, logs.lines().stream().filter(line -> line.contains("lost its LISTEN connection")).count(),
                    "said once: " + logs.text());
            subscription.close();
        }
    }

    private static HikariDataSource pool(String url) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername("postgres");
        config.setMaximumPoolSize(4);
        return new HikariDataSource(config);
    }

    private static List<String> threadsOf(String schema) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith("nexus-postgres-") && name.endsWith("_" + schema)
                        || name.equals("nexus-postgres-read-ahead-" + schema))
                .sorted()
                .toList();
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
