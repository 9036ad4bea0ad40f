package io.nexus.dynamodb;

import io.nexus.core.Nexus;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.lease.Lease;
import io.nexus.core.lease.LeaseStore;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.snapshot.SnapshotStore;
import io.nexus.core.store.EventStore;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.StreamQuery;
import io.nexus.testkit.Await;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The code of docs/dynamodb.md, run against DynamoDB Local. */
class DynamoDbDocTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    record Noted(String text) {
    }

    /** Collects what the change capture delivers, as the page's {@code projection} would handle it. */
    static final class Projection {
        final List<EventEnvelope> seen = new CopyOnWriteArrayList<>();

        void handle(List<EventEnvelope> events) {
            seen.addAll(events);
        }
    }

    private final DynamoDbClient ddb = DynamoDbLocal.client();
    private final DynamoDbStreamsClient streams = DynamoDbLocal.streamsClient();
    private final EventTypes eventTypes = EventTypes.builder().register(Noted.class, "Noted", 1).build();

    @Test
    void oneCallSetsEveryPort() {
        // tag::one-call[]
        DynamoDbTables.Names tables = DynamoDbTables.Names.withPrefix("shop-");   // seven tables, see below
        DynamoDbTables.createIfMissing(ddb, tables);
        Nexus nexus = Nexus.builder()
                .engines(DynamoDbEngines.builder(ddb).streams(streams).tables(tables).build())
                .eventTypes(eventTypes)
                .build();
        // end::one-call[]
        try (nexus) {
            assertInstanceOf(DynamoDbEventStore.class, nexus.eventStore());
            assertEquals("shop-events", ((DynamoDbEventStore) nexus.eventStore()).tableName());
        }
    }

    @Test
    void partsOneByOne() {
        Projection projection = new Projection();
        // tag::parts[]
        // ddb: your DynamoDbClient, streams: your DynamoDbStreamsClient (DynamoDbClient.create(), ...)
        DynamoDbTables.Names tables = DynamoDbTables.Names.withPrefix("shop-");   // shop-events, shop-snapshots, shop-checkpoints, ...
        DynamoDbTables.createIfMissing(ddb, tables);                               // or deploy the CloudFormation below

        EventStore store = DynamoDbEventStore.builder(ddb).tableName(tables.events())
                .streamsClient(streams)                   // enables subscribe(); optional
                .build();
        SnapshotStore snapshots = DynamoDbSnapshotStore.builder(ddb).tableName(tables.snapshots()).build();

        DynamoDbChangeCapture capture = DynamoDbChangeCapture.builder(ddb, streams)
                .tableName(tables.events()).readerName("order-projection")
                .checkpoints(new DynamoDbCheckpointStore(ddb, tables.checkpoints()))   // any core CheckpointStore
                .listener(events -> projection.handle(events))     // at least once, in order per stream
                .build();
        capture.start();
        // end::parts[]
        try {
            store.append("note-1", "Note", ExpectedVersion.noStream(),
                    List.of(NewEvent.of("Noted", 1, EventPayload.ofJson("{\"text\":\"hi\"}"))));
            Await.until("the change capture to deliver the append", WAIT, () -> projection.seen.stream().anyMatch(e -> e.streamId().equals("note-1")));
            assertTrue(snapshots.latest("note-1").isEmpty(), "no snapshot was taken");
        } finally {
            capture.close();
        }
    }

    @Test
    void enginesWithAClock() {
        Clock clock = Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC);
        // tag::engines[]
        DynamoDbEngines engines = DynamoDbEngines.builder(ddb)
                .streams(streams)                    // so the event store can subscribe; optional
                .tables(DynamoDbTables.Names.withPrefix("shop-"))
                .clock(clock)                        // optional: event timestamps, checkpoint, audit and lease times
                .build();
        Nexus nexus = Nexus.builder().engines(engines).eventTypes(eventTypes).build();
        // end::engines[]
        DynamoDbTables.createIfMissing(ddb, DynamoDbTables.Names.withPrefix("shop-"));
        try (nexus) {
            nexus.eventStore().append("note-2", "Note", ExpectedVersion.noStream(),
                    List.of(NewEvent.of("Noted", 1, EventPayload.ofJson("{\"text\":\"hi\"}"))));
            assertEquals(clock.instant(), nexus.eventStore().read(StreamQuery.stream("note-2")).get(0).timestamp());
        }
    }

    @Test
    void leasedChangeCaptureFromTheEngineFamily() {
        DynamoDbTables.Names tables = DynamoDbLocal.freshTables("doc-leased");
        Projection projection = new Projection();
        // tag::leased-engines[]
        DynamoDbEngines engines = DynamoDbEngines.builder(ddb).streams(streams).tables(tables)
                .changeCaptureLeases(DynamoDbShardLeases.builder(ddb, tables.checkpoints()).build())
                .build();
        DynamoDbChangeCapture capture = engines.changeCapture("order-projection")   // same name in every process
                .listener(events -> projection.handle(events))                       // at least once, in order per stream
                .build();
        capture.start();   // takes its share of the shards; close() releases them to the other processes
        // end::leased-engines[]
        try {
            DynamoDbEventStore.builder(ddb).tableName(tables.events()).build().append("note-3", "Note",
                    ExpectedVersion.noStream(), List.of(NewEvent.of("Noted", 1, EventPayload.ofJson("{\"text\":\"hi\"}"))));
            Await.until("the leased change capture to deliver the append", WAIT, () -> projection.seen.stream().anyMatch(e -> e.streamId().equals("note-3")));
            assertEquals(1, capture.leasedShards().size(), "the only process holds the Stream's one shard");
        } finally {
            capture.close();
        }
        assertTrue(capture.leasedShards().isEmpty(), "close() released the lease");
    }

    @Test
    void aLeaseStoreOnTheCheckpointsTable() {
        String checkpointsTable = DynamoDbLocal.freshTable("doc-leases", DynamoDbTables::checkpointsTable);
        // tag::lease-store[]
        LeaseStore leases = DynamoDbLeaseStore.builder(ddb, checkpointsTable)   // lease items beside the checkpoints
                .clock(Clock.systemUTC())      // judges expiry: the processes' clocks must agree (NTP)
                .build();
        Optional<Lease> lease = leases.tryAcquire("order-projection", "node-1", Duration.ofSeconds(15));
        // the holder renews every 5 s, 1 WCU each time: lease = leases.renew(lease.get(), Duration.ofSeconds(15))
        // end::lease-store[]
        assertTrue(lease.isPresent(), "a free lease is granted");
        assertEquals(lease.get().token(), leases.renew(lease.get(), Duration.ofSeconds(15)).orElseThrow().token());
        assertEquals(Optional.empty(), leases.tryAcquire("order-projection", "node-2", Duration.ofSeconds(15)));
    }

}
