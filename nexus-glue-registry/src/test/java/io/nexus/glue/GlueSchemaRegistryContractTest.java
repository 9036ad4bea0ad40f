package io.nexus.glue;

import io.nexus.core.schema.SchemaRegistry;
import io.nexus.testkit.contract.SchemaRegistryContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.services.glue.GlueClient;

import java.io.IOException;
import java.time.Duration;

/** The Glue adapter passes the contract against the strict local Glue JSON 1.1 server. */
class GlueSchemaRegistryContractTest extends SchemaRegistryContract {

    private static GlueTestServer server;
    private static GlueClient glue;

    @BeforeAll
    static void startServer() throws IOException {
        server = GlueTestServer.start();
        glue = GlueClients.local(server.uri());
        GlueSchemaRegistry.builder(glue).registryName("nexus-contract").build().createRegistryIfMissing();
    }

    @AfterAll
    static void stopServer() {
        glue.close();
        server.close();
    }

    @Override
    protected SchemaRegistry registry() {
        return GlueSchemaRegistry.builder(glue).registryName("nexus-contract").pendingPollInterval(Duration.ofMillis(10)).build();
    }
}
