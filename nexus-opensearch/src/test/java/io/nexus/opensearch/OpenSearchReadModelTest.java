package io.nexus.opensearch;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.nexus.core.observation.NexusObservation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opensearch.client.opensearch.OpenSearchClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The read model against a real OpenSearch 2.19 node started in this JVM. */
class OpenSearchReadModelTest {

    static final String MAPPING = """
            {"properties": {
              "customer": {"type": "keyword"},
              "status": {"type": "keyword"},
              "description": {"type": "text", "analyzer": "english"},
              "totalCents": {"type": "long"},
              "skus": {"type": "keyword"}
            }}""";

    static OpenSearchClient client;
    static final AtomicInteger counter = new AtomicInteger();

    @BeforeAll
    static void start() {
        client = EmbeddedOpenSearch.get().client();
    }

    static OpenSearchReadModel<Order> newModel() {
        OpenSearchReadModel<Order> model = OpenSearchReadModel.builder(client, "orders-" + counter.incrementAndGet(), Order.class)
                .mapping(MAPPING).settings("{\"number_of_shards\": 1, \"number_of_replicas\": 0}").build();
        model.createIfMissing();
        return model;
    }

    @Test
    void documentsNeverRegressToAnOlderVersion() {
        OpenSearchReadModel<Order> model = newModel();
        assertTrue(model.put("o-1", 2, new Order("c-1", "PLACED", "red shoes", 100, List.of("a"))));
        assertFalse(model.put("o-1", 1, new Order("c-1", "OLD", "stale", 1, List.of())), "an older version is ignored");
        assertFalse(model.put("o-1", 2, new Order("c-1", "SAME", "again", 1, List.of())), "a redelivered version is ignored");
        assertTrue(model.put("o-1", 5, new Order("c-1", "CONFIRMED", "red shoes", 100, List.of("a"))));
        Versioned<Order> doc = model.get("o-1").orElseThrow();
        assertEquals(5, doc.version());
        assertEquals("CONFIRMED", doc.document().status());
        assertTrue(model.get("nope").isEmpty());
        model.createIfMissing();
        assertEquals(5, model.get("o-1").orElseThrow().version(), "createIfMissing keeps an existing index");
    }

    @Test
    void filteredPaginatedSortedListsAndAggregations() {
        OpenSearchReadModel<Order> model = newModel();
        List<OpenSearchReadModel.Write<Order>> writes = new ArrayList<>();
        for (int i = 1; i <= 25; i++) {
            writes.add(new OpenSearchReadModel.Write<>("o-" + i, 1,
                    new Order("c-" + (i % 3), i % 2 == 0 ? "CONFIRMED" : "PLACED", "order " + i, i * 10L, List.of("sku-" + i))));
        }
        OpenSearchReadModel.BulkResult result = model.bulk(writes);
        assertEquals(25, result.written());
        model.refresh();
        Page<Order> page = model.search(Query.all().filter("status", "CONFIRMED").sortBy("totalCents", false).page(0, 5));
        assertEquals(12, page.total());
        assertEquals(List.of(240L, 220L, 200L, 180L, 160L), page.hits().stream().map(h -> h.document().totalCents()).toList());
        Page<Order> second = model.search(Query.all().filter("status", "CONFIRMED").sortBy("totalCents", false).page(5, 5));
        assertEquals(140L, second.hits().get(0).document().totalCents());
        Map<String, Long> byStatus = model.countBy("status", Query.all(), 10);
        assertEquals(Map.of("PLACED", 13L, "CONFIRMED", 12L), byStatus);
        assertEquals(Map.of("PLACED", 5L, "CONFIRMED", 4L), model.countBy("status", Query.all().filter("customer", "c-1"), 10));
    }

    @Test
    void fullTextSearchWithHighlighting() {
        OpenSearchReadModel<Order> model = newModel();
        model.put("o-1", 1, new Order("c-1", "PLACED", "Running shoes in blue", 5, List.of()));
        model.put("o-2", 1, new Order("c-2", "PLACED", "A blue umbrella", 5, List.of()));
        model.put("o-3", 1, new Order("c-3", "PLACED", "Green socks", 5, List.of()));
        model.refresh();
        Page<Order> page = model.search(Query.all().text("run shoe", "description").highlighted());
        assertEquals(1, page.total(), "the english analyzer stems run/running and shoe/shoes");
        assertEquals("o-1", page.hits().get(0).id());
        assertTrue(page.highlights().get("o-1").get("description").get(0).contains("<em>Running</em>"),
                page.highlights().toString());
        assertEquals(2, model.search(Query.all().text("blue")).total());
    }

    @Test
    void aDocumentTheMappingRejectsIsATypedErrorAndOthersAreWritten() {
        OpenSearchReadModel<Map> loose = OpenSearchReadModel.builder(client, "orders-" + counter.incrementAndGet(), Map.class)
                .mapping(MAPPING).build();
        loose.createIfMissing();
        DocumentRejectedException e = assertThrows(DocumentRejectedException.class,
                () -> loose.put("bad", 1, Map.of("totalCents", "not a number")));
        assertTrue(e.getMessage().contains("bad") && e.getMessage().contains("mapper_parsing_exception"), e.getMessage());
        OpenSearchReadModel.BulkResult result = loose.bulk(List.of(
                new OpenSearchReadModel.Write<>("good", 1, Map.of("totalCents", 5)),
                new OpenSearchReadModel.Write<>("bad", 1, Map.of("totalCents", "x"))));
        assertEquals(1, result.written());
        assertTrue(result.rejected().get("bad").contains("mapper_parsing_exception"), result.rejected().toString());
        assertTrue(loose.get("good").isPresent());
        assertTrue(loose.get("bad").isEmpty());
    }

