package io.nexus.local;

import software.amazon.awssdk.services.kinesis.KinesisClientBuilder;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * kinesis-mock (the npm package {@code kinesis-local}, version {@value #VERSION}) in a child process on a
 * free loopback port (plain HTTP): the Kinesis Data Streams API, CBOR included, for the AWS SDK v2 clients.
 *
 * <pre>{@code
 * try (LocalKinesis kinesis = LocalKinesis.start(Path.of("target/kinesis-mock"));
 *      KinesisClient client = kinesis.clientBuilder().build()) {
 *     client.createStream(r -> r.streamName("orders").shardCount(2));
 * }
 * }</pre>
 *
 * <p>The package is installed into the given directory with {@code npm install --prefix} unless it is there
 * already (a build may install it ahead, as this module's build does); Node.js and npm must be on the
 * {@code PATH}. Streams are created and resharded at once ({@code *_DURATION=0ms}). The process writes its
 * output to {@code kinesis-mock.log} in that directory.
 *
 * <p>Thread-safe; {@link #close()} is idempotent and ends the process (a JVM shutdown hook does too, if the
 * JVM exits without closing it).
 */
public final class LocalKinesis implements AutoCloseable {

    /** The kinesis-local version this launcher installs and was verified with. */
    public static final String VERSION = "0.6.2";

    private final Process process;
    private final URI endpoint;
    private final Thread shutdownHook;
    private boolean closed;

    private LocalKinesis(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
        this.shutdownHook = new Thread(process::destroyForcibly, "kinesis-mock-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Installs kinesis-mock into {@code installDir} if needed and starts it (port open in about 1.2 s).
     *
     * @throws LocalEngineException if npm or node fails, or the port does not open within 60 s
     */
    public static LocalKinesis start(Path installDir) {
        Path dir = installDir.toAbsolutePath();
        Path pkg = install(dir);
        int plain = Ports.free();
        int tls = Ports.free();
        Path log = dir.resolve("kinesis-mock.log");
        ProcessBuilder builder = new ProcessBuilder("node", pkg.resolve("main.js").toString())
                .directory(pkg.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // Without the certificate path the mock dies unless started from its own folder.
        builder.environment().put("KINESIS_MOCK_CERT_PATH", pkg.resolve("server.json").toString());
        builder.environment().put("KINESIS_MOCK_PLAIN_PORT", Integer.toString(plain));
        builder.environment().put("KINESIS_MOCK_TLS_PORT", Integer.toString(tls));
        for (String operation : List.of("CREATE_STREAM", "DELETE_STREAM", "SPLIT_SHARD", "MERGE_SHARDS", "UPDATE_SHARD_COUNT",
                "REGISTER_STREAM_CONSUMER", "DEREGISTER_STREAM_CONSUMER", "START_STREAM_ENCRYPTION", "STOP_STREAM_ENCRYPTION")) {
            builder.environment().put(operation + "_DURATION", "0ms");
        }
        builder.environment().put("SHARD_LIMIT", "1000");
        builder.environment().put("LOG_LEVEL", "WARN");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new LocalEngineException("could not run 'node' to start kinesis-mock; install Node.js 18+ and put it on the PATH", e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try {
            while (!Ports.open(plain)) {
                if (!process.isAlive()) {
                    throw new LocalEngineException("kinesis-mock exited with " + process.exitValue() + " before opening port "
                            + plain + "; see " + log);
                }
                if (System.nanoTime() > deadline) {
                    throw new LocalEngineException("kinesis-mock did not open port " + plain + " within 60 s; see " + log);
                }
                // The port probe is the only readiness signal the mock gives.
                Thread.sleep(25);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new LocalEngineException("interrupted while starting kinesis-mock", e);
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
        return new LocalKinesis(process, URI.create("http://127.0.0.1:" + plain));
    }

    /**
     * Installs kinesis-local {@value #VERSION} into {@code installDir} with npm unless its {@code main.js} is
     * there already; returns the package directory.
     *
     * @throws LocalEngineException if npm fails or takes more than 5 minutes
     */
    public static Path install(Path installDir) {
        Path dir = installDir.toAbsolutePath();
        Path pkg = dir.resolve("node_modules").resolve("kinesis-local");
        if (Files.exists(pkg.resolve("main.js"))) {
            return pkg;
        }
        List<String> command = List.of("npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix", dir.toString(),
                "kinesis-local@" + VERSION);
        Path log = dir.resolve("npm-install.log");
        try {
            Files.createDirectories(dir);
            Process npm = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!npm.waitFor(5, TimeUnit.MINUTES)) {
                npm.destroyForcibly();
                throw new LocalEngineException("'" + String.join(" ", command) + "' did not finish within 5 minutes; see " + log);
            }
            if (npm.exitValue() != 0 || !Files.exists(pkg.resolve("main.js"))) {
                throw new LocalEngineException("'" + String.join(" ", command) + "' exited with " + npm.exitValue()
                        + "; see " + log);
            }
            return pkg;
        } catch (IOException e) {
            throw new LocalEngineException("could not run '" + String.join(" ", command)
                    + "'; install Node.js with npm and put it on the PATH", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalEngineException("interrupted while installing kinesis-mock", e);
        }
    }

    /** The plain-HTTP endpoint, e.g. {@code http://127.0.0.1:41235}. */
    public URI endpoint() {
        return endpoint;
    }

    /** A Kinesis client builder on this mock (see {@link EngineEndpoints} for its configuration). */
    public KinesisClientBuilder clientBuilder() {
        return EngineEndpoints.kinesisClientBuilder(endpoint);
    }

    /** Whether the mock process still runs. */
    public boolean isRunning() {
        return process.isAlive();
    }

    /** Ends the process (SIGTERM, then SIGKILL after 5 s), discarding its streams. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook ends the process anyway
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
