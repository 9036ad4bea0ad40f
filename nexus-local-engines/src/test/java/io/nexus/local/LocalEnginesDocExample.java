package io.nexus.local;

import org.opensearch.client.opensearch.OpenSearchClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

import java.nio.file.Path;

/**
 * The code of docs/whole-system-test.md's "engines in your own code", compiled with the module's tests.
 * It is not run here: {@link LocalEnginesTest} starts the same engines once for the module and makes the
 * same calls on each, and a second OpenSearch node in one JVM would only double the build's time.
 */
final class LocalEnginesDocExample {

    private LocalEnginesDocExample() {
    }

    static void run(Application application) {
        // tag::engines[]
        try (LocalEngines engines = LocalEngines.start(Path.of("target/kinesis-mock"))) {
            EngineEndpoints endpoints = engines.endpoints();
            DynamoDbClient dynamoDb = endpoints.dynamoDbClientBuilder().build();
            KinesisClient kinesis = endpoints.kinesisClientBuilder().build();
            OpenSearchClient search = endpoints.openSearchClient();
            application.run(dynamoDb, kinesis, search);   // your application or demo, until it stops
        }
        // end::engines[]
    }

    /** Whatever runs on the engines. */
    interface Application {
        void run(DynamoDbClient dynamoDb, KinesisClient kinesis, OpenSearchClient search);
    }
}