    @Test
    void everyRequestIsARemoteCallObservationInsideTheCurrentOne() {
        List<Observation.Context> stopped = new CopyOnWriteArrayList<>();
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }

            @Override
            public void onStop(Observation.Context context) {
                stopped.add(context);
            }
        });
        OpenSearchReadModel<Order> model = OpenSearchReadModel.builder(client, "orders-" + counter.incrementAndGet(), Order.class)
                .mapping(MAPPING).settings("{\"number_of_shards\": 1, \"number_of_replicas\": 0}").observationRegistry(registry).build();
        model.createIfMissing();
        Observation handling = Observation.start("nexus.projection.handling", registry);
        try (Observation.Scope ignored = handling.openScope()) {
            model.put("o-1", 1, new Order("c-1", "PLACED", "red shoes", 100, List.of("a")));
            model.put("o-1", 1, new Order("c-1", "PLACED", "red shoes", 100, List.of("a")));
        } finally {
            handling.stop();
        }
        model.refresh();
        assertTrue(model.get("nope").isEmpty());
        assertEquals(1, model.search(Query.all().filter("customer", "c-1")).total());

        List<Observation.Context> calls = stopped.stream().filter(c -> c.getName().equals(NexusObservation.REMOTE_CALL.getName())).toList();
        assertEquals(List.of("opensearch exists-alias", "opensearch create-index", "opensearch cluster-health", "opensearch index",
                "opensearch index", "opensearch refresh", "opensearch get", "opensearch search"),
                calls.stream().map(Observation.Context::getContextualName).toList());
        for (Observation.Context call : calls) {
            assertEquals("opensearch", call.getLowCardinalityKeyValue("nexus.remote.system").getValue());
        }
        assertEquals(List.of("404", "success", "success", "success", "409", "success", "404", "success"),
                calls.stream().map(c -> c.getLowCardinalityKeyValue("nexus.outcome").getValue()).toList(),
                "a missing alias, a stale write and a missing document are answers, named by their status");
        assertEquals(List.of("index", "index"), calls.stream().filter(c -> c.getParentObservation() == handling)
                .map(c -> c.getLowCardinalityKeyValue("nexus.remote.operation").getValue()).toList(),
                "the writes made while the projection's observation is current are its children");
        assertTrue(calls.stream().filter(c -> c.getParentObservation() != handling).allMatch(c -> c.getParentObservation() == null),
                "the others have no parent");
    }

    @Test
    void awaitVersionWaitsForTheWriteAndGivesUpAtTheTimeout() throws Exception {
        OpenSearchReadModel<Order> model = newModel();
        assertFalse(model.awaitVersion("o-1", 1, Duration.ofMillis(50)));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Future<?> writer = pool.submit(() -> {
            model.put("o-1", 1, new Order("c", "PLACED", "x", 1, List.of()));
            model.put("o-1", 3, new Order("c", "CONFIRMED", "x", 1, List.of()));
        });
        assertTrue(model.awaitVersion("o-1", 3, Duration.ofSeconds(10)));
        writer.get(10, TimeUnit.SECONDS);
        pool.shutdown();
    }

    @Test
    void aRebuildSwapsTheAliasWhileQueriesKeepSucceeding() throws Exception {
        OpenSearchReadModel<Order> model = newModel();
        model.put("o-1", 1, new Order("c", "OLD", "old generation", 1, List.of()));
        model.refresh();
        String before = model.currentIndex();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger queries = new AtomicInteger();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Future<?> reader = pool.submit(() -> {
            while (!stop.get()) {
                Page<Order> page = model.search(Query.all());
                if (page.total() != 1) {
                    throw new AssertionError("a query saw " + page.total() + " documents");
                }
                queries.incrementAndGet();
            }
            return null;
        });
        OpenSearchReadModel<Order>.Rebuild rebuild = model.beginRebuild();
        rebuild.bulk(List.of(new OpenSearchReadModel.Write<>("o-1", 7, new Order("c", "NEW", "new generation", 1, List.of()))));
        assertEquals("OLD", model.get("o-1").orElseThrow().document().status(), "the old generation serves during the rebuild");
        int beforeSwap = queries.get();
        rebuild.complete();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (queries.get() < beforeSwap + 20 && System.nanoTime() < deadline && !reader.isDone()) {
            Thread.onSpinWait();
        }
        stop.set(true);
        reader.get(30, TimeUnit.SECONDS);
        rebuild.deletePrevious();
        pool.shutdown();
        assertTrue(queries.get() > 0);
        assertEquals("NEW", model.get("o-1").orElseThrow().document().status());
        assertEquals(7, model.get("o-1").orElseThrow().version());
        assertTrue(!before.equals(model.currentIndex()) && model.currentIndex().endsWith("-000002"), model.currentIndex());
    }
}
