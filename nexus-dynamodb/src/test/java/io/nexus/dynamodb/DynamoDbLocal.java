package io.nexus.dynamodb;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One DynamoDB Local server per test JVM, in-process and in memory, started on first use and stopped at
 * JVM exit. Tests get clients on it and unique table names, so test classes never share tables.
 */
public final class DynamoDbLocal {

    private static final AtomicInteger TABLES = new AtomicInteger();
    private static volatile URI endpoint;
    private static volatile DynamoDbClient client;
    private static volatile DynamoDbStreamsClient streamsClient;

    private DynamoDbLocal() {
    }

    /** The endpoint of the shared server, starting it on first call. */
    public static synchronized URI endpoint() {
        if (endpoint == null) {
            int port = freePort();
            try {
                DynamoDBProxyServer server;
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
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        server.stop();
                    } catch (Exception ignored) {
                        // the JVM is exiting
                    }
                }));
            } catch (Exception e) {
                throw new IllegalStateException("DynamoDB Local did not start on port " + port, e);
            }
            endpoint = URI.create("http://localhost:" + port);
        }
        return endpoint;
    }

    /** A shared client with the SDK's default retries. */
    public static synchronized DynamoDbClient client() {
        if (client == null) {
            client = newClient(b -> { });
        }
        return client;
    }

    /** A shared Streams client. */
    public static synchronized DynamoDbStreamsClient streamsClient() {
        if (streamsClient == null) {
            streamsClient = newStreamsClient(b -> { });
        }
        return streamsClient;
    }

    /** A new client (the caller closes it) with extra override configuration, e.g. interceptors. */
    public static DynamoDbClient newClient(Consumer<ClientOverrideConfiguration.Builder> override) {
        return DynamoDbClient.builder().endpointOverride(endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(override)
                .build();
    }

    /** A new Streams client (the caller closes it) with extra override configuration. */
    public static DynamoDbStreamsClient newStreamsClient(Consumer<ClientOverrideConfiguration.Builder> override) {
        return DynamoDbStreamsClient.builder().endpointOverride(endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(override)
                .build();
    }

    /**
     * Fresh names of the events, snapshots and checkpoints tables for one test, created with
     * {@link DynamoDbTables#createIfMissing}; the durable ports' tables are left out (see {@link #freshTable}).
     */
    public static DynamoDbTables.Names freshTables(String prefix) {
        DynamoDbTables.Names all = DynamoDbTables.Names.withPrefix(prefix + "-" + TABLES.incrementAndGet() + "-");
        DynamoDbTables.Names names = new DynamoDbTables.Names(all.events(), all.snapshots(), all.checkpoints());
        DynamoDbTables.createIfMissing(client(), names);
        return names;
    }

    /** Fresh names of every table, all created. */
    public static DynamoDbTables.Names freshAllTables(String prefix) {
        DynamoDbTables.Names names = DynamoDbTables.Names.withPrefix(prefix + "-" + TABLES.incrementAndGet() + "-");
        DynamoDbTables.createIfMissing(client(), names);
        return names;
    }

    /** One fresh table defined by {@code definition} (a {@link DynamoDbTables} method), created and active. */
    public static String freshTable(String prefix, Function<String, CreateTableRequest> definition) {
        String name = prefix + "-" + TABLES.incrementAndGet();
        client().createTable(definition.apply(name));
        client().waiter().waitUntilTableExists(b -> b.tableName(name));
        return name;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
