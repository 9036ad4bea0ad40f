package io.nexus.confluent;

import io.nexus.core.schema.SchemaRegistry;
import io.nexus.testkit.contract.SchemaRegistryContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;

/** The Confluent adapter passes the contract against the strict local Confluent REST server. */
class ConfluentSchemaRegistryContractTest extends SchemaRegistryContract {

    private static ConfluentTestServer server;

    @BeforeAll
    static void startServer() throws IOException {
        server = ConfluentTestServer.start(null);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    protected SchemaRegistry registry() {
        return ConfluentSchemaRegistry.builder(server.uri()).build();
    }

    @Override
    protected boolean recordsRegistrationTime() {
        return false;
    }
}
