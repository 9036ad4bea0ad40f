package io.nexus.aws;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.nexus.testkit.observation.ObservationRecorder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every call of an AWS SDK client with the interceptor is an observation, child of the current one, against DynamoDB Local. */
class AwsObservationsTest {

    private static DynamoDBProxyServer server;
    private static URI endpoint;

    @BeforeAll
    static void startDynamoDbLocal() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        // DynamoDB Local prints its configuration banner to System.out; it is no test output.
        PrintStream console = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
        try {
            server = ServerRunner.createServerFromCommandLineArgs(
                    new String[]{"-inMemory", "-port", String.valueOf(port), "-disableTelemetry"});
            server.start();
        } finally {
            System.setOut(console);
        }
        endpoint = URI.create("http://localhost:" + port);
    }

    @AfterAll
    static void stopDynamoDbLocal() throws Exception {
        server.stop();
    }

    @Test
    void eachCallIsARemoteCallObservationInsideTheCurrentOne() {
        ObservationRecorder observations = new ObservationRecorder();
        try (DynamoDbClient client = client(AwsObservations.interceptor(observations.registry()))) {
            Observation.createNotStarted("work", observations.registry()).observe(() -> {
                client.listTables();
                assertThrows(ResourceNotFoundException.class, () -> client.describeTable(b -> b.tableName("no-such-table")));
            });
            // Outside any observation (as a background poll is) a call starts no trace of its own.
            client.listTables();
        }
        List<ObservationRecorder.Stopped> calls = observations.stopped("nexus.remote.call");
        assertEquals(List.of("dynamodb list-tables success", "dynamodb describe-table ResourceNotFoundException"),
                observations.spans("nexus.remote.call"));
        assertEquals(Map.of("nexus.remote.system", "dynamodb", "nexus.remote.operation", "DescribeTable",
                "nexus.outcome", "ResourceNotFoundException"), calls.get(1).lowCardinality());
        assertEquals(List.of("work", "work"), calls.stream().map(ObservationRecorder.Stopped::parent).toList());
        assertTrue(calls.get(1).error() instanceof ResourceNotFoundException, "the failed call records its exception");
    }

    @Test
    void aNoopRegistryObservesNothingAndTheCallsStillWork() {
        try (DynamoDbClient client = client(AwsObservations.interceptor(ObservationRegistry.NOOP))) {
            assertEquals(List.of(), client.listTables().tableNames());
        }
    }

    private static DynamoDbClient client(ExecutionInterceptor interceptor) {
        return DynamoDbClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.addExecutionInterceptor(interceptor))
                .build();
    }
}
