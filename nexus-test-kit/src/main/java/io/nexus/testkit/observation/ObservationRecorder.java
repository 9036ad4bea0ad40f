package io.nexus.testkit.observation;

import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * An {@link ObservationRegistry} that records every observation when it stops: its name, span (contextual)
 * name, low-cardinality keys, parent and error. A test gives {@link #registry()} to the code under test and
 * asserts {@link #stopped()}:
 *
 * <pre>{@code
 * ObservationRecorder observations = new ObservationRecorder();
 * ... build the adapter with observations.registry() and call it ...
 * assertEquals(List.of("glue get-schema-version success"), observations.spans("nexus.remote.call"));
 * }</pre>
 *
 * Thread-safe: observations may stop on any thread.
 */
public final class ObservationRecorder {

    /**
     * One stopped observation.
     *
     * @param name           the observation name ({@code nexus.remote.call})
     * @param contextualName the span name ({@code dynamodb put-item}), or the name when it has none
     * @param lowCardinality its low-cardinality keys and values, sorted by key
     * @param parent         the name of its parent observation, or {@code null} for a root
     * @param error          what it recorded as its error, or {@code null}
     */
    public record Stopped(String name, String contextualName, Map<String, String> lowCardinality,
                          @Nullable String parent, @Nullable Throwable error) {

        /** The value of the low-cardinality key {@code key}, or {@code null} when it has none. */
        public @Nullable String key(String key) {
            return lowCardinality.get(key);
        }
    }

    private final List<Stopped> stopped = new CopyOnWriteArrayList<>();
    private final ObservationRegistry registry = ObservationRegistry.create();

    /** A recorder with an empty registry of its own. */
    public ObservationRecorder() {
        registry.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public void onStop(Observation.Context context) {
                Map<String, String> keys = new TreeMap<>();
                for (KeyValue keyValue : context.getLowCardinalityKeyValues()) {
                    keys.put(keyValue.getKey(), keyValue.getValue());
                }
                Observation.ContextView parent = context.getParentObservation() == null ? null
                        : context.getParentObservation().getContextView();
                String contextual = context.getContextualName();
                stopped.add(new Stopped(context.getName(), contextual == null ? context.getName() : contextual, Map.copyOf(keys),
                        parent == null ? null : parent.getName(), context.getError()));
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }
        });
    }

    /** The registry to observe in. */
    public ObservationRegistry registry() {
        return registry;
    }

    /** Every observation stopped so far, in the order they stopped. */
    public List<Stopped> stopped() {
        return List.copyOf(stopped);
    }

    /** The observations named {@code name} stopped so far, in the order they stopped. */
    public List<Stopped> stopped(String name) {
        return stopped.stream().filter(s -> s.name().equals(name)).toList();
    }

    /**
     * The observations named {@code name} as {@code "<span name> <nexus.outcome>"}, in the order they stopped
     * ({@code "dynamodb put-item success"}); the outcome is {@code -} when there is none.
     */
    public List<String> spans(String name) {
        return stopped(name).stream()
                .map(s -> s.contextualName() + " " + (s.key("nexus.outcome") == null ? "-" : s.key("nexus.outcome")))
                .collect(Collectors.toList());
    }

    /** Forgets what was recorded so far. */
    public void clear() {
        stopped.clear();
    }
}
