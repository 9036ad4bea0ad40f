package io.nexus.opensearch;

import org.opensearch.client.opensearch.OpenSearchClient;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A harness (not a test) measuring bulk indexing throughput and query latency against the embedded
 * node; the numbers go to docs/performance.md. Run it with
 * {@code mvn -q -pl nexus-opensearch -am test-compile exec:java -Dexec.mainClass=io.nexus.opensearch.OpenSearchBenchmark -Dexec.classpathScope=test}.
 */
public final class OpenSearchBenchmark {

    private OpenSearchBenchmark() {
    }

    public static void main(String[] args) {
        OpenSearchClient client = EmbeddedOpenSearch.get().client();
        int documents = 20_000;
        for (int bulkSize : new int[] {100, 500, 1000}) {
            OpenSearchReadModel<Order> model = OpenSearchReadModel.builder(client, "bench-bulk-" + bulkSize, Order.class)
                    .mapping(OpenSearchReadModelTest.MAPPING).settings("{\"number_of_shards\": 1, \"number_of_replicas\": 0}").build();
            model.createIfMissing();
            long start = System.nanoTime();
            for (int from = 0; from < documents; from += bulkSize) {
                List<OpenSearchReadModel.Write<Order>> writes = new ArrayList<>(bulkSize);
                for (int i = from; i < Math.min(documents, from + bulkSize); i++) {
                    writes.add(new OpenSearchReadModel.Write<>("o-" + i, 1, new Order("c-" + (i % 50), i % 3 == 0 ? "CONFIRMED" : "PLACED",
                            "order number " + i + " with blue shoes and socks", i, List.of("sku-" + (i % 20)))));
                }
                model.bulk(writes);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("bulk size %5d: %,.0f documents/s (%d documents in %.2f s)%n", bulkSize, documents / seconds, documents, seconds);
        }
        OpenSearchReadModel<Order> single = OpenSearchReadModel.builder(client, "bench-single", Order.class)
                .mapping(OpenSearchReadModelTest.MAPPING).settings("{\"number_of_shards\": 1, \"number_of_replicas\": 0}").build();
        single.createIfMissing();
        int singles = 2_000;
        long start = System.nanoTime();
        for (int i = 0; i < singles; i++) {
            single.get("o-" + i);
            single.put("o-" + i, 1, new Order("c", "PLACED", "single " + i, i, List.of()));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("per-event projection path (get + versioned put): %,.0f events/s%n", singles / seconds);

        OpenSearchReadModel<Order> model = OpenSearchReadModel.builder(client, "bench-bulk-1000", Order.class).build();
        model.refresh();
        Query[] queries = {
                Query.all().filter("status", "CONFIRMED").sortBy("totalCents", false).page(0, 20),
                Query.all().text("blue shoes", "description").highlighted().page(0, 20),
                Query.all().filter("customer", "c-7").text("socks").page(0, 20)};
        for (int warm = 0; warm < 300; warm++) {
            model.search(queries[warm % queries.length]);
        }
        int runs = 1_500;
        long[] nanos = new long[runs];
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            model.search(queries[i % queries.length]);
            nanos[i] = System.nanoTime() - t;
        }
        Arrays.sort(nanos);
        System.out.printf("query latency over %d searches: p50 %.2f ms, p99 %.2f ms%n", runs, nanos[runs / 2] / 1e6, nanos[runs * 99 / 100] / 1e6);
        long aggStart = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            model.countBy("customer", Query.all(), 50);
        }
        System.out.printf("terms aggregation: %.2f ms mean%n", (System.nanoTime() - aggStart) / 1e6 / 200);
        System.exit(0);
    }
}
