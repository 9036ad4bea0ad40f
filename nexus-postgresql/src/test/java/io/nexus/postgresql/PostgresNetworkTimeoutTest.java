package io.nexus.postgresql;

import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.EventStore;
import io.nexus.core.store.EventStoreUnavailableException;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.StreamQuery;
import io.nexus.testkit.logging.LogCapture;
import io.nexus.testkit.net.TcpProxy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server that stops answering without closing the connection (a network partition, a frozen host): the real
 * server sits behind a {@link TcpProxy} that holds its answers while requests still reach it and run. An
 * append then fails as transient within the engines' network timeout instead of waiting for the operating
 * system to give the connection up, and its re-send (same event ids) is answered as the duplicate of the
 * append the server committed, so the outcome the client could not see is neither lost nor doubled.
 */
class PostgresNetworkTimeoutTest {

    @Test
    void anAppendWhoseAnswerNeverComesFailsWithinTheTimeoutAndItsReSendIsAnsweredAsADuplicate() throws IOException {
        URI server = URI.create(EmbeddedPostgresServer.jdbcUrl().substring("jdbc:".length()));
        try (LogCapture logs = LogCapture.start();
             TcpProxy proxy = TcpProxy.to(server.getHost(), server.getPort());
             PostgresEngines engines = PostgresEngines.builder("jdbc:postgresql://127.0.0.1:" + proxy.port()
                             + server.getPath(), "postgres", null)
                     .schema(EmbeddedPostgresServer.freshSchema("partition"))
                     .networkTimeout(Duration.ofSeconds(2))
                     .build()) {
            EventStore store = engines.eventStore();
            store.append("order-1", "Order", ExpectedVersion.noStream(), List.of(event("OrderPlaced")));
            List<NewEvent> lines = List.of(event("LineAdded"), event("LineAdded"));

            proxy.stallAnswers();
            EventStoreUnavailableException lost = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThrows(
                    EventStoreUnavailableException.class,
                    () -> store.append("order-1", "Order", ExpectedVersion.exactly(1), lines)),
                    "the append fails within the network timeout instead of waiting for the operating system");
            assertTrue(lost.isTransient(), lost.getMessage());
            assertTrue(lost.getMessage().contains("order-1"), lost.getMessage());

            proxy.resume();
            AppendResult again = store.append("order-1", "Order", ExpectedVersion.exactly(1), lines);
            assertTrue(again.duplicate(), "the server committed the append whose answer was lost");
            assertEquals(3, again.newVersion());
            assertEquals(3, store.read(StreamQuery.stream("order-1")).size(), "stored once");
            assertEquals(lines.get(1).eventId(), store.read(StreamQuery.stream("order-1")).get(2).eventId());
        }
    }

    @Test
    void theTimeoutIsTheEnginesOwnPoolsOnlyAndNeverNegative() {
        assertThrows(IllegalStateException.class,
                () -> PostgresEngines.builder(EmbeddedPostgresServer.dataSource()).networkTimeout(Duration.ofSeconds(5)));
        assertThrows(IllegalArgumentException.class,
                () -> PostgresEngines.builder("jdbc:postgresql://localhost/x", "u", null).networkTimeout(Duration.ofSeconds(-1)));
    }

    private static NewEvent event(String type) {
        return new NewEvent(UUID.randomUUID(), type, 1, EventPayload.ofJson("{}"), null, null, Map.of());
    }
}
