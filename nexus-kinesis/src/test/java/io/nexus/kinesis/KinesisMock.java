package io.nexus.kinesis;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.Shard;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * kinesis-mock (npm package {@code kinesis-local}) for the tests: one process per test JVM, started on
 * first use on free ports (plain HTTP), stopped when the JVM exits. The Maven build installs the package
 * into {@code target/kinesis-mock}; run from elsewhere (an IDE), the launcher installs it there itself.
 */
final class KinesisMock {

    static final String PACKAGE = "kinesis-local@0.6.2";

    private static final AtomicInteger STREAMS = new AtomicInteger();
    private static KinesisMock instance;

    private final Process process;
    private final URI endpoint;
    private final KinesisClient client;

    private KinesisMock(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
        this.client = client();
    }

    /** The running mock, started on first call. */
    static synchronized KinesisMock get() {
        if (instance == null) {
            instance = start();
            Runtime.getRuntime().addShutdownHook(new Thread(instance::stop, "kinesis-mock-stop"));
        }
        return instance;
    }

    /** The plain-HTTP endpoint of the mock. */
    URI endpoint() {
        return endpoint;
    }

    /** The shared admin client. */
    KinesisClient admin() {
        return client;
    }

    /** A new client on the mock; with interceptors for fault injection. Close it after use. */
    KinesisClient client(ExecutionInterceptor... interceptors) {
        return KinesisClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
                .httpClient(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(30)).build())
                .overrideConfiguration(b -> {
                    for (ExecutionInterceptor interceptor : interceptors) {
                        b.addExecutionInterceptor(interceptor);
                    }
                })
                .build();
    }

    /** Creates an active stream with a unique name starting with {@code prefix}; returns its name. */
    String createStream(String prefix, int shards) {
        String name = prefix + "-" + STREAMS.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
        client.createStream(r -> r.streamName(name).shardCount(shards));
        client.waiter().waitUntilStreamExists(r -> r.streamName(name));
        return name;
    }

    void deleteStream(String name) {
        client.deleteStream(r -> r.streamName(name).enforceConsumerDeletion(true));
    }

    List<Shard> shards(String stream) {
        return client.listShards(r -> r.streamName(stream)).shards();
    }

    private static KinesisMock start() {
        Path dir = Path.of(System.getProperty("nexus.kinesisMock.dir", "target/kinesis-mock")).toAbsolutePath();
        Path pkg = dir.resolve("node_modules/kinesis-local");
        try {
            if (!Files.exists(pkg.resolve("main.js"))) {
                run(dir, List.of("npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix", dir.toString(), PACKAGE));
            }
            int plain = freePort();
            int tls = freePort();
            ProcessBuilder builder = new ProcessBuilder("node", pkg.resolve("main.js").toString())
                    .directory(pkg.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("kinesis-mock.log").toFile()));
            builder.environment().put("KINESIS_MOCK_CERT_PATH", pkg.resolve("server.json").toString());
            builder.environment().put("KINESIS_MOCK_PLAIN_PORT", Integer.toString(plain));
            builder.environment().put("KINESIS_MOCK_TLS_PORT", Integer.toString(tls));
            for (String op : List.of("CREATE_STREAM", "DELETE_STREAM", "SPLIT_SHARD", "MERGE_SHARDS", "UPDATE_SHARD_COUNT")) {
                builder.environment().put(op + "_DURATION", "0ms");
            }
            builder.environment().put("SHARD_LIMIT", "1000");
            builder.environment().put("LOG_LEVEL", "WARN");
            Process process = builder.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!canConnect(plain)) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("kinesis-mock exited with " + process.exitValue() + "; see "
                            + dir.resolve("kinesis-mock.log"));
                }
                if (System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IllegalStateException("kinesis-mock did not open port " + plain + " within 60 s; see "
                            + dir.resolve("kinesis-mock.log"));
                }
                Thread.sleep(50);
            }
            return new KinesisMock(process, URI.create("http://127.0.0.1:" + plain));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start kinesis-mock from " + pkg, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting kinesis-mock", e);
        }
    }

    private void stop() {
        client.close();
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
        }
    }

    private static void run(Path dir, List<String> command) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        File logFile = dir.resolve("npm-install.log").toFile();
        Process npm = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile)).start();
        if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
            npm.destroyForcibly();
            throw new IllegalStateException("'" + String.join(" ", command) + "' failed; see " + logFile);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
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
