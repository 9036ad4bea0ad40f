package io.nexus.local;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClientBuilder;

import java.net.URI;

/**
 * DynamoDB Local 2.x in this JVM, in memory, on a free loopback port: the real DynamoDB API with conditional
 * writes, transactions and DynamoDB Streams, reached over HTTP exactly like the service.
 *
 * <pre>{@code
 * try (LocalDynamoDb dynamoDb = LocalDynamoDb.start();
 *      DynamoDbClient client = dynamoDb.clientBuilder().build()) {
 *     ...
 * }
 * }</pre>
 *
 * <p>One database is shared by every access key and region ({@code -sharedDb}), so clients need not agree on
 * credentials. Its data lives as long as this object: {@link #close()} discards it.
 *
 * <p>Implementation note: DynamoDB Local's background jobs (Streams shard rollover, TTL deletion, index
 * creation) sleep for minutes in non-daemon threads that its own shutdown only flags, which would keep a plain
 * {@code main} alive long after the server stopped. Nothing ties a job thread to its server, so when the last
 * server of this JVM closes, {@link #close()} interrupts every such thread, which ends it at once; while
 * another server still runs they are left alone and end at their next wake-up.
 *
 * <p>DynamoDB Local comes under Amazon's DynamoDB Local License Agreement, not an open-source licence, so this
 * module declares it optional: an application that starts it adds {@code com.amazonaws:DynamoDBLocal} to its own
 * dependencies (test scope where only tests use it), accepting those terms. Nothing Nexus publishes bundles it.
 *
 * <p>Thread-safe; {@link #close()} is idempotent.
 */
public final class LocalDynamoDb implements AutoCloseable {

    private static final String SERVER_RUNNER = "com.amazonaws.services.dynamodbv2.local.main.ServerRunner";
    private static final String JOBS_PACKAGE = "com.amazonaws.services.dynamodbv2.local.shared.jobs.";
    /** Guards {@link #running}. */
    private static final Object SERVERS = new Object();
    private static int running;

    private final DynamoDBProxyServer server;
    private final URI endpoint;
    private boolean closed;

    private LocalDynamoDb(DynamoDBProxyServer server, URI endpoint) {
        this.server = server;
        this.endpoint = endpoint;
    }

    /**
     * Starts a new in-memory server on a free port (about 2.5 s the first time in a JVM).
     *
     * @throws LocalEngineException if the server does not start
     */
    public static LocalDynamoDb start() {
        requireOnClasspath(LocalDynamoDb.class.getClassLoader());
        int port = Ports.free();
        try {
            DynamoDBProxyServer server = ServerRunner.createServerFromCommandLineArgs(
                    new String[]{"-inMemory", "-sharedDb", "-port", String.valueOf(port), "-disableTelemetry"});
            server.start();
            synchronized (SERVERS) {
                running++;
            }
            return new LocalDynamoDb(server, URI.create("http://localhost:" + port));
        } catch (Exception e) {
            throw new LocalEngineException("DynamoDB Local did not start on port " + port
                    + "; check that the DynamoDBLocal jar and its sqlite4java natives are on the classpath", e);
        }
    }

    /**
     * Fails with what to add when DynamoDB Local is not visible to {@code loader}.
     *
     * @throws LocalEngineException naming the dependency to declare
     */
    static void requireOnClasspath(ClassLoader loader) {
        try {
            Class.forName(SERVER_RUNNER, false, loader);
        } catch (ClassNotFoundException e) {
            throw new LocalEngineException("DynamoDB Local is not on the classpath: add the dependency "
                    + "com.amazonaws:DynamoDBLocal (2.6.1 or later; test scope if only tests start it). nexus-local-engines "
                    + "leaves it optional because it comes under Amazon's DynamoDB Local License Agreement, not an "
                    + "open-source licence", e);
        }
    }

    /** The HTTP endpoint of the DynamoDB and DynamoDB Streams APIs, e.g. {@code http://localhost:41234}. */
    public URI endpoint() {
        return endpoint;
    }

    /** A DynamoDB client builder on this server (see {@link EngineEndpoints} for its configuration). */
    public DynamoDbClientBuilder clientBuilder() {
        return EngineEndpoints.dynamoDbClientBuilder(endpoint);
    }

    /** A DynamoDB Streams client builder on this server. */
    public DynamoDbStreamsClientBuilder streamsClientBuilder() {
        return EngineEndpoints.dynamoDbStreamsClientBuilder(endpoint);
    }

    /** Stops the server, discards its data and ends its background threads. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.stop();
        } catch (Exception e) {
            throw new LocalEngineException("DynamoDB Local on " + endpoint + " did not stop cleanly", e);
        } finally {
            synchronized (SERVERS) {
                if (--running == 0) {
                    Thread.getAllStackTraces().forEach((thread, stack) -> {
                        if (runsBackgroundJob(stack)) {
                            thread.interrupt();
                        }
                    });
                }
            }
        }
    }

    private static boolean runsBackgroundJob(StackTraceElement[] stack) {
        for (StackTraceElement frame : stack) {
            if (frame.getClassName().startsWith(JOBS_PACKAGE)) {
                return true;
            }
        }
        return false;
    }
}
