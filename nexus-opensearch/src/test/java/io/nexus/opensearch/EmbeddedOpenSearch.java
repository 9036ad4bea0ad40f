package io.nexus.opensearch;

import org.apache.hc.core5.http.HttpHost;
import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;
import org.opensearch.common.settings.Settings;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A real single-node OpenSearch 2.19 cluster in this JVM, started once per test JVM (about 10 s) and
 * stopped by a shutdown hook. Tests reach it over HTTP on loopback, exactly as an application reaches a
 * remote cluster.
 */
public final class EmbeddedOpenSearch {

    private static EmbeddedOpenSearch instance;

    private final Node node;
    private final int httpPort;

    private static final class PluginNode extends Node {
        PluginNode(Settings settings, Collection<Class<? extends Plugin>> plugins) {
            super(InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "nexus-test"), plugins, true);
        }
    }

    private EmbeddedOpenSearch() throws Exception {
        Path home = Files.createTempDirectory("nexus-opensearch");
        httpPort = freePort();
        Settings settings = Settings.builder()
                .put("path.home", home.toString())
                .put("path.data", home.resolve("data").toString())
                .put("cluster.name", "nexus-test")
                .put("node.name", "nexus-test-node")
                .put("discovery.type", "single-node")
                .put("http.type", "netty4")
                .put("transport.type", "netty4")
                .put("network.host", "127.0.0.1")
                .put("http.port", httpPort)
                .put("transport.port", freePort())
                .put("cluster.routing.allocation.disk.threshold_enabled", false)
                .put("action.auto_create_index", false)
                .build();
        node = new PluginNode(settings, List.of(Netty4Plugin.class, CommonAnalysisPlugin.class, MapperExtrasPlugin.class));
        node.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (IOException ignored) {
                // the JVM is exiting
            }
        }, "opensearch-shutdown"));
    }

    /** The node of this JVM, started on first use. */
    public static synchronized EmbeddedOpenSearch get() {
        if (instance == null) {
            try {
                instance = new EmbeddedOpenSearch();
            } catch (Exception e) {
                throw new IllegalStateException("could not start the embedded OpenSearch node", e);
            }
        }
        return instance;
    }

    /** The node's HTTP port on 127.0.0.1. */
    public int httpPort() {
        return httpPort;
    }

    /** A new client for the node on {@code port} (the node's own port, or a proxy's). */
    public static OpenSearchClient client(int port) {
        return new OpenSearchClient(ApacheHttpClient5TransportBuilder.builder(new HttpHost("http", "127.0.0.1", port))
                .setMapper(new JacksonJsonpMapper()).build());
    }

    /** A new client for the node. */
    public OpenSearchClient client() {
        return client(httpPort);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
