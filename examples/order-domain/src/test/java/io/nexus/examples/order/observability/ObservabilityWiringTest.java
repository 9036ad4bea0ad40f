package io.nexus.examples.order.observability;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexus.core.Nexus;
import io.nexus.examples.order.OrderModule;
import io.nexus.examples.order.domain.PlaceOrder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/observability.md's wiring: the two registries on the builder see a command's meters and observation. */
class ObservabilityWiringTest {

    @Test
    void aCommandIsMeteredAndObservedThroughTheBuildersRegistries() {
        PrometheusMeterRegistry prometheusRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ObservationRegistry observationRegistry = ObservationRegistry.create();
        List<String> observed = new CopyOnWriteArrayList<>();
        observationRegistry.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }

            @Override
            public void onStart(Observation.Context context) {
                observed.add(context.getName());
            }
        });
        // tag::wiring[]
        Nexus nexus = Nexus.builder()
                .module(new OrderModule())
                .meterRegistry(prometheusRegistry)          // meters (Micrometer)
                .observationRegistry(observationRegistry)   // traces (Micrometer Observation API)
                .build();
        // logging context: SLF4J MDC keys, set whenever Nexus handles a command or an event
        // end::wiring[]
        try (nexus) {
            nexus.commands().send(new PlaceOrder("order-1", "customer-7"));
        }
        assertTrue(prometheusRegistry.scrape().contains("nexus_command"), prometheusRegistry.scrape());
        assertTrue(observed.stream().anyMatch(name -> name.startsWith("nexus.command")), observed.toString());
    }
}
