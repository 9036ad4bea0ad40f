package io.nexus.examples.order.observability;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexus.core.Nexus;
import io.nexus.core.command.CommandRejectedException;
import io.nexus.core.observation.NexusMeters;
import io.nexus.examples.order.OrderApp;
import io.nexus.examples.order.billing.Billing;
import io.nexus.examples.order.domain.AddLine;
import io.nexus.examples.order.domain.ConfirmOrder;
import io.nexus.examples.order.domain.PlaceOrder;
import io.nexus.examples.order.projection.OrderSummaries;
import io.nexus.saga.SagaComponent;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The operators' dashboard and alert rules (docs/ops) query metrics the application really exposes: the
 * assembled example app is scraped through a Prometheus registry after traffic, and the rules pass promtool.
 */
class OperatorSignalsTest {

    private static final Path OPS = Path.of("..", "..", "docs", "ops");
    private static final Pattern METRIC = Pattern.compile("\\bnexus_[a-z0-9_]+");

    private static Set<String> queried(String file) throws IOException {
        Matcher m = METRIC.matcher(Files.readString(OPS.resolve(file), StandardCharsets.UTF_8));
        Set<String> names = new TreeSet<>();
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    /** The metric names of a scrape (each sample line's name). */
    private static Set<String> scraped(String scrape) {
        return scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void everyMetricTheDashboardAndTheCoreAlertsQueryIsScrapedFromTheRunningApp() throws Exception {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Billing billing = new Billing();
        try (Nexus nexus = OrderApp.assemble(Nexus.builder().meterRegistry(prometheus).aggregateCache(1_000), billing, Duration.ofMinutes(30)).build()) {
            nexus.start();
            nexus.commands().send(new PlaceOrder("order-1", "customer-7"));
            nexus.commands().send(new AddLine("order-1", "apple", 2, 250));
            nexus.commands().send(new ConfirmOrder("order-1"));
            assertThrows(CommandRejectedException.class, () -> nexus.commands().send(new AddLine("order-1", "pear", 1, 100)));
            OrderSummaries.of(nexus).find("order-1").orElseThrow();
            @SuppressWarnings("unchecked")
            SagaComponent<Object> saga = nexus.component(SagaComponent.class).orElseThrow();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while ((saga.status("order-1").isEmpty() || !billing.invoiced().contains("order-1")) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Set<String> exposed = scraped(prometheus.scrape());

            Set<String> queried = new TreeSet<>(queried("nexus-alerts.yml"));
            queried.addAll(queried("nexus-grafana-dashboard.json"));
            queried.removeIf(name -> name.startsWith("nexus_kinesis_"));
            Set<String> missing = new TreeSet<>(queried);
            missing.removeAll(exposed);
            assertEquals(Set.of(), missing, "queried by docs/ops but not exposed; exposed: " + exposed);
            assertTrue(queried.contains("nexus_saga_instances") && queried.contains("nexus_projection_lag_seconds"), queried.toString());
        }
    }

    @Test
    void theKinesisSignalsAreDeclaredMeters() throws Exception {
        Set<String> queried = new TreeSet<>(queried("nexus-kinesis-alerts.yml"));
        queried.addAll(queried("nexus-grafana-dashboard.json"));
        queried.removeIf(name -> !name.startsWith("nexus_kinesis_"));
        assertTrue(!queried.isEmpty());
        for (String name : queried) {
            String meter = name.replaceAll("_(max|count|sum|total|bucket)$", "").replace('_', '.');
            assertTrue(NexusMeters.find(meter).isPresent(), name + " is not a meter declared in NexusMeters (looked for '" + meter + "')");
        }
    }

    @Test
    void theAlertRulesPassPromtool() throws Exception {
        File promtool = onPath("promtool");
        Assumptions.assumeTrue(promtool != null,
                "promtool is not installed, so the alert rules were not checked by it: install Debian's 'prometheus' package "
                        + "(apt-get install --no-install-recommends prometheus); .ci/run does");
        for (String rules : new String[]{"nexus-alerts.yml", "nexus-kinesis-alerts.yml"}) {
            Process process = new ProcessBuilder(promtool.getPath(), "check", "rules", OPS.resolve(rules).toString())
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("promtool did not finish within 60 s on " + rules);
            }
            assertEquals(0, process.exitValue(), "promtool check rules " + rules + ":\n" + output);
            assertTrue(output.contains("SUCCESS"), output);
        }
    }

    private static File onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            File candidate = new File(dir, program);
            if (candidate.canExecute()) {
                return candidate;
            }
        }
        return null;
    }
}
