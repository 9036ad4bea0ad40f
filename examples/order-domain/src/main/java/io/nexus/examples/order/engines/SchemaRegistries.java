package io.nexus.examples.order.engines;

import io.micrometer.observation.ObservationRegistry;
import io.nexus.aws.AwsObservations;
import io.nexus.confluent.ConfluentSchemaRegistry;
import io.nexus.core.schema.InMemorySchemaRegistry;
import io.nexus.core.schema.SchemaRegistry;
import io.nexus.glue.GlueSchemaRegistry;
import io.nexus.local.EngineEndpoints;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.glue.GlueClient;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The schema registry of the {@code aws} and {@code local} profiles, chosen by {@code NEXUS_SCHEMA_REGISTRY}:
 * {@code embedded} (an in-memory registry, the default), {@code confluent} (a Confluent Schema Registry at
 * {@code NEXUS_SCHEMA_REGISTRY_URL}) or {@code glue} (the AWS Glue Schema Registry named
 * {@code NEXUS_GLUE_REGISTRY} in {@code AWS_REGION}, at {@code NEXUS_GLUE_ENDPOINT} if given, created when
 * missing). The app registers its schema files in it at every start (idempotent), under the same modes.
 */
public final class SchemaRegistries {

    /** The kinds of registry. */
    public enum Kind { EMBEDDED, CONFLUENT, GLUE }

    /** The environment variables read. */
    public static final List<String> VARIABLES = List.of("NEXUS_SCHEMA_REGISTRY", "NEXUS_SCHEMA_REGISTRY_URL",
            "NEXUS_GLUE_REGISTRY", "NEXUS_GLUE_ENDPOINT", "AWS_REGION");

    /**
     * Which registry, and where.
     *
     * @param kind         the kind of registry
     * @param url          the Confluent base URL, or the Glue endpoint override ({@code null} for AWS itself); null for embedded
     * @param region       the AWS region of Glue
     * @param registryName the Glue registry's name
     */
    public record Settings(Kind kind, URI url, String region, String registryName) {

        /** The in-memory registry. */
        public static final Settings EMBEDDED = new Settings(Kind.EMBEDDED, null, EngineEndpoints.REGION, "order-app");

        public Settings {
            Objects.requireNonNull(kind, "kind");
            if (kind == Kind.CONFLUENT) {
                Objects.requireNonNull(url, "url");
            }
        }

        /** A Confluent Schema Registry at {@code baseUrl}. */
        public static Settings confluent(URI baseUrl) {
            return new Settings(Kind.CONFLUENT, baseUrl, EngineEndpoints.REGION, "order-app");
        }

        /**
         * The settings in {@code env}.
         *
         * @throws IllegalArgumentException naming every missing or malformed variable at once
         */
        public static Settings fromEnvironment(Map<String, String> env) {
            List<String> problems = new ArrayList<>();
            String kindName = env.getOrDefault("NEXUS_SCHEMA_REGISTRY", "embedded").trim();
            Kind kind = switch (kindName) {
                case "", "embedded" -> Kind.EMBEDDED;
                case "confluent" -> Kind.CONFLUENT;
                case "glue" -> Kind.GLUE;
                default -> {
                    problems.add("NEXUS_SCHEMA_REGISTRY must be embedded, confluent or glue, but was '" + kindName + "'");
                    yield Kind.EMBEDDED;
                }
            };
            URI url = null;
            if (kind == Kind.CONFLUENT) {
                String given = env.get("NEXUS_SCHEMA_REGISTRY_URL");
                if (given == null || given.isBlank()) {
                    problems.add("NEXUS_SCHEMA_REGISTRY_URL is required with NEXUS_SCHEMA_REGISTRY=confluent (e.g. http://localhost:8081)");
                } else {
                    url = AwsEngines.Settings.uri(env, "NEXUS_SCHEMA_REGISTRY_URL", false, problems);
                }
            } else if (kind == Kind.GLUE) {
                url = AwsEngines.Settings.uri(env, "NEXUS_GLUE_ENDPOINT", false, problems);
            }
            String name = env.getOrDefault("NEXUS_GLUE_REGISTRY", "order-app");
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("the schema registry is not configured: " + String.join("; ", problems));
            }
            return new Settings(kind, url, env.getOrDefault("AWS_REGION", EngineEndpoints.REGION), name);
        }
    }

    /** An open registry and what closes its client. */
    record Opened(SchemaRegistry registry, AutoCloseable client) {
    }

    private SchemaRegistries() {
    }

    /**
     * Opens the registry {@code settings} name; a Glue registry is created when missing. Every call to a remote
     * registry is observed in {@code observations} (a {@code nexus.remote.call}: {@code confluent register},
     * {@code glue get-schema-version}); the app calls it at start and on the first use of each version, so these
     * are few, unlike the polls of the bus and the change capture.
     */
    static Opened open(Settings settings, ObservationRegistry observations) {
        return switch (settings.kind()) {
            case EMBEDDED -> new Opened(InMemorySchemaRegistry.create(), () -> { });
            case CONFLUENT -> new Opened(ConfluentSchemaRegistry.builder(settings.url()).observationRegistry(observations).build(),
                    () -> { });
            case GLUE -> {
                var builder = GlueClient.builder().region(Region.of(settings.region())).httpClient(UrlConnectionHttpClient.create())
                        .overrideConfiguration(o -> o.addExecutionInterceptor(AwsObservations.interceptor(observations)));
                if (settings.url() != null) {
                    builder.endpointOverride(settings.url());
                }
                GlueClient glue = builder.build();
                try {
                    GlueSchemaRegistry registry = GlueSchemaRegistry.builder(glue).registryName(settings.registryName()).build();
                    registry.createRegistryIfMissing();
                    yield new Opened(registry, glue);
                } catch (RuntimeException e) {
                    glue.close();
                    throw e;
                }
            }
        };
    }
}
