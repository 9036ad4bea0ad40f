package io.nexus.benchmarks.aws;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.kinesis.leases.dynamodb.DynamoDBLeaseSerializer;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The AWS emulators the benchmarks run against, as the module tests start them (see BACKENDS.md): DynamoDB
 * Local in-process and in memory, and kinesis-mock (npm {@code kinesis-local}) as a child process,
 * installed on first use into {@code nexus.kinesisMock.dir} (default: {@code kinesis-mock} under the
 * temporary directory). Each is started on a free port on first use and stopped at JVM exit.
 */
public final class AwsEmulators {

    static final String KINESIS_MOCK_PACKAGE = "kinesis-local@0.6.2";

    private static URI dynamoDb;
    private static URI kinesis;

    private AwsEmulators() {
    }

    /** The endpoint of DynamoDB Local, started on first call. */
    public static synchronized URI dynamoDb() {
        if (dynamoDb == null) {
            int port = freePort();
            PrintStream console = System.out;
            // DynamoDB Local prints its configuration banner; it is no benchmark output.
            System.setOut(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
            try {
                DynamoDBProxyServer server = ServerRunner.createServerFromCommandLineArgs(
                        new String[]{"-inMemory", "-port", String.valueOf(port), "-disableTelemetry"});
                server.start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        server.stop();
                    } catch (Exception ignored) {
                        // the JVM is exiting
                    }
                }, "dynamodb-local-stop"));
            } catch (Exception e) {
                throw new IllegalStateException("DynamoDB Local did not start on port " + port, e);
            } finally {
                System.setOut(console);
            }
            dynamoDb = URI.create("http://localhost:" + port);
        }
        return dynamoDb;
    }

    /** A new DynamoDB client on DynamoDB Local with {@code interceptors}; the caller closes it. */
    public static DynamoDbClient dynamoDbClient(ExecutionInterceptor... interceptors) {
        return DynamoDbClient.builder().endpointOverride(dynamoDb()).region(Region.US_EAST_1)
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(b -> List.of(interceptors).forEach(b::addExecutionInterceptor))
                .build();
    }

    /** A new DynamoDB Streams client on DynamoDB Local with {@code interceptors}; the caller closes it. */
    public static DynamoDbStreamsClient streamsClient(ExecutionInterceptor... interceptors) {
        return DynamoDbStreamsClient.builder().endpointOverride(dynamoDb()).region(Region.US_EAST_1)
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(b -> List.of(interceptors).forEach(b::addExecutionInterceptor))
                .build();
    }

    /** A new Kinesis client on kinesis-mock with {@code interceptors}; the caller closes it. */
    public static KinesisClient kinesisClient(ExecutionInterceptor... interceptors) {
        return KinesisClient.builder().endpointOverride(kinesis()).region(Region.US_EAST_1)
                .credentialsProvider(credentials())
                .httpClient(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(30)).build())
                .overrideConfiguration(b -> List.of(interceptors).forEach(b::addExecutionInterceptor))
                .build();
    }

    /**
     * A new asynchronous Kinesis client on kinesis-mock (Netty, HTTP/1.1: the mock speaks no HTTP/2), as the
     * Kinesis Client Library needs; the caller closes it.
     */
    public static KinesisAsyncClient kinesisAsyncClient(ExecutionInterceptor... interceptors) {
        return KinesisAsyncClient.builder().endpointOverride(kinesis()).region(Region.US_EAST_1)
                .credentialsProvider(credentials())
                .httpClient(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1).build())
                .overrideConfiguration(b -> List.of(interceptors).forEach(b::addExecutionInterceptor))
                .build();
    }

    /** A new asynchronous DynamoDB client on DynamoDB Local, for the KCL's lease tables; the caller closes it. */
    public static DynamoDbAsyncClient dynamoDbAsyncClient(ExecutionInterceptor... interceptors) {
        return DynamoDbAsyncClient.builder().endpointOverride(dynamoDb()).region(Region.US_EAST_1)
                .credentialsProvider(credentials())
                .httpClient(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1).build())
                .overrideConfiguration(b -> List.of(interceptors).forEach(b::addExecutionInterceptor))
                .build();
    }

    /**
     * Creates a KCL 3 lease table with its owner index, as the KCL would. The KCL creates the table without the
     * index, adds it and waits for it in 10 s polls; DynamoDB Local builds an added index in the background, so
     * creating it up front saves the benchmark those waits at the start.
     */
    public static void createLeaseTable(DynamoDbAsyncClient client, String table) {
        DynamoDBLeaseSerializer serializer = new DynamoDBLeaseSerializer();
        List<AttributeDefinition> attributes = new ArrayList<>(serializer.getWorkerIdToLeaseKeyIndexAttributeDefinitions());
        client.createTable(r -> r.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(serializer.getKeySchema()).attributeDefinitions(attributes)
                .globalSecondaryIndexes(g -> g.indexName("LeaseOwnerToLeaseKeyIndex")
                        .keySchema(serializer.getWorkerIdToLeaseKeyIndexKeySchema())
                        .projection(pr -> pr.projectionType(ProjectionType.KEYS_ONLY)))).join();
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x"));
    }

    /** The endpoint of kinesis-mock (plain HTTP), installed and started on first call. */
    public static synchronized URI kinesis() {
        if (kinesis == null) {
            Path dir = Path.of(System.getProperty("nexus.kinesisMock.dir",
                    Path.of(System.getProperty("java.io.tmpdir"), "kinesis-mock").toString())).toAbsolutePath();
            Path pkg = dir.resolve("node_modules/kinesis-local");
            try {
                if (!Files.exists(pkg.resolve("main.js"))) {
                    npmInstall(dir);
                }
                int plain = freePort();
                ProcessBuilder builder = new ProcessBuilder("node", pkg.resolve("main.js").toString())
                        .directory(pkg.toFile()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("kinesis-mock.log").toFile()));
                builder.environment().put("KINESIS_MOCK_CERT_PATH", pkg.resolve("server.json").toString());
                builder.environment().put("KINESIS_MOCK_PLAIN_PORT", Integer.toString(plain));
                builder.environment().put("KINESIS_MOCK_TLS_PORT", Integer.toString(freePort()));
                builder.environment().put("CREATE_STREAM_DURATION", "0ms");
                builder.environment().put("LOG_LEVEL", "WARN");
                Process process = builder.start();
                Runtime.getRuntime().addShutdownHook(new Thread(process::destroy, "kinesis-mock-stop"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!canConnect(plain)) {
                    if (!process.isAlive() || System.nanoTime() > deadline) {
                        process.destroyForcibly();
                        throw new IllegalStateException("kinesis-mock did not open port " + plain + "; see "
                                + dir.resolve("kinesis-mock.log"));
                    }
                    TimeUnit.MILLISECONDS.sleep(50);
                }
                kinesis = URI.create("http://127.0.0.1:" + plain);
            } catch (IOException e) {
                throw new UncheckedIOException("Could not start kinesis-mock from " + pkg, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while starting kinesis-mock", e);
            }
        }
        return kinesis;
    }

    private static void npmInstall(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        File logFile = dir.resolve("npm-install.log").toFile();
        List<String> command = List.of("npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix", dir.toString(),
                KINESIS_MOCK_PACKAGE);
        Process npm = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile)).start();
        if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
            npm.destroyForcibly();
            throw new IllegalStateException("'" + String.join(" ", command) + "' failed; see " + logFile);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean canConnect(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
