package io.nexus.dynamodb;

import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The options of leased change capture: defaults, and what the builders refuse, before any request. */
class DynamoDbShardLeasesConfigTest {

    private final DynamoDbShardLeases leases = DynamoDbShardLeases.builder(DynamoDbLocal.client(), "checkpoints").build();

    @Test
    void defaultsAreATenSecondLeaseAndAnOwnerUniquePerProcess() {
        assertEquals(Duration.ofSeconds(10), leases.leaseDuration());
        assertTrue(leases.owner().contains("-" + ProcessHandle.current().pid() + "-"), leases.owner());
        assertTrue(!leases.owner().equals(DynamoDbShardLeases.builder(DynamoDbLocal.client(), "checkpoints").build().owner()),
                "two instances in one process get different owners");
    }

    @Test
    void refusesBadValuesNamingThem() {
        var builder = DynamoDbShardLeases.builder(DynamoDbLocal.client(), "checkpoints");
        assertEquals("leaseDuration must be at least 300 ms, but was PT0.1S",
                assertThrows(IllegalArgumentException.class, () -> builder.leaseDuration(Duration.ofMillis(100))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> builder.owner(" "));
        assertThrows(IllegalArgumentException.class, () -> DynamoDbShardLeases.builder(DynamoDbLocal.client(), ""));
    }

    @Test
    void aLeasedReaderRefusesCheckpointsAndStartAtLatest() {
        var both = DynamoDbChangeCapture.builder(DynamoDbLocal.client(), DynamoDbLocal.streamsClient()).tableName("t")
                .readerName("r").listener(events -> { }).leases(leases).checkpoints(new InMemoryCheckpointStore());
        assertTrue(assertThrows(IllegalStateException.class, both::build).getMessage().contains("both leases and checkpoints"));
        var latest = DynamoDbChangeCapture.builder(DynamoDbLocal.client(), DynamoDbLocal.streamsClient()).tableName("t")
                .readerName("r").listener(events -> { }).leases(leases).startAtLatest(true);
        assertTrue(assertThrows(IllegalStateException.class, latest::build).getMessage().contains("startAtLatest"));
        DynamoDbChangeCapture.builder(DynamoDbLocal.client(), DynamoDbLocal.streamsClient()).tableName("t")
                .readerName("r").listener(events -> { }).leases(leases).build();
    }

    @Test
    void theEngineFamilyBuildsReadersOnlyWithAStreamsClient() {
        DynamoDbEngines withoutStreams = DynamoDbEngines.builder(DynamoDbLocal.client())
                .tables(DynamoDbTables.Names.withPrefix("cfg-")).build();
        assertTrue(assertThrows(IllegalStateException.class, () -> withoutStreams.changeCapture("r")).getMessage()
                .contains("needs a Streams client"));
    }
}
