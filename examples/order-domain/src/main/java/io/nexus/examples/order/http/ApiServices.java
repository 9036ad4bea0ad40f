package io.nexus.examples.order.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexus.core.Nexus;
import io.nexus.core.projection.Projection;
import io.nexus.core.temporal.TemporalQueryService;
import io.nexus.examples.order.fulfilment.FulfilmentSimulator;
import io.nexus.examples.order.projection.OrderSummaries;
import io.nexus.examples.order.search.OrderTextSearch;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * What the HTTP API serves, assembled by the app.
 *
 * @param nexus        the started application
 * @param summaries    the order-summary read model
 * @param search       full-text search, or empty (then {@code /orders/search} answers 501)
 * @param temporal     the guarded historical reads
 * @param simulator    the simulated payment provider and warehouse, or empty when fulfilment is not assembled
 * @param rebuilds     per projection name, a fresh instance to rebuild it with ({@code POST /operator/projections/{name}/rebuild})
 * @param engines      per engine name, a probe for readiness: returns a short detail or throws when the engine is not usable
 * @param prometheus   the registry {@code GET /metrics} scrapes, or empty (then it answers 501)
 */
public record ApiServices(Nexus nexus, OrderSummaries summaries, Optional<OrderTextSearch> search, TemporalQueryService temporal,
                          Optional<FulfilmentSimulator> simulator, Map<String, Supplier<Projection>> rebuilds,
                          Map<String, Callable<String>> engines, Optional<PrometheusMeterRegistry> prometheus) {

    public ApiServices {
        Objects.requireNonNull(nexus, "nexus");
        Objects.requireNonNull(summaries, "summaries");
        Objects.requireNonNull(search, "search");
        Objects.requireNonNull(temporal, "temporal");
        Objects.requireNonNull(simulator, "simulator");
        rebuilds = Map.copyOf(rebuilds);
        engines = Map.copyOf(engines);
        Objects.requireNonNull(prometheus, "prometheus");
    }
}
