package io.nexus.confluent;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The code of docs/schema-governance.md's Confluent section, against the strict Confluent stand-in. */
class ConfluentDocTest {

    @Test
    void theRegistryAuthenticatesAndTakesSchemas() throws IOException {
        String apiKey = "key";
        String apiSecret = "secret";
        String header = "Basic " + Base64.getEncoder().encodeToString((apiKey + ":" + apiSecret).getBytes());
        HttpClient myHttpClient = HttpClient.newHttpClient();
        try (ConfluentTestServer server = ConfluentTestServer.start(header)) {
            URI url = server.uri();
            // tag::confluent[]
            // url: e.g. URI.create("https://psrc-xxxx.confluent.cloud")
            ConfluentSchemaRegistry registry = ConfluentSchemaRegistry.builder(url)
                    .basicAuth(apiKey, apiSecret)                          // or .bearerToken(() -> token), not both
                    .requestTimeout(Duration.ofSeconds(10))
                    .cacheTtl(Duration.ofHours(1)).cacheMaximumSize(10_000)
                    .httpClient(myHttpClient)                              // optional
                    .build();
            // end::confluent[]
            assertEquals(1, registry.register("OrderPlaced", "{\"type\":\"object\"}").version());
        }
    }
}
