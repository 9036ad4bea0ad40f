package io.nexus.examples.order.engines;

import io.micrometer.observation.ObservationRegistry;
import io.nexus.local.LocalEngines;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Opens the engines of a profile by name. */
public final class EngineProfiles {

    /** The profiles there are. */
    public static final List<String> NAMES = List.of("embedded", "postgres", "aws", "local");

    /** Where the local profile installs kinesis-mock (npm) unless {@code KINESIS_MOCK_DIR} says otherwise. */
    public static final Path DEFAULT_KINESIS_MOCK_DIR = Path.of(System.getProperty("java.io.tmpdir"), "nexus-kinesis-mock");

    private EngineProfiles() {
    }

    /**
     * The engines of {@code profile}, configured from {@code env}; progress of slow start-ups goes to {@code out}.
     *
     * @throws IllegalArgumentException if the profile is unknown or its configuration is incomplete (all problems named)
     */
    public static AppEngines open(String profile, Map<String, String> env, PrintStream out) {
        return open(profile, env, out, ObservationRegistry.NOOP);
    }

    /**
     * The engines of {@code profile}, as {@link #open(String, Map, PrintStream)} opens them, with the engines' calls
     * (PostgreSQL's port operations, the DynamoDB and Kinesis clients, the OpenSearch read model) observed in
     * {@code observations} wherever they are made inside a trace.
     *
     * @throws IllegalArgumentException if the profile is unknown or its configuration is incomplete (all problems named)
     */
    public static AppEngines open(String profile, Map<String, String> env, PrintStream out, ObservationRegistry observations) {
        return switch (profile) {
            case "embedded" -> new EmbeddedEngines();
            case "postgres" -> PostgresAppEngines.fromEnvironment(env, observations);
            case "aws" -> aws(env, observations);
            case "local" -> local(env, out, observations);
            default -> throw new IllegalArgumentException("profile must be one of " + NAMES + ", but was '" + profile + "'");
        };
    }

    private static AppEngines aws(Map<String, String> env, ObservationRegistry observations) {
        List<String> problems = new ArrayList<>();
        AwsEngines.Settings engines = null;
        SchemaRegistries.Settings registry = null;
        try {
            engines = AwsEngines.Settings.fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        try {
            registry = SchemaRegistries.Settings.fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new AwsEngines("aws", engines, registry, null, observations);
    }

    private static AppEngines local(Map<String, String> env, PrintStream out, ObservationRegistry observations) {
        SchemaRegistries.Settings registry = SchemaRegistries.Settings.fromEnvironment(env);
        AwsEngines.Settings.checkLocal(env);     // before the engines' start, so that a malformed variable fails at once
        String dir = env.get("KINESIS_MOCK_DIR");
        out.println("Starting DynamoDB Local, kinesis-mock and an OpenSearch node (the first start installs kinesis-mock with npm)...");
        long began = System.nanoTime();
        LocalEngines engines = LocalEngines.start(dir == null || dir.isBlank() ? DEFAULT_KINESIS_MOCK_DIR : Path.of(dir));
        try {
            out.println("Local engines up in " + (System.nanoTime() - began) / 1_000_000 + " ms: " + engines.endpoints());
            return new AwsEngines("local", AwsEngines.Settings.of(engines.endpoints(), env), registry, engines, observations);
        } catch (RuntimeException e) {
            engines.close();
            throw e;
        }
    }
}
