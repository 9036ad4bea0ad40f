package io.nexus.kinesis;

import io.nexus.core.bus.BusPath;
import io.nexus.core.bus.ConsumerGroup;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.Shard;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.nexus.kinesis.KinesisTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Kinesis consumer group's lag in events ({@link ConsumerGroup#lagEvents()}, the meter
 * {@code nexus.bus.consumer.lag.events}): the global-log positions from the oldest one waiting in a shard to the
 * newest published, with a caught-up shard counting nothing however old its last position.
 */
class KinesisBusLagTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final KinesisMock mock = KinesisMock.get();
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        Collections.reverse(cleanup);
        for (AutoCloseable c : cleanup) {
            c.close();
        }
    }

    @Test
    void aGroupHeldBackInOneShardCountsThePositionsWaitingThereAndNotTheCaughtUpShard() throws Exception {
        String stream = mock.createStream("lag", 2);
        cleanup.add(() -> mock.deleteStream(stream));
        KinesisClient client = mock.client();
        cleanup.add(client);
        List<Shard> shards = mock.shards(stream);
        String idleKey = keyIn(shards.get(1), "idle");
        List<String> heldKeys = new ArrayList<>();
        for (int i = 0; heldKeys.size() < 5; i++) {
            String key = keyIn(shards.get(0), "held-" + i);
            if (!heldKeys.contains(key)) {
                heldKeys.add(key);
            }
        }
        KinesisEventBus bus = KinesisEventBus.builder(client).primaryStream(stream)
                .pollInterval(Duration.ofMillis(50)).maxPollInterval(Duration.ofMillis(200)).build();
        cleanup.add(bus);
        CountDownLatch release = new CountDownLatch(1);
        Set<String> handled = ConcurrentHashMap.newKeySet();
        Set<String> entered = ConcurrentHashMap.newKeySet();
        ConsumerGroup group = bus.subscribe("billing", BusPath.PRIMARY, event -> {
            entered.add(event.streamId());
            if (event.streamId().startsWith("held-")) {
                assertTrue(release.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "released");
            }
            handled.add(event.streamId());
        });
        assertEquals(0, group.lagEvents().orElseThrow(), "nothing published yet");

        // Position 1 on the other shard, handled: that shard is caught up at an old position from now on.
        bus.publish(List.of(event(idleKey, 1)));
        await("the first event is handled", TIMEOUT, () -> handled.contains(idleKey));
        await("the group is caught up", TIMEOUT, () -> group.lagEvents().orElseThrow() == 0);

        // Positions 2..6 on the held shard: the group takes the first and is held there.
        List<EventEnvelope> held = new ArrayList<>();
        for (int i = 0; i < heldKeys.size(); i++) {
            held.add(event(heldKeys.get(i), 2 + i));
        }
        bus.publish(held);
        await("the group is handling a held event", TIMEOUT, () -> entered.stream().anyMatch(k -> k.startsWith("held-")));
        // The held shard waits from position 2 (or later, if its first answer held only some of them) to 6; the idle
        // shard, caught up at position 1, would make it 6 if it counted.
        await("the lag shows the five waiting events", TIMEOUT, () -> group.lagEvents().orElseThrow() == 5);

        release.countDown();
        await("the group drains", TIMEOUT, () -> handled.containsAll(heldKeys));
        await("the lag is 0 again", TIMEOUT, () -> group.lagEvents().orElseThrow() == 0);
    }

    private static EventEnvelope event(String streamId, long position) {
        return new EventEnvelope(UUID.randomUUID(), streamId, "Order", 1, position, "OrderPlaced", 1, Instant.now(), null, null,
                Map.of(), EventPayload.ofJson("{}"));
    }

    /** A partition key starting with {@code prefix} whose MD5 hash falls in {@code shard}'s range, as Kinesis maps keys. */
    private static String keyIn(Shard shard, String prefix) throws Exception {
        BigInteger start = new BigInteger(shard.hashKeyRange().startingHashKey());
        BigInteger end = new BigInteger(shard.hashKeyRange().endingHashKey());
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        for (int i = 0; ; i++) {
            String key = prefix + "-" + i;
            BigInteger hash = new BigInteger(1, md5.digest(key.getBytes(StandardCharsets.UTF_8)));
            if (hash.compareTo(start) >= 0 && hash.compareTo(end) <= 0) {
                return key;
            }
        }
    }
}
