package io.nexus.postgresql;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.testkit.Await;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A reader paging through the global log in order gets its next pages read ahead, and still exactly what a
 * fresh read would return: a page read ahead that came back short is dropped, so the reader sees events
 * appended after it was read, and nothing read ahead passes a position a running transaction can still fill.
 */
class PostgresReadAheadTest {

    @Test
    void aSequentialReaderIsServedReadAheadPagesAndStillSeesWhatWasAppendedAfterThem() {
        try (PostgresEventStore store = PostgresEventStore.builder(EmbeddedPostgresServer.dataSource())
                .schema(EmbeddedPostgresServer.freshSchema("ahead")).build()) {
            String stream = "order-" + UUID.randomUUID();
            store.append(stream, "Order", ExpectedVersion.noStream(), events(50));
            List<EventEnvelope> whole = store.readAll(1, 1_000);

            List<EventEnvelope> paged = new ArrayList<>();
            long last = 0;
            for (int page = 0; page < 5; page++) {
                List<EventEnvelope> events = store.readAll(last + 1, 10);
                assertEquals(10, events.size(), "page " + page);
                paged.addAll(events);
                last = events.get(events.size() - 1).globalPosition();
            }
            assertEquals(whole, paged, "pages 1-5 are the log");
            assertEquals(3, store.pagesReadAhead(), "pages 3, 4 and 5 were read ahead (page 2 showed the reader pages in order)");

            // The read ahead of page 6 found nothing; what is appended now must still reach the reader.
            store.append(stream, "Order", ExpectedVersion.exactly(50), events(4));
            List<EventEnvelope> next = store.readAll(last + 1, 10);
            assertEquals(4, next.size(), "the events appended after the read ahead of this page");
            assertEquals(store.readAll(1, 1_000).subList(50, 54), next);
            assertEquals(3, store.pagesReadAhead(), "the short page read ahead was dropped");
        }
    }

    @Test
    void pagesReadAheadNeverPassAGapARunningTransactionCanStillFill() throws Exception {
        HeldCommit slow = new HeldCommit();
        try (PostgresEventStore store = PostgresEventStore.builder(EmbeddedPostgresServer.dataSource())
                .schema(EmbeddedPostgresServer.freshSchema("ahead"))
                .visibilityTimeout(Duration.ofMillis(50))
                .beforeCommit(slow::beforeCommit).build()) {
            store.append("order-" + UUID.randomUUID(), "Order", ExpectedVersion.noStream(), events(40));
            // Positions 41-45 claimed by a transaction held open, 46-65 committed after it.
            CompletableFuture<AppendResult> slowAppend = CompletableFuture.supplyAsync(
                    () -> store.append(slow.stream, "Order", ExpectedVersion.noStream(), events(5)));
            slow.awaitHeld();
            store.append("order-" + UUID.randomUUID(), "Order", ExpectedVersion.noStream(), events(20));

            List<EventEnvelope> seen = new ArrayList<>(store.readAll(1, 10));
            seen.addAll(store.readAll(11, 10));
            // The reader now pages in order: page 3 (21-30) is read before it asks for it.
            Await.until("the read ahead of page 3 started", Duration.ofSeconds(30), () -> store.pagesReadAheadStarted() == 1);
            long last = PagingReader.untilEmpty(store, 20, 10, seen);
            assertEquals(40, last, "the reader stops below the positions the running transaction holds");
            assertEquals(2, store.pagesReadAhead(), "pages 3 and 4 came from the read ahead");
            assertEquals(3, store.pagesReadAheadStarted(), "taking page 4 started the read from 41, which came back "
                    + "short (held back) and was dropped");

            slow.release();
            slowAppend.get(30, TimeUnit.SECONDS);
            PagingReader.untilEmpty(store, last, 10, seen);
            assertEquals(store.readAll(1, 1_000), seen, "every event of the log once, in log order, the held ones included");
            assertEquals(65, seen.size());
        } finally {
            slow.release();
        }
    }

    @Test
    void aSingleReadReadsNothingAhead() {
        try (PostgresEventStore store = PostgresEventStore.builder(EmbeddedPostgresServer.dataSource())
                .schema(EmbeddedPostgresServer.freshSchema("ahead")).build()) {
            store.append("order-" + UUID.randomUUID(), "Order", ExpectedVersion.noStream(), events(30));
            long last = store.readAll(1, 10).get(9).globalPosition();
            assertEquals(10, store.readAll(last + 11, 10).size(), "a read elsewhere, not the next page");
            assertEquals(0, store.pagesReadAhead());
        }
    }



    private static List<NewEvent> events(int n) {
        List<NewEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(new NewEvent(UUID.randomUUID(), "ItemAdded", 1, EventPayload.ofJson("{\"quantity\":" + i + "}"),
                    null, null, Map.of()));
        }
        return events;
    }
}
