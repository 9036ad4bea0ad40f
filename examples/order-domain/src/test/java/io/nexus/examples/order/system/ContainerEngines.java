package io.nexus.examples.order.system;

import io.nexus.local.EngineEndpoints;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import java.net.URI;
import java.time.Duration;

/**
 * The engines of the whole-system test in containers: LocalStack serving DynamoDB (with Streams) and
 * Kinesis on one endpoint, and a single-node OpenSearch without its security plugin. The images are
 * {@value #LOCALSTACK_IMAGE} and {@value #OPENSEARCH_IMAGE} unless the system properties
 * {@code nexus.engines.localstackImage} and {@code nexus.engines.opensearchImage} name others.
 */
final class ContainerEngines implements SystemEngines {

    static final String LOCALSTACK_IMAGE = "localstack/localstack:4.4";
    static final String OPENSEARCH_IMAGE = "opensearchproject/opensearch:2.19.4";

    private final GenericContainer<?> localStack;
    private final GenericContainer<?> openSearch;

    private ContainerEngines(GenericContainer<?> localStack, GenericContainer<?> openSearch) {
        this.localStack = localStack;
        this.openSearch = openSearch;
    }

    /**
     * Starts both containers.
     *
     * @throws IllegalStateException if no Docker engine is reachable (the switch was asked for explicitly, so
     *                               the test fails rather than skip)
     */
    static ContainerEngines start() {
        if (!org.testcontainers.DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException("nexus.engines=containers needs a Docker engine, but none is reachable; "
                    + "start Docker or run without -Dnexus.engines=containers (the in-process engines)");
        }
        GenericContainer<?> localStack = new GenericContainer<>(DockerImageName.parse(
                System.getProperty("nexus.engines.localstackImage", LOCALSTACK_IMAGE)))
                .withExposedPorts(4566)
                .withEnv("SERVICES", "dynamodb,kinesis")
                .withEnv("KINESIS_LATENCY", "0")
                .waitingFor(Wait.forHttp("/_localstack/health").forPort(4566).forStatusCode(200))
                .withStartupTimeout(Duration.ofMinutes(3));
        GenericContainer<?> openSearch = new GenericContainer<>(DockerImageName.parse(
                System.getProperty("nexus.engines.opensearchImage", OPENSEARCH_IMAGE)))
                .withExposedPorts(9200)
                .withEnv("discovery.type", "single-node")
                .withEnv("DISABLE_SECURITY_PLUGIN", "true")
                .withEnv("DISABLE_INSTALL_DEMO_CONFIG", "true")
                .withEnv("OPENSEARCH_JAVA_OPTS", "-Xms512m -Xmx512m")
                .waitingFor(Wait.forHttp("/_cluster/health?wait_for_status=yellow").forPort(9200).forStatusCode(200))
                .withStartupTimeout(Duration.ofMinutes(3));
        try {
            localStack.start();
            openSearch.start();
        } catch (RuntimeException e) {
            openSearch.stop();
            localStack.stop();
            throw e;
        }
        return new ContainerEngines(localStack, openSearch);
    }

    @Override
    public EngineEndpoints endpoints() {
        URI aws = URI.create("http://" + localStack.getHost() + ":" + localStack.getMappedPort(4566));
        URI search = URI.create("http://" + openSearch.getHost() + ":" + openSearch.getMappedPort(9200));
        return new EngineEndpoints(aws, aws, search);
    }

    @Override
    public String description() {
        return "containers (" + localStack.getDockerImageName() + ", " + openSearch.getDockerImageName() + ")";
    }

    @Override
    public void close() {
        openSearch.stop();
        localStack.stop();
    }
}
