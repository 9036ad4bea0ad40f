package io.nexus.glue;

import io.nexus.core.schema.CompatibilityMode;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.glue.GlueClient;

import java.io.IOException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The code of docs/schema-governance.md's Glue section, against the strict Glue stand-in. */
class GlueDocTest {

    @Test
    void theRegistryIsCreatedAndTakesSchemas() throws IOException {
        try (GlueTestServer server = GlueTestServer.start(); GlueClient glue = GlueClients.local(server.uri())) {
            // tag::glue[]
            // glue: your GlueClient (GlueClient.create()); Nexus never closes it
            GlueSchemaRegistry registry = GlueSchemaRegistry.builder(glue)
                    .registryName("orders")                               // default "default-registry"
                    .defaultCompatibility(CompatibilityMode.BACKWARD)     // mode of schemas Nexus creates
                    .cacheTtl(Duration.ofHours(1)).cacheMaximumSize(10_000)
                    .pendingTimeout(Duration.ofSeconds(30)).pendingPollInterval(Duration.ofMillis(200))
                    .build();
            registry.createRegistryIfMissing();
            // end::glue[]
            assertEquals(1, registry.register("OrderPlaced", "{\"type\":\"object\"}").version());
            assertEquals(CompatibilityMode.BACKWARD, registry.compatibility("OrderPlaced"));
        }
    }
}
