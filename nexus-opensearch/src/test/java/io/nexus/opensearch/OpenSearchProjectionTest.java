package io.nexus.opensearch;

import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.NewEvent;
import io.nexus.core.projection.ProjectionProcessor;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.serialization.EventType;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.testkit.Await;
import io.nexus.testkit.logging.LogCapture;
import io.nexus.testkit.net.TcpProxy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opensearch.client.opensearch.OpenSearchClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenSearch projection run by the core's projection processor, against a real OpenSearch node:
 * events become documents, redelivery never regresses them, rejected documents are dead-lettered with
 * OpenSearch's reason while others continue, an unreachable node is retried and then resumed without
 * loss, and a rebuild from the log swaps generations.
 */
class OpenSearchProjectionTest {

    @EventType("Placed")
    record Placed(String customer, String description) { }

    @EventType("LineAdded")
    record LineAdded(String sku, long cents) { }

    @EventType("Confirmed")
    record Confirmed() { }

    static final EventTypes TYPES = EventTypes.builder().register(Placed.class).register(LineAdded.class).register(Confirmed.class).build();
    static final EventCodec CODEC = EventCodec.jackson(TYPES);
    static final AtomicInteger counter = new AtomicInteger();
    static OpenSearchClient client;

    @BeforeAll
    static void start() {
        client = EmbeddedOpenSearch.get().client();
    }

    static Order apply(Order current, Object event, EventEnvelope envelope) {
        if (event instanceof Placed p) {
            return new Order(p.customer(), "PLACED", p.description(), 0, List.of());
        }
        if (event instanceof LineAdded l) {
            List<String> skus = new ArrayList<>(current.skus());
            skus.add(l.sku());
            return new Order(current.customer(), current.status(), current.description(), current.totalCents() + l.cents(), skus);
        }
        return new Order(current.customer(), "CONFIRMED", current.description(), current.totalCents(), current.skus());
    }

    static OpenSearchProjection<Order> projection(OpenSearchClient c, String alias) {
        OpenSearchReadModel<Order> model = OpenSearchReadModel.builder(c, alias, Order.class)
                .mapping(OpenSearchReadModelTest.MAPPING).settings("{\"number_of_shards\": 1, \"number_of_replicas\": 0}").build();
        model.createIfMissing();
        return OpenSearchProjection.perAggregate("orders-search", Set.of("Placed", "LineAdded", "Confirmed"), model,
                OpenSearchProjectionTest::apply);
    }

    static void append(InMemoryEventStore store, String id, Object... events) {
        List<NewEvent> encoded = new ArrayList<>();
        for (Object e : events) {
            encoded.add(CODEC.encode(e, UUID.randomUUID(), null, null, Map.of()));
        }
        store.append(id, "Order", ExpectedVersion.any(), encoded);
    }

    static ProjectionProcessor processor(OpenSearchProjection<Order> projection, InMemoryEventStore store, RetryPolicy retry) {
        return ProjectionProcessor.builder(projection, store, CODEC).retry(retry).pollInterval(Duration.ofMillis(50)).build();
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(what, Duration.ofSeconds(60), condition::getAsBoolean);
    }

    @Test
    void eventsBecomeDocumentsAndRedeliveryNeverRegressesThem() throws Exception {
        InMemoryEventStore store = InMemoryEventStore.create();
        OpenSearchProjection<Order> projection = projection(client, "proj-" + counter.incrementAndGet());
        try (ProjectionProcessor processor = processor(projection, store, RetryPolicy.attempts(3))) {
            processor.start();
            append(store, "o-1", new Placed("c-1", "blue shoes"), new LineAdded("sku-1", 500));
            append(store, "o-2", new Placed("c-2", "socks"));
            append(store, "o-1", new Confirmed());
            assertTrue(projection.readModel().awaitVersion("o-1", 3, Duration.ofSeconds(30)));
            assertTrue(projection.readModel().awaitVersion("o-2", 1, Duration.ofSeconds(30)));
        }
        Versioned<Order> doc = projection.readModel().get("o-1").orElseThrow();
        assertEquals(new Order("c-1", "CONFIRMED", "blue shoes", 500, List.of("sku-1")), doc.document());
        EventEnvelope second = store.read(io.nexus.core.store.StreamQuery.stream("o-1")).get(1);
        projection.handle(CODEC.decode(second), second);
        assertEquals(doc, projection.readModel().get("o-1").orElseThrow(), "a redelivered older event changes nothing");
    }

