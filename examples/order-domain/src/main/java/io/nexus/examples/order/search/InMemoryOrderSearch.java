package io.nexus.examples.order.search;

import io.nexus.core.readmodel.ReadModelStore;
import io.nexus.core.readmodel.ReadModelStores;
import io.nexus.core.readmodel.Versioned;
import io.nexus.examples.order.projection.OrderSummaryProjection;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A simple search on the embedded engines: scans the order-summary rows and scores each order by how
 * many of the query's words appear among the words of its skus ({@code "espresso-beans"} has the words
 * {@code espresso} and {@code beans}), with a trailing plural {@code s} ignored on both sides. No ranking
 * beyond that, no index: right for a demo's few thousand orders; the OpenSearch projection is the real one.
 */
public final class InMemoryOrderSearch implements OrderTextSearch {

    private final ReadModelStore<OrderSummaryProjection.Row> rows;
    private final ReadModelStore<OrderSummaryProjection.Index> index;

    /** The search over the read-model {@code stores} the order-summary projection writes. */
    public InMemoryOrderSearch(ReadModelStores stores) {
        Objects.requireNonNull(stores, "stores");
        this.rows = stores.store(OrderSummaryProjection.NAME, OrderSummaryProjection.Row.class);
        this.index = stores.store(OrderSummaryProjection.INDEX, OrderSummaryProjection.Index.class);
    }

    @Override
    public Hits search(String text, int limit) {
        Set<String> wanted = words(text);
        if (wanted.isEmpty()) {
            throw new IllegalArgumentException("text must hold at least one word, but was '" + text + "'");
        }
        List<String> ids = index.get(OrderSummaryProjection.INDEX_KEY).map(v -> v.value().orderIds()).orElse(List.of());
        List<Hit> hits = new ArrayList<>();
        for (Versioned<OrderSummaryProjection.Row> versioned : rows.getAll(ids).values()) {
            OrderSummaryProjection.Row row = versioned.value();
            Set<String> have = new TreeSet<>();
            for (String sku : row.lineAmounts().keySet()) {
                have.addAll(words(sku));
            }
            long matched = wanted.stream().filter(have::contains).count();
            if (matched > 0) {
                hits.add(new Hit(row.orderId(), row.customerId(), row.status().name(), row.summary().totalCents(),
                        new ArrayList<>(new TreeSet<>(row.lineAmounts().keySet())), (double) matched / wanted.size()));
            }
        }
        hits.sort(Comparator.comparingDouble(Hit::score).reversed().thenComparing(Hit::orderId));
        return new Hits(hits.size(), hits.subList(0, Math.min(limit, hits.size())));
    }

    @Override
    public String engine() {
        return "in-memory";
    }

    static Set<String> words(String text) {
        Set<String> result = new TreeSet<>();
        for (String word : text.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
            if (!word.isEmpty()) {
                result.add(word.length() > 3 && word.endsWith("s") ? word.substring(0, word.length() - 1) : word);
            }
        }
        return result;
    }
}
