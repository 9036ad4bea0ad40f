package io.nexus.confluent;

import io.nexus.core.schema.SchemaRegistry;
import io.nexus.testkit.contract.SchemaRegistryContract;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import java.net.URI;

/**
 * Opt-in: the contract against a real Confluent Schema Registry. It runs only when the environment variable
 * {@code NEXUS_CONFLUENT_URL} is set (for example {@code http://localhost:8081}, or a Confluent Cloud endpoint
 * with {@code NEXUS_CONFLUENT_USER} and {@code NEXUS_CONFLUENT_PASSWORD} as API key and secret); without it,
 * JUnit does not execute it. The registry's global compatibility must be BACKWARD (its default). Each test
 * creates subjects with random suffixes and leaves them behind; use a registry meant for testing.
 *
 * <pre>
 * NEXUS_CONFLUENT_URL=http://localhost:8081 mvn -pl nexus-confluent-registry -am verify
 * </pre>
 */
@EnabledIfEnvironmentVariable(named = "NEXUS_CONFLUENT_URL", matches = ".+")
class RealConfluentSchemaRegistryContractTest extends SchemaRegistryContract {

    @Override
    protected SchemaRegistry registry() {
        ConfluentSchemaRegistry.Builder builder = ConfluentSchemaRegistry.builder(URI.create(System.getenv("NEXUS_CONFLUENT_URL")));
        String user = System.getenv("NEXUS_CONFLUENT_USER");
        if (user != null && !user.isEmpty()) {
            builder.basicAuth(user, System.getenv().getOrDefault("NEXUS_CONFLUENT_PASSWORD", ""));
        }
        return builder.build();
    }

    @Override
    protected boolean recordsRegistrationTime() {
        return false;
    }
}
