package io.nexus.core.internal;

import org.jspecify.annotations.Nullable;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import io.nexus.core.observation.NexusMeters;

/**
 * The meters Nexus records, over the user's {@link MeterRegistry}; with none, every call is a no-op.
 * Meters are created once per name and tags and cached, so recording costs one map read. Each name is
 * declared once, with its description and base unit, in {@link NexusMeters}, whose description and unit
 * every meter registered here carries. Not part of the API: the meter names are, and are listed in
 * docs/observability.md.
 */
public final class NexusMetrics {

    private static final NexusMetrics NONE = new NexusMetrics(null);
    /** Handed to components when the application configured no registry: it has no member, so records nothing. */
    private static final MeterRegistry NO_REGISTRY = new CompositeMeterRegistry();

    private final @Nullable MeterRegistry registry;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, DistributionSummary> summaries = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    private NexusMetrics(@Nullable MeterRegistry registry) {
        this.registry = registry;
    }

    /** Metrics over {@code registry}; free when it is {@code null} or {@link #noRegistry()}. */
    public static NexusMetrics of(@Nullable MeterRegistry registry) {
        return registry == null || registry == NO_REGISTRY ? NONE : new NexusMetrics(registry);
    }

    /** A registry that records nothing, for APIs that must hand out a registry when none was configured. */
    public static MeterRegistry noRegistry() {
        return NO_REGISTRY;
    }

    public boolean enabled() {
        return registry != null;
    }

    /** The registry, or {@code null} when none was given. */
    public @Nullable MeterRegistry registry() {
        return registry;
    }

    public void timer(String name, long nanos, String... tags) {
        if (registry == null) {
            return;
        }
        timers.computeIfAbsent(key(name, tags), k -> Timer.builder(name).tags(tags).description(description(name))
                .publishPercentileHistogram(histograms(name)).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    public void summary(String name, double amount, String... tags) {
        if (registry == null) {
            return;
        }
        summaries.computeIfAbsent(key(name, tags), k -> DistributionSummary.builder(name).tags(tags).description(description(name))
                        .baseUnit(baseUnit(name)).register(registry))
                .record(amount);
    }

    public void count(String name, String... tags) {
        if (registry == null) {
            return;
        }
        counters.computeIfAbsent(key(name, tags), k -> Counter.builder(name).tags(tags).description(description(name))
                .register(registry)).increment();
    }

    /**
     * Registers the gauge {@code name} with {@code tags}, reading {@code value} of {@code state} at each scrape
     * (the registry holds {@code state} weakly: the caller keeps it alive); nothing without a registry.
     */
    public <T> void gauge(String name, T state, ToDoubleFunction<T> value, String... tags) {
        if (registry == null) {
            return;
        }
        Gauge.builder(name, state, value).tags(Tags.of(tags)).description(description(name)).baseUnit(baseUnit(name))
                .strongReference(true).register(registry);
    }

    /** Removes the gauge {@code name} with {@code tags} (its owner closed), so a new owner can register it again. */
    public void removeGauge(String name, String... tags) {
        if (registry == null) {
            return;
        }
        Gauge gauge = registry.find(name).tags(tags).gauge();
        if (gauge != null) {
            registry.remove(gauge);
        }
    }

    private static @Nullable String description(String name) {
        return NexusMeters.find(name).map(NexusMeters.MeterDoc::description).orElse(null);
    }

    private static @Nullable String baseUnit(String name) {
        return NexusMeters.find(name).map(NexusMeters.MeterDoc::baseUnit).orElse(null);
    }

    /** Command latency gets a histogram, so a p99 can be computed across instances (the operators' alert). */
    private static boolean histograms(String name) {
        return NexusMeters.COMMAND.equals(name);
    }

    private static String key(String name, String[] tags) {
        if (tags.length == 0) {
            return name;
        }
        StringBuilder sb = new StringBuilder(name);
        for (String tag : tags) {
            sb.append('\u0000').append(tag);
        }
        return sb.toString();
    }
}