    @Test
    void aDocumentTheMappingRejectsIsDeadLetteredWithTheCauseAndOthersContinue() throws Exception {
        InMemoryEventStore store = InMemoryEventStore.create();
        String alias = "proj-" + counter.incrementAndGet();
        OpenSearchReadModel<Map> strict = OpenSearchReadModel.builder(client, alias, Map.class)
                .mapping("{\"dynamic\": \"strict\", \"properties\": {\"customer\": {\"type\": \"keyword\"}}}").build();
        strict.createIfMissing();
        OpenSearchProjection<Map> projection = OpenSearchProjection.perAggregate("strict", Set.of("Placed"), strict,
                (current, event, envelope) -> ((Placed) event).customer().equals("bad")
                        ? Map.of("customer", "bad", "unmapped", 1) : Map.of("customer", ((Placed) event).customer()));
        RetryPolicy fast = RetryPolicy.custom().maxAttempts(5).initialDelay(Duration.ofMillis(1)).maxDelay(Duration.ofMillis(5)).build();
        try (LogCapture logs = LogCapture.start();
             ProjectionProcessor processor = ProjectionProcessor.builder(projection, store, CODEC).retry(fast)
                .pollInterval(Duration.ofMillis(50)).build()) {
            processor.start();
            append(store, "o-bad", new Placed("bad", "x"));
            append(store, "o-good", new Placed("good", "y"));
            await(() -> processor.deadLetters().size() == 1 && strict.get("o-good").isPresent(), "a dead letter and the good document");
            DeadLetter dead = processor.deadLetters().get(0);
            assertEquals("o-bad", dead.event().streamId());
            assertTrue(dead.causeType().contains("DocumentRejectedException"), dead.causeType());
            assertTrue(dead.causeMessage().contains("strict_dynamic_mapping_exception"), dead.causeMessage());
            assertTrue(strict.get("o-bad").isEmpty());
            logs.assertContains("Projection 'strict' dead-lettered 'Placed' of stream 'o-bad' version 1 after 5 attempts");
        }
    }

    @Test
    void anUnreachableNodeIsRetriedAndIndexingResumesWithoutLoss() throws Exception {
        InMemoryEventStore store = InMemoryEventStore.create();
        try (LogCapture logs = LogCapture.start(); TcpProxy proxy = TcpProxy.to(EmbeddedOpenSearch.get().httpPort())) {
            OpenSearchProjection<Order> projection = projection(EmbeddedOpenSearch.client(proxy.port()), "proj-" + counter.incrementAndGet());
            OpenSearchReadModel<Order> direct = OpenSearchReadModel.builder(client, projection.readModel().alias(), Order.class).build();
            RetryPolicy patient = RetryPolicy.custom().maxAttempts(1000).initialDelay(Duration.ofMillis(20))
                    .maxDelay(Duration.ofMillis(100)).build();
            try (ProjectionProcessor processor = processor(projection, store, patient)) {
                processor.start();
                append(store, "o-1", new Placed("c-1", "first"));
                assertTrue(direct.awaitVersion("o-1", 1, Duration.ofSeconds(30)));
                proxy.cut();
                for (int i = 2; i <= 6; i++) {
                    append(store, "o-" + i, new Placed("c-" + i, "while down"));
                }
                append(store, "o-1", new LineAdded("sku", 7));
                await(() -> processor.health().retrying() > 0, "the processor to notice the outage");
                assertTrue(direct.get("o-2").isEmpty(), "nothing reached OpenSearch while it was unreachable");
                proxy.restore();
                for (int i = 2; i <= 6; i++) {
                    assertTrue(direct.awaitVersion("o-" + i, 1, Duration.ofSeconds(30)), "o-" + i);
                }
                assertTrue(direct.awaitVersion("o-1", 2, Duration.ofSeconds(30)));
                assertEquals(7, direct.get("o-1").orElseThrow().document().totalCents());
                assertTrue(processor.deadLetters().isEmpty());
            }
            logs.assertContains("Projection 'orders-search' failed on 'Placed' of stream 'o-2' version 1 (attempt 1 of 1000); retrying in");
        }
    }

