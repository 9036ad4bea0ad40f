package io.nexus.local;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Closing the last DynamoDB Local of a JVM ends its background-job threads, so a plain {@code main} that
 * used it exits. Run in a JVM of its own, where no other server is running.
 */
class LocalDynamoDbShutdownTest {

    @Test
    void aChildJvmThatClosesItsServerExits() throws Exception {
        Process child = new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                UseAndClose.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        // The Streams shard-rollover job sleeps 7.5 minutes between runs: a child still alive after four did
        // not stop it (the bound is generous because the child starts DynamoDB Local on a shared machine).
        boolean exited = child.waitFor(4, TimeUnit.MINUTES);
        if (!exited) {
            child.destroyForcibly();
        }

        assertEquals(List.of(true, 0), List.of(exited, exited ? child.exitValue() : -1));
    }

    /** Starts a server, uses its Streams-enabled API, closes it and returns from {@code main}. */
    public static final class UseAndClose {
        public static void main(String[] args) {
            try (LocalDynamoDb dynamoDb = LocalDynamoDb.start();
                 DynamoDbClient client = dynamoDb.clientBuilder().build()) {
                client.listTables();
            }
        }
    }
}
