package io.nexus.kinesis;

import io.nexus.core.bus.BusPath;
import io.nexus.core.bus.RoutingRule;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.nexus.kinesis.KinesisTesting.event;
import static io.nexus.kinesis.KinesisTesting.storedVersions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Configuration errors, missing streams and partition keys. */
class KinesisEventBusConfigTest {

    private final KinesisMock mock = KinesisMock.get();

    @Test
    void buildingOnAMissingStreamFailsNamingItAndThePath() {
        KinesisBusException e = assertThrows(KinesisBusException.class, () -> KinesisEventBus.builder(mock.admin())
                .primaryStream("no-such-stream").build());
        assertFalse(e.isTransient());
        assertEquals("no-such-stream", e.kinesisStream());
        assertTrue(e.getMessage().contains("'no-such-stream' of the primary path does not exist"), e.getMessage());
    }

    @Test
    void configurationErrorsAreReportedTogether() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> KinesisEventBus.builder(mock.admin())
                .maxRecordBytes(2 * 1024 * 1024).maxRequestBytes(1024 * 1024).build());
        assertTrue(e.getMessage().contains("primaryStream was not set but it is required")
                && e.getMessage().contains("maxRequestBytes (1048576) must not be below maxRecordBytes (2097152)"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> KinesisEventBus.builder(mock.admin()).maxRequestRecords(501));
        assertEquals("maxRequestRecords must be 1..500, but was 501", bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KinesisEventBus.builder(mock.admin()).pollInterval(Duration.ZERO));
    }

    @Test
    void anEventRoutedToAPathWithoutAStreamIsRejectedBeforeAnythingIsSent() {
        String primary = mock.createStream("config", 1);
        try (KinesisEventBus bus = KinesisEventBus.builder(mock.admin()).primaryStream(primary)
                .routing(RoutingRule.secondaryFor(Set.of("AuditNoted"))).build()) {
            KinesisBusException e = assertThrows(KinesisBusException.class, () -> bus.publish(List.of(
                    event("order-1", 1, "OrderPlaced"), event("order-1", 2, "AuditNoted"))));
            assertFalse(e.isTransient());
            assertTrue(e.getMessage().contains("event type 'AuditNoted' to the SECONDARY path, but the bus has no secondary stream"),
                    e.getMessage());
            assertEquals(Map.of(), storedVersions(mock.admin(), primary), "nothing was sent");
            IllegalStateException sub = assertThrows(IllegalStateException.class,
                    () -> bus.subscribe("g", BusPath.SECONDARY, ev -> { }));
            assertTrue(sub.getMessage().contains("no secondary stream"), sub.getMessage());
        } finally {
            mock.deleteStream(primary);
        }
    }

    @Test
    void theSameGroupCannotConsumeOnePathTwiceOnOneBus() {
        String primary = mock.createStream("config", 1);
        try (KinesisEventBus bus = KinesisEventBus.builder(mock.admin()).primaryStream(primary).build()) {
            bus.subscribe("g", BusPath.PRIMARY, ev -> { });
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> bus.subscribe("g", BusPath.PRIMARY, ev -> { }));
            assertTrue(e.getMessage().contains("'g' already consumes path PRIMARY"), e.getMessage());
        } finally {
            mock.deleteStream(primary);
        }
    }

    @Test
    void partitionKeysAreStreamIdsAndOverlongIdsAreHashedStably() {
        assertEquals("order-42", KinesisEventBus.partitionKeyOf("order-42"));
        String longId = "x".repeat(300);
        String key = KinesisEventBus.partitionKeyOf(longId);
        assertTrue(key.startsWith("sha256:") && key.length() == 71, key);
        assertEquals(key, KinesisEventBus.partitionKeyOf(longId));
        assertEquals("y".repeat(256), KinesisEventBus.partitionKeyOf("y".repeat(256)));
    }
}
