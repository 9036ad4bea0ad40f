package io.nexus.glue;

import io.nexus.core.schema.SchemaRegistry;
import io.nexus.testkit.contract.SchemaRegistryContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import software.amazon.awssdk.services.glue.GlueClient;

/**
 * Opt-in: the contract against the real AWS Glue Schema Registry. It runs only when the environment variable
 * {@code NEXUS_GLUE_IT=1} is set; without it, JUnit does not execute it. Credentials and region come from the
 * AWS SDK's default chains ({@code AWS_PROFILE} or {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY},
 * {@code AWS_REGION}). The registry named by {@code NEXUS_GLUE_REGISTRY} (default {@code nexus-contract-test})
 * is created if missing; each test leaves schemas with random suffixes behind, so use an account meant for
 * testing and delete the registry afterwards. Needs glue:CreateRegistry, CreateSchema, RegisterSchemaVersion,
 * GetSchema, GetSchemaVersion, GetSchemaByDefinition, ListSchemas, ListSchemaVersions, UpdateSchema and
 * CheckSchemaVersionValidity.
 *
 * <pre>
 * NEXUS_GLUE_IT=1 AWS_REGION=eu-west-1 mvn -pl nexus-glue-registry -am verify
 * </pre>
 */
@EnabledIfEnvironmentVariable(named = "NEXUS_GLUE_IT", matches = "1")
class RealGlueSchemaRegistryContractTest extends SchemaRegistryContract {

    private static GlueClient glue;
    private static String registryName;

    @BeforeAll
    static void connect() {
        glue = GlueClient.create();
        registryName = System.getenv().getOrDefault("NEXUS_GLUE_REGISTRY", "nexus-contract-test");
        GlueSchemaRegistry.builder(glue).registryName(registryName).build().createRegistryIfMissing();
    }

    @AfterAll
    static void disconnect() {
        glue.close();
    }

    @Override
    protected SchemaRegistry registry() {
        return GlueSchemaRegistry.builder(glue).registryName(registryName).build();
    }
}