    @Test
    void aRebuildFromTheLogFillsANewGenerationAndSwapsTheAlias() {
        InMemoryEventStore store = InMemoryEventStore.create();
        OpenSearchProjection<Order> projection = projection(client, "proj-" + counter.incrementAndGet());
        for (int i = 1; i <= 120; i++) {
            append(store, "o-" + i, new Placed("c-" + (i % 4), "order " + i), new LineAdded("s", i));
        }
        append(store, "o-1", new Confirmed());
        projection.readModel().put("o-1", 1, new Order("c-1", "STALE", "old generation", 0, List.of()));
        String before = projection.readModel().currentIndex();
        List<OpenSearchProjection.RebuildProgress> progress = new ArrayList<>();
        OpenSearchProjection.RebuildProgress last = projection.rebuildOffline(store, CODEC, 50, progress::add);
        assertEquals(241, last.eventsDone());
        assertEquals(241, last.eventsTotal());
        assertTrue(progress.size() >= 5, "progress reported per page: " + progress.size());
        assertTrue(!before.equals(projection.readModel().currentIndex()));
        Versioned<Order> o1 = projection.readModel().get("o-1").orElseThrow();
        assertEquals(3, o1.version());
        assertEquals("CONFIRMED", o1.document().status());
        projection.readModel().refresh();
        assertEquals(120, projection.readModel().search(Query.all()).total());
        assertEquals(Map.of("c-0", 30L, "c-1", 30L, "c-2", 30L, "c-3", 30L), projection.readModel().countBy("customer", Query.all(), 10));
    }

    @Test
    void aLiveRebuildSwitchesBetweenEventsWhileAppendsContinue() throws Exception {
        InMemoryEventStore store = InMemoryEventStore.create();
        OpenSearchProjection<Order> projection = projection(client, "proj-" + counter.incrementAndGet());
        try (ProjectionProcessor processor = processor(projection, store, RetryPolicy.attempts(3))) {
            processor.start();
            for (int i = 1; i <= 30; i++) {
                append(store, "o-" + i, new Placed("c", "order " + i));
            }
            assertTrue(projection.readModel().awaitVersion("o-30", 1, Duration.ofSeconds(30)));
            String before = projection.readModel().currentIndex();
            OpenSearchProjection.IndexRebuild rebuild = projection.rebuildLive(processor);
            for (int i = 1; i <= 30; i++) {
                append(store, "o-" + i, new LineAdded("s", i));
            }
            await(() -> rebuild.progress().caughtUp(), "the new generation to catch up");
            rebuild.complete();
            for (int i = 1; i <= 30; i++) {
                append(store, "o-" + i, new Confirmed());
            }
            for (int i = 1; i <= 30; i++) {
                assertTrue(projection.readModel().awaitVersion("o-" + i, 3, Duration.ofSeconds(30)), "o-" + i);
                Order o = projection.readModel().get("o-" + i).orElseThrow().document();
                assertEquals(new Order("c", "CONFIRMED", "order " + i, i, List.of("s")), o);
            }
            assertTrue(!before.equals(projection.readModel().currentIndex()));
            rebuild.deletePrevious();
        }
    }
}
