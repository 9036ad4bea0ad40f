package io.nexus.benchmarks;

import io.nexus.core.Nexus;
import io.nexus.core.aggregate.AggregateDefinition;
import io.nexus.core.aggregate.AggregateRepository;
import io.nexus.core.command.CommandMetadata;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.serialization.EventTypes;
import io.nexus.core.snapshot.InMemorySnapshotStore;
import io.nexus.core.snapshot.Snapshot;
import io.nexus.core.snapshot.SnapshotStore;
import io.nexus.core.snapshot.SnapshotTrigger;
import io.nexus.core.store.EventStore;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.store.StreamQuery;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The data and the wiring the benchmarks share, sized by their callers so that tests can run the same
 * workloads small. Everything here is built outside the measured code.
 */
public final class Workloads {

    /** A 40-character reference: it brings a {@link Deposited} event to about 100 bytes of JSON. */
    public static final String REFERENCE = "ref-0123456789abcdefghijklmnopqrstuvwxyz0";

    /** The stored aggregate type name of {@link Account}. */
    public static final String AGGREGATE_TYPE = "Account";

    private Workloads() {
    }

    /** The id of the {@code index}-th account. */
    public static String accountId(int index) {
        return String.format("account-%05d", index);
    }

    public static EventTypes eventTypes() {
        return EventTypes.builder().register(Deposited.class).build();
    }

    /** A Nexus on fresh embedded stores, without snapshots; snapshots (none here) would be written inline. */
    public static Nexus plainNexus() {
        return plainNexus(null);
    }

    /**
     * As {@link #plainNexus()}, observed in {@code observations} (the builder's {@code observationRegistry}); {@code null}
     * leaves it unset, as an application that does not trace.
     */
    public static Nexus plainNexus(io.micrometer.observation.ObservationRegistry observations) {
        Nexus.Builder builder = Nexus.builder();
        if (observations != null) {
            builder.observationRegistry(observations);
        }
        return builder
                .eventTypes(eventTypes())
                .snapshotExecutor(Runnable::run)
                .aggregate(AggregateDefinition.of(Account.class, Account::new), routes -> routes
                        .createOrUpdate(Deposit.class, Deposit::accountId,
                                (account, command, context) -> account.deposit(command.amount(), command.reference())))
                .build();
    }

    /** A Nexus on fresh embedded stores that snapshots {@link Account} every {@code every} events, inline. */
    public static Nexus snapshottingNexus(int every) {
        return Nexus.builder()
                .eventTypes(eventTypes())
                .snapshotExecutor(Runnable::run)
                .aggregate(AggregateDefinition.builder(Account.class, Account::new)
                                .snapshots(Account.State.class, 1, SnapshotTrigger.everyEvents(every)).build(),
                        routes -> routes.createOrUpdate(Deposit.class, Deposit::accountId,
                                (account, command, context) -> account.deposit(command.amount(), command.reference())))
                .build();
    }

    /**
     * {@code aggregates × commandsEach} deposits in round-robin order: every account gets its first
     * command before any gets its second, so streams grow evenly as a run proceeds.
     */
    public static Deposit[] roundRobinDeposits(int aggregates, int commandsEach) {
        String[] ids = new String[aggregates];
        for (int a = 0; a < aggregates; a++) {
            ids[a] = accountId(a);
        }
        Deposit[] commands = new Deposit[aggregates * commandsEach];
        int i = 0;
        for (int round = 0; round < commandsEach; round++) {
            for (int a = 0; a < aggregates; a++) {
                commands[i] = new Deposit(ids[a], 1 + (i % 100), REFERENCE);
                i++;
            }
        }
        return commands;
    }

    /**
     * Gives account {@code id} a history of {@code events} deposits, saved {@code perSave} at a time
     * through the repository (so its snapshot trigger sees every save).
     */
    public static void buildHistory(AggregateRepository<Account> repository, String id, int events, int perSave) {
        Account account = repository.loadOrNew(id);
        int written = 0;
        while (written < events) {
            int n = Math.min(perSave, events - written);
            for (int i = 0; i < n; i++) {
                account.deposit(1 + ((written + i) % 100), REFERENCE);
            }
            repository.save(account, CommandMetadata.create());
            written += n;
        }
    }

