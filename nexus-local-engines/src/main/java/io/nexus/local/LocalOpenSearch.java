package io.nexus.local;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.common.settings.Settings;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A real single-node OpenSearch {@value #VERSION} cluster in this JVM, reached over HTTP on a free loopback
 * port exactly as an application reaches a remote cluster. Starting takes 10-15 s on two cores; start one
 * node per JVM and share it.
 *
 * <pre>{@code
 * try (LocalOpenSearch search = LocalOpenSearch.builder().start()) {
 *     OpenSearchClient client = search.client();
 *     ...
 * }
 * }</pre>
 *
 * <p>The node has the Netty transport, the common analyzers (english and friends) and the extra mappers
 * ({@code scaled_float}, {@code search_as_you_type}); {@link Builder#painless(boolean)} adds Painless scripts
 * (a few seconds more to start). Indices must be created explicitly ({@code action.auto_create_index=false}),
 * so a missing mapping fails instead of being guessed. Data lives in a temporary home that {@link #close()}
 * deletes, unless a home was given.
 *
 * <p>Thread-safe; {@link #close()} is idempotent.
 */
public final class LocalOpenSearch implements AutoCloseable {

    /** The OpenSearch version this launcher runs. */
    public static final String VERSION = "2.19.4";

    private final Node node;
    private final int httpPort;
    private final Path home;
    private final boolean deleteHome;
    private boolean closed;

    private static final class PluginNode extends Node {
        PluginNode(Settings settings, Collection<Class<? extends Plugin>> plugins) {
            super(InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "nexus-local"), plugins, true);
        }
    }

    private LocalOpenSearch(Node node, int httpPort, Path home, boolean deleteHome) {
        this.node = node;
        this.httpPort = httpPort;
        this.home = home;
        this.deleteHome = deleteHome;
    }

    /** Options for a node; {@link Builder#start()} starts it. */
    public static Builder builder() {
        return new Builder();
    }

    /** The node's HTTP endpoint, e.g. {@code http://127.0.0.1:41236}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + httpPort);
    }

    /** The node's HTTP port on 127.0.0.1. */
    public int httpPort() {
        return httpPort;
    }

    /** A new client for the node (see {@link EngineEndpoints#openSearchClient(URI)}). */
    public OpenSearchClient client() {
        return EngineEndpoints.openSearchClient(endpoint());
    }

    /** Stops the node and, if it made its home itself, deletes its data. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            node.close();
            node.awaitClose(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException("OpenSearch node on " + endpoint() + " did not close cleanly", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (deleteHome) {
                deleteRecursively(home);
            }
        }
    }

    private static void deleteRecursively(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // a temporary directory the OS cleans up anyway
        }
    }

    /** Configures a {@link LocalOpenSearch}. Not thread-safe. */
    public static final class Builder {
        private @Nullable Path home;
        private boolean painless;
        private String clusterName = "nexus-local";

        private Builder() {
        }

        /** Where the node keeps its data; a fresh temporary directory (deleted on close) by default. */
        public Builder home(Path value) {
            this.home = Objects.requireNonNull(value, "home");
            return this;
        }

        /** Whether to load the Painless scripting plugin; off by default (Nexus does not need scripts). */
        public Builder painless(boolean value) {
            this.painless = value;
            return this;
        }

        /** The cluster name; {@code nexus-local} by default. */
        public Builder clusterName(String value) {
            this.clusterName = Objects.requireNonNull(value, "clusterName");
            return this;
        }

        /**
         * Starts the node and waits until it answers HTTP.
         *
         * @throws LocalEngineException if the node does not start
         */
        public LocalOpenSearch start() {
            boolean temporary = home == null;
            Path dir;
            try {
                dir = temporary ? Files.createTempDirectory("nexus-opensearch") : Files.createDirectories(home);
            } catch (IOException e) {
                throw new LocalEngineException("could not create the OpenSearch home directory", e);
            }
            int httpPort = Ports.free();
            Settings settings = Settings.builder()
                    .put("path.home", dir.toString())
                    .put("path.data", dir.resolve("data").toString())
                    .put("cluster.name", clusterName)
                    .put("node.name", clusterName + "-node")
                    .put("discovery.type", "single-node")
                    .put("http.type", "netty4")
                    .put("transport.type", "netty4")
                    .put("network.host", "127.0.0.1")
                    .put("http.port", httpPort)
                    .put("transport.port", Ports.free())
                    .put("cluster.routing.allocation.disk.threshold_enabled", false)
                    .put("action.auto_create_index", false)
                    .build();
            List<Class<? extends Plugin>> plugins = new ArrayList<>(List.of(Netty4Plugin.class, CommonAnalysisPlugin.class,
                    MapperExtrasPlugin.class));
            if (painless) {
                plugins.add(PainlessPlugin.class);
            }
            Node node = null;
            try {
                node = new PluginNode(settings, plugins);
                node.start();
                return new LocalOpenSearch(node, httpPort, dir, temporary);
            } catch (Exception | LinkageError e) {
                if (node != null) {
                    try {
                        node.close();
                    } catch (IOException | RuntimeException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                if (temporary) {
                    deleteRecursively(dir);
                }
                throw new LocalEngineException("the OpenSearch node did not start on port " + httpPort
                        + "; check that opensearch " + VERSION + ", its plugins and log4j-core are on the classpath", e);
            }
        }
    }
}
