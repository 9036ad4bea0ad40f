package io.nexus.testkit.governance;

import io.nexus.core.schema.CompatibilityMode;
import io.nexus.core.schema.CompatibilityReport;
import io.nexus.core.schema.InMemorySchemaRegistry;
import io.nexus.core.schema.Incompatibility;
import io.nexus.core.schema.InvalidSchemaException;
import io.nexus.core.serialization.EventTypeInfo;
import io.nexus.core.serialization.EventTypes;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * A build-time check of an application's event schemas, run from a test so that the build fails on it:
 * every registered event type has a schema for its current version (and for every version before it), each is
 * a valid JSON Schema, and each version is compatible with the versions before it under its subject's
 * compatibility mode (BACKWARD unless set), judged exactly as the schema registry would at registration.
 *
 * <pre>{@code
 * @Test
 * void schemasAreComplete() {
 *     SchemaCheck.of(OrderModule.eventTypes())
 *             .schemas((type, version) -> "schemas/" + type + "-v" + version + ".json")
 *             .mode("OrderPlaced", CompatibilityMode.FULL)
 *             .assertValid();
 * }
 * }</pre>
 *
 * Not thread-safe; one check per test.
 */
public final class SchemaCheck {

    private final EventTypes types;
    private BiFunction<String, Integer, String> location = (type, version) -> "schemas/" + type + "-v" + version + ".json";
    private CompatibilityMode defaultMode = CompatibilityMode.BACKWARD;
    private final Map<String, CompatibilityMode> modes = new HashMap<>();
    private ClassLoader loader = Thread.currentThread().getContextClassLoader();

    private SchemaCheck(EventTypes types) {
        this.types = Objects.requireNonNull(types, "types");
    }

    /** A check of every type in {@code types}. */
    public static SchemaCheck of(EventTypes types) {
        return new SchemaCheck(types);
    }

    /** Where the schema of an event type's version is on the classpath; {@code schemas/<Type>-v<version>.json} by default. */
    public SchemaCheck schemas(BiFunction<String, Integer, String> resourceOf) {
        this.location = Objects.requireNonNull(resourceOf, "resourceOf");
        return this;
    }

    /** The mode of subjects without their own (BACKWARD by default, as in the registries). */
    public SchemaCheck defaultMode(CompatibilityMode mode) {
        this.defaultMode = Objects.requireNonNull(mode, "mode");
        return this;
    }

    /** The mode of {@code eventType}'s subject. */
    public SchemaCheck mode(String eventType, CompatibilityMode mode) {
        modes.put(Objects.requireNonNull(eventType, "eventType"), Objects.requireNonNull(mode, "mode"));
        return this;
    }

    /** The mode of each subject in {@code modesBySubject} (the same map the application configures its registry with). */
    public SchemaCheck modes(Map<String, CompatibilityMode> modesBySubject) {
        Objects.requireNonNull(modesBySubject, "modesBySubject").forEach(this::mode);
        return this;
    }

    /** The class loader the schemas are read with (the context class loader by default). */
    public SchemaCheck classLoader(ClassLoader value) {
        this.loader = Objects.requireNonNull(value, "classLoader");
        return this;
    }

    /** Every problem found, each naming the event type, the version, the resource and what to do; empty when all is well. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.builder().defaultCompatibility(defaultMode).build();
        List<EventTypeInfo> all = new ArrayList<>(types.all());
        all.sort(Comparator.comparing(EventTypeInfo::name));
        for (EventTypeInfo type : all) {
            String subject = type.name();
            registry.setCompatibility(subject, modes.getOrDefault(subject, defaultMode));
            for (int version = 1; version <= type.version(); version++) {
                String resource = location.apply(subject, version);
                String schema = read(resource);
                if (schema == null) {
                    problems.add("Event type '" + subject + "' v" + version + " has no schema: resource '" + resource
                            + "' is not on the classpath; add it (every version up to the current v" + type.version() + ")");
                    continue;
                }
                try {
                    CompatibilityReport report = registry.check(subject, schema);
                    if (!report.isCompatible()) {
                        StringBuilder s = new StringBuilder("Event type '" + subject + "' v" + version + " (" + resource
                                + ") is not " + report.mode() + " compatible:");
                        for (Incompatibility i : report.incompatibilities()) {
                            s.append("\n    - ").append(i);
                        }
                        s.append("\n  make the change compatible (optional fields with defaults), or register a new event type "
                                + "with an upcaster instead of a breaking version");
                        problems.add(s.toString());
                        continue;
                    }
                    registry.register(subject, schema);
                } catch (InvalidSchemaException e) {
                    problems.add("Event type '" + subject + "' v" + version + " (" + resource + ") is not a valid JSON Schema: "
                            + e.getMessage());
                }
            }
        }
        return problems;
    }

    /**
     * Fails with every problem listed.
     *
     * @throws AssertionError if any problem was found
     */
    public void assertValid() {
        List<String> problems = problems();
        if (!problems.isEmpty()) {
            throw new AssertionError(problems.size() + " schema problem(s) in " + types.all().size() + " event types:\n  "
                    + String.join("\n  ", problems));
        }
    }

    private @Nullable String read(String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }
}
