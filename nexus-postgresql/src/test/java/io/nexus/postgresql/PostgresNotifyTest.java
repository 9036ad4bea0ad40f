package io.nexus.postgresql;

import com.zaxxer.hikari.HikariDataSource;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.ConcurrencyConflictException;
import io.nexus.core.store.ExpectedVersion;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * An append's {@code NOTIFY} is sent by the append's own statement in its own transaction: a listener receives it
 * only once that transaction has committed, never for one that rolled back or appended nothing, and an append takes
 * one connection and one statement, with no second transaction for the notification.
 *
 * <p>Absence is shown without waiting for time to pass: PostgreSQL delivers notifications in commit order, so a
 * marker notified from another connection after the point in question arrives after anything sent before it.
 */
class PostgresNotifyTest {

    private static final String MARKER = "marker";

    @Test
    void aNotificationArrivesOnlyAfterTheAppendCommitted() throws Exception {
        String schema = EmbeddedPostgresServer.freshSchema("notify");
        try (Listener listener = new Listener(schema)) {
            List<List<String>> seenBeforeCommit = new ArrayList<>();
            // copyThreshold 1 takes the claim + COPY path, 1000 the append_events path: both notify in the transaction
            for (int copyThreshold : List.of(1, 1_000)) {
                try (PostgresEventStore store = PostgresEventStore.builder(EmbeddedPostgresServer.dataSource()).schema(schema)
                        .copyThreshold(copyThreshold)
                        .beforeCommit(stream -> seenBeforeCommit.add(listener.untilMarker()))
                        .build()) {
                    store.append("order-" + copyThreshold, "Order", ExpectedVersion.noStream(), List.of(event(), event()));
                }
                assertEquals(List.of(""), listener.next(), "the notification after the commit (copyThreshold " + copyThreshold + ")");
            }
            assertEquals(List.of(List.of(), List.of()), seenBeforeCommit, "notifications before the commits");
        }
    }

    @Test
    void aRolledBackOrRefusedAppendSendsNoNotification() throws Exception {
        String schema = EmbeddedPostgresServer.freshSchema("notify");
        try (Listener listener = new Listener(schema)) {
            for (int copyThreshold : List.of(1, 1_000)) {
                String stream = "order-" + copyThreshold;
                try (PostgresEventStore failing = PostgresEventStore.builder(EmbeddedPostgresServer.dataSource()).schema(schema)
                        .copyThreshold(copyThreshold)
                        .beforeCommit(s -> {
                            throw new IllegalStateException("rolled back on purpose");
                        })
                        .build()) {
                    assertThrows(IllegalStateException.class,
                            () -> failing.append(stream, "Order", ExpectedVersion.noStream(), List.of(event())));
                }
                assertEquals(List.of(), listener.untilMarker(), "notifications of a rolled-back append (copyThreshold "
                        + copyThreshold + ")");
                try (PostgresEventStore store = PostgresEventStore.builder(EmbeddedPostgresServer.dataSource()).schema(schema)
                        .copyThreshold(copyThreshold).build()) {
                    store.append(stream, "Order", ExpectedVersion.noStream(), List.of(event()));
                    assertEquals(List.of(""), listener.untilMarker(), "notifications of an append (copyThreshold "
                            + copyThreshold + ")");
                    assertThrows(ConcurrencyConflictException.class,
                            () -> store.append(stream, "Order", ExpectedVersion.noStream(), List.of(event())));
                    assertEquals(List.of(), listener.untilMarker(), "notifications of a conflicting append (copyThreshold "
                            + copyThreshold + ")");
                }
            }
        }
    }

    @Test
    void anAppendTakesOneConnectionAndOneStatementNotificationIncluded() throws Exception {
        String schema = EmbeddedPostgresServer.freshSchema("notify");
        CountingDataSource counting = new CountingDataSource(EmbeddedPostgresServer.dataSource(),
                List.of("prepareStatement", "createStatement", "prepareCall", "commit", "rollback"));
        try (Listener listener = new Listener(schema);
             PostgresEventStore store = PostgresEventStore.builder(counting).schema(schema).build()) {
            counting.reset();
            for (int i = 0; i < 3; i++) {
                store.append("order-1", "Order", ExpectedVersion.exactly(i), List.of(event()));
            }
            List<String> received = new ArrayList<>();
            while (received.size() < 3) {
                received.addAll(listener.next());
            }
            assertEquals(List.of("", "", ""), received, "one notification per append");
            assertEquals(List.of(), listener.untilMarker(), "notifications beyond one per append");
            assertEquals(3, counting.connections.get(), "connections taken by three appends");
            assertEquals(List.of("prepareStatement", "prepareStatement", "prepareStatement"), counting.calls,
                    "statement and transaction calls of three appends");
        }
    }

    private static NewEvent event() {
        return NewEvent.of("ItemAdded", 1, EventPayload.ofJson("{\"sku\":\"" + UUID.randomUUID() + "\"}"));
    }

    /** A connection of its own in {@code LISTEN} on the store's channel. */
    private static final class Listener implements AutoCloseable {
        private final HikariDataSource pool = EmbeddedPostgresServer.newPool(2);
        private final Connection connection;
        private final String channel;

        Listener(String schema) throws SQLException {
            channel = PostgresEventStore.channel(schema);
            connection = pool.getConnection();
            try (Statement statement = connection.createStatement()) {
                statement.execute("LISTEN \"" + channel + "\"");
            }
        }

        /** The payloads of the next notifications to arrive, waiting up to 30 s for at least one. */
        List<String> next() throws SQLException {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                PGNotification[] notifications = connection.unwrap(PGConnection.class).getNotifications(100);
                if (notifications != null && notifications.length > 0) {
                    List<String> payloads = new ArrayList<>();
                    for (PGNotification n : notifications) {
                        payloads.add(n.getParameter());
                    }
                    return payloads;
                }
            }
            throw new AssertionError("no notification on '" + channel + "' within 30 s");
        }

        /** Notifies a marker from another connection (committed now) and returns what arrived before it. */
        List<String> untilMarker() {
            try (Connection other = pool.getConnection(); Statement statement = other.createStatement()) {
                statement.execute("SELECT pg_notify('" + channel + "', '" + MARKER + "')");
                List<String> before = new ArrayList<>();
                while (true) {
                    for (String payload : next()) {
                        if (payload.equals(MARKER)) {
                            return before;
                        }
                        before.add(payload);
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("the marker notification failed", e);
            }
        }

        @Override
        public void close() throws SQLException {
            try (Statement statement = connection.createStatement()) {
                statement.execute("UNLISTEN *");
            }
            connection.close();
            pool.close();
        }
    }
}