    /**
     * A new store holding stream {@code streamId} of {@code source} with payloads known only by their
     * bytes, as a store that persists them would return them: loads from it must deserialize every event.
     */
    public static InMemoryEventStore bytesOnlyCopy(EventStore source, String streamId) {
        InMemoryEventStore copy = InMemoryEventStore.create();
        List<EventEnvelope> events = source.read(StreamQuery.stream(streamId));
        List<NewEvent> batch = new ArrayList<>(100);
        long version = 0;
        for (EventEnvelope e : events) {
            batch.add(new NewEvent(e.eventId(), e.eventType(), e.schemaVersion(), EventPayload.ofBytes(e.payload().unsafeBytes()),
                    e.correlationId(), e.causationId(), e.metadata()));
            if (batch.size() == 100) {
                copy.append(streamId, e.aggregateType(), ExpectedVersion.exactly(version), batch);
                version += batch.size();
                batch = new ArrayList<>(100);
            }
        }
        if (!batch.isEmpty()) {
            copy.append(streamId, events.get(0).aggregateType(), ExpectedVersion.exactly(version), batch);
        }
        return copy;
    }

    /** A new snapshot store holding the latest snapshot of {@code streamId} with its state known only by its bytes. */
    public static InMemorySnapshotStore bytesOnlySnapshotCopy(SnapshotStore source, String streamId) {
        Snapshot s = source.latest(streamId).orElseThrow(() -> new IllegalStateException("stream '" + streamId + "' has no snapshot"));
        InMemorySnapshotStore copy = new InMemorySnapshotStore();
        copy.save(new Snapshot(s.streamId(), s.aggregateType(), s.version(), s.stateSchemaVersion(), s.createdAt(),
                EventPayload.ofBytes(s.state().unsafeBytes())));
        return copy;
    }

    /** The JSON of a deposit event, about 100 bytes; the same shape the Jackson serializer writes. */
    public static byte[] depositJson(String accountId, long amount) {
        return ("{\"accountId\":\"" + accountId + "\",\"amount\":" + amount + ",\"reference\":\"" + REFERENCE + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Batches of new events for a raw append run: {@code streams × batchesPerStream} batches of
     * {@code batchSize} events of about 100 bytes, in round-robin stream order, each with the expected
     * version it will meet on a fresh store. Event ids are random, as a client would generate them.
     */
    public static final class AppendRun {
        private final String[] streamIds;
        private final ExpectedVersion[] expected;
        private final List<List<NewEvent>> batches;
        private final int eventCount;

        public AppendRun(int streams, int batchesPerStream, int batchSize) {
            int total = streams * batchesPerStream;
            this.streamIds = new String[total];
            this.expected = new ExpectedVersion[total];
            this.batches = new ArrayList<>(total);
            this.eventCount = total * batchSize;
            int b = 0;
            for (int round = 0; round < batchesPerStream; round++) {
                for (int s = 0; s < streams; s++) {
                    String id = accountId(s);
                    streamIds[b] = id;
                    expected[b] = ExpectedVersion.exactly((long) round * batchSize);
                    batches.add(newBatch(id, batchSize, b));
                    b++;
                }
            }
        }

        /** One batch of {@code size} new deposit events for {@code streamId}. */
        public static List<NewEvent> newBatch(String streamId, int size, int seed) {
            List<NewEvent> batch = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                batch.add(new NewEvent(UUID.randomUUID(), "Deposited", 1,
                        EventPayload.ofBytes(depositJson(streamId, 1 + ((seed + i) % 100))), null, null, Map.of()));
            }
            return List.copyOf(batch);
        }

        public int batchCount() {
            return batches.size();
        }

        public int eventCount() {
            return eventCount;
        }

        /** Appends batch {@code index} to {@code store}, which must have had batches {@code 0..index-1} appended. */
        public void append(EventStore store, int index) {
            store.append(streamIds[index], AGGREGATE_TYPE, expected[index], batches.get(index));
        }

        /** Appends every batch, in order, to {@code store}, which must be empty. */
        public void appendAll(EventStore store) {
            for (int i = 0; i < batches.size(); i++) {
                append(store, i);
            }
        }
    }
}
