package io.nexus.examples.order.system;

import io.nexus.local.EngineEndpoints;
import io.nexus.local.LocalEngines;

import java.nio.file.Path;

/**
 * The engines the whole-system test runs on, chosen by the system property {@value #PROPERTY}:
 * {@code local} (the default) starts DynamoDB Local, kinesis-mock and an OpenSearch node on this machine with
 * nothing installed; {@code containers} starts LocalStack (DynamoDB and Kinesis) and an OpenSearch container
 * with Testcontainers, which needs a Docker engine. Either way the test gets the same {@link EngineEndpoints}.
 */
interface SystemEngines extends AutoCloseable {

    String PROPERTY = "nexus.engines";

    /** Where the engines listen. */
    EngineEndpoints endpoints();

    /** What runs, for messages. */
    String description();

    @Override
    void close();

    /**
     * Starts the engines the {@value #PROPERTY} property names.
     *
     * @throws IllegalArgumentException naming the value if it is neither {@code local} nor {@code containers}
     */
    static SystemEngines start() {
        String mode = System.getProperty(PROPERTY, "local").trim();
        switch (mode) {
            case "local":
            case "":
                LocalEngines engines = LocalEngines.start(Path.of(System.getProperty("nexus.kinesisMock.dir", "target/kinesis-mock")));
                return new SystemEngines() {
                    @Override
                    public EngineEndpoints endpoints() {
                        return engines.endpoints();
                    }

                    @Override
                    public String description() {
                        return "in-process engines (DynamoDB Local, kinesis-mock, embedded OpenSearch)";
                    }

                    @Override
                    public void close() {
                        engines.close();
                    }
                };
            case "containers":
                return ContainerEngines.start();
            default:
                throw new IllegalArgumentException(PROPERTY + " must be 'local' or 'containers', but was '" + mode
                        + "'; see docs/whole-system-test.md");
        }
    }
}
