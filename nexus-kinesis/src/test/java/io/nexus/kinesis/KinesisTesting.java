package io.nexus.kinesis;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.kinesis.internal.EnvelopeCodec;
import io.nexus.testkit.Await;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

/** Helpers shared by the Kinesis tests. */
final class KinesisTesting {

    private KinesisTesting() {
    }

    static EventEnvelope event(String streamId, long version, String eventType) {
        return new EventEnvelope(UUID.randomUUID(), streamId, "Order", version, EventEnvelope.NO_POSITION, eventType, 1,
                Instant.now(), null, null, Map.of(), EventPayload.ofJson("{\"v\":" + version + "}"));
    }

    /** Every record stored in {@code stream}, decoded, per aggregate in stored order (parents before children). */
    static Map<String, List<Long>> storedVersions(KinesisClient client, String stream) {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        List<Shard> shards = client.listShards(r -> r.streamName(stream)).shards();
        for (Shard shard : shards) {
            String iterator = client.getShardIterator(r -> r.streamName(stream).shardId(shard.shardId())
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            while (iterator != null) {
                String current = iterator;
                GetRecordsResponse response = client.getRecords(r -> r.shardIterator(current));
                for (Record record : response.records()) {
                    EventEnvelope e = EnvelopeCodec.decode(record.data().asByteArray(), record.sequenceNumber());
                    out.computeIfAbsent(e.streamId(), k -> new ArrayList<>()).add(e.version());
                }
                if (response.records().isEmpty()) {
                    break;
                }
                iterator = response.nextShardIterator();
            }
        }
        return out;
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        Await.until(what, timeout, condition::getAsBoolean);
    }

    static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long v = from; v <= to; v++) {
            out.add(v);
        }
        return out;
    }

    static List<Long> firstOccurrences(List<Long> versions) {
        LinkedHashMap<Long, Boolean> seen = new LinkedHashMap<>();
        versions.forEach(v -> seen.putIfAbsent(v, Boolean.TRUE));
        return new ArrayList<>(seen.keySet());
    }

    /** A redelivery replays from some earlier version onwards; it never jumps past an unseen version. */
    static void assertNoSkips(String stream, List<Long> versions) {
        long highest = 0;
        for (long v : versions) {
            assertFalse(v > highest + 1, "stream '" + stream + "' skipped to version " + v + " after " + highest + ": " + versions);
            highest = Math.max(highest, v);
        }
    }
}
