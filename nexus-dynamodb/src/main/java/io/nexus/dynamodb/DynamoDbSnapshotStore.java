package io.nexus.dynamodb;

import io.nexus.core.event.EventPayload;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.snapshot.Snapshot;
import io.nexus.core.snapshot.SnapshotStore;
import io.nexus.core.snapshot.SnapshotTooLargeException;
import io.nexus.dynamodb.internal.AwsCalls;
import io.nexus.dynamodb.internal.EventItems;
import io.nexus.dynamodb.internal.ItemSizes;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static io.nexus.dynamodb.internal.PortItems.attribute;
import org.jspecify.annotations.Nullable;

/**
 * The snapshot store on DynamoDB: one item per aggregate in its own table ({@code pk} = stream id, see
 * {@link DynamoDbTables#snapshotsTable}), holding the latest snapshot.
 *
 * <p>Implementation notes. {@link #save} is a conditional put ("no item, or an older version"), so a slow
 * writer never replaces a newer snapshot and concurrent savers need no lock; losing that condition is the
 * contract's silent no-op. States above {@link Builder#compressAbove} bytes are stored gzip-compressed; a
 * state whose stored form still exceeds the item limit fails with {@link SnapshotTooLargeException}
 * before any write. {@link #latest} is one strongly consistent {@code GetItem}.
 *
 * <p>Thread-safe; the caller owns the client.
 */
public final class DynamoDbSnapshotStore implements SnapshotStore {

    private static final String VERSION = "v";
    private static final String TYPE = "at";
    private static final String STATE_VERSION = "ssv";
    private static final String CREATED = "ts";
    private static final String STATE = "st";
    private static final String GZIP = "gz";

    private final DynamoDbClient client;
    private final String table;
    private final int compressAbove;
    private final int maxStateBytes;
    private final int maxItemBytes;
    private final AwsCalls calls;

    private DynamoDbSnapshotStore(Builder b) {
        this.client = b.client;
        this.table = Objects.requireNonNull(b.tableName, "tableName"); // build() has checked it
        this.compressAbove = b.compressAbove;
        this.maxStateBytes = b.maxStateBytes;
        this.maxItemBytes = b.maxItemBytes;
        this.calls = new AwsCalls(b.retryPolicy, DynamoDbAccessException::new);
    }

    /** A builder on the caller's client; {@link Builder#tableName} is required. */
    public static Builder builder(DynamoDbClient client) {
        return new Builder(client);
    }

    /**
     * {@inheritDoc}
     *
     * @throws SnapshotTooLargeException if the state exceeds {@link Builder#maxStateBytes}, or the stored item
     *                                   (compressed state plus attributes) would exceed the item limit; nothing
     *                                   is changed
     * @throws DynamoDbAccessException   if DynamoDB stays throttled or refuses the write; the AWS error is the cause
     */
    @Override
    public void save(Snapshot snapshot) {
        Objects.requireNonNull(snapshot, "snapshot");
        byte[] state = snapshot.state().unsafeBytes();
        if (state.length > maxStateBytes) {
            throw new SnapshotTooLargeException(snapshot.streamId(), state.length, maxStateBytes);
        }
        boolean compressed = state.length > compressAbove;
        byte[] stored = compressed ? gzip(state) : state;
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", AttributeValue.fromS(snapshot.streamId()));
        item.put(VERSION, EventItems.n(snapshot.version()));
        item.put(TYPE, AttributeValue.fromS(snapshot.aggregateType()));
        item.put(STATE_VERSION, EventItems.n(snapshot.stateSchemaVersion()));
        item.put(CREATED, EventItems.n(EventItems.toNanos(snapshot.createdAt())));
        item.put(GZIP, AttributeValue.fromBool(compressed));
        item.put(STATE, AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(stored)));
        int size = ItemSizes.of(item);
        if (size > maxItemBytes) {
            throw new SnapshotTooLargeException(snapshot.streamId(), size, maxItemBytes);
        }
        try {
            calls.call("save the snapshot of stream '" + snapshot.streamId() + "'",
                    () -> client.putItem(b -> b.tableName(table).item(item)
                            .conditionExpression("attribute_not_exists(pk) OR #v < :v")
                            .expressionAttributeNames(Map.of("#v", VERSION))
                            .expressionAttributeValues(Map.of(":v", EventItems.n(snapshot.version())))));
        } catch (DynamoDbAccessException e) {
            if (!(e.getCause() instanceof ConditionalCheckFailedException)) {
                throw e;
            }
            // a snapshot at least as new is held: keeping it is the contract
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws DynamoDbAccessException if DynamoDB stays throttled or refuses the read
     */
    @Override
    public Optional<Snapshot> latest(String streamId) {
        Objects.requireNonNull(streamId, "streamId");
        Map<String, AttributeValue> item = calls.call("read the snapshot of stream '" + streamId + "'",
                () -> client.getItem(b -> b.tableName(table).consistentRead(true)
                        .key(Map.of("pk", AttributeValue.fromS(streamId))))).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        byte[] stored = attribute(item, STATE).b().asByteArrayUnsafe();
        byte[] state = Boolean.TRUE.equals(attribute(item, GZIP).bool()) ? gunzip(stored, streamId) : stored;
        return Optional.of(new Snapshot(streamId, attribute(item, TYPE).s(), Long.parseLong(attribute(item, VERSION).n()),
                Integer.parseInt(attribute(item, STATE_VERSION).n()), EventItems.fromNanos(Long.parseLong(attribute(item, CREATED).n())),
                EventPayload.ofBytes(state)));
    }

    /**
     * {@inheritDoc}
     *
     * @throws DynamoDbAccessException if DynamoDB stays throttled or refuses the delete
     */
    @Override
    public void delete(String streamId) {
        Objects.requireNonNull(streamId, "streamId");
        calls.call("delete the snapshot of stream '" + streamId + "'",
                () -> client.deleteItem(b -> b.tableName(table).key(Map.of("pk", AttributeValue.fromS(streamId)))));
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, bytes.length / 4));
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] gunzip(byte[] bytes, String streamId) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new DynamoDbAccessException("The stored snapshot of stream '" + streamId + "' is not valid gzip ("
                    + e.getMessage() + "); delete it and the aggregate will load from its events.", e, false);
        }
    }

    /** Options for {@link DynamoDbSnapshotStore}; setters validate as they go. */
    public static final class Builder {
        private final DynamoDbClient client;
        private @Nullable String tableName;
        private int compressAbove = 16 * 1024;
        private int maxStateBytes = 16 * 1024 * 1024;
        private int maxItemBytes = ItemSizes.MAX_ITEM_BYTES;
        private RetryPolicy retryPolicy = RetryPolicy.custom().maxAttempts(8).initialDelay(Duration.ofMillis(50))
                .maxDelay(Duration.ofSeconds(5)).build();

        private Builder(DynamoDbClient client) {
            this.client = Objects.requireNonNull(client, "client");
        }

        /** The snapshots table. */
        public Builder tableName(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("tableName must not be blank, but was '" + value + "'");
            }
            this.tableName = value;
            return this;
        }

        /** States larger than this many bytes are gzip-compressed (default 16 KB; 0 compresses all). */
        public Builder compressAbove(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("compressAbove must be >= 0, but was " + bytes);
            }
            this.compressAbove = bytes;
            return this;
        }

        /**
         * The largest state accepted before compression, at least 1 (default 16 MB, as the embedded store).
         * The stored item must also fit {@link #maxItemBytes} after compression.
         */
        public Builder maxStateBytes(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxStateBytes must be >= 1, but was " + bytes);
            }
            this.maxStateBytes = bytes;
            return this;
        }

        /** The largest stored item, 1..409600 bytes (default the DynamoDB maximum, 400 KB). */
        public Builder maxItemBytes(int bytes) {
            if (bytes < 1 || bytes > ItemSizes.MAX_ITEM_BYTES) {
                throw new IllegalArgumentException("maxItemBytes must be 1.." + ItemSizes.MAX_ITEM_BYTES + ", but was "
                        + bytes);
            }
            this.maxItemBytes = bytes;
            return this;
        }

        /** Retry of throttled and failed requests (default 8 attempts, 50 ms .. 5 s). */
        public Builder retryPolicy(RetryPolicy value) {
            this.retryPolicy = Objects.requireNonNull(value, "retryPolicy");
            return this;
        }

        /** @throws IllegalStateException if no table name was given */
        public DynamoDbSnapshotStore build() {
            if (tableName == null) {
                throw new IllegalStateException("tableName is required; call tableName(...) before build()");
            }
            return new DynamoDbSnapshotStore(this);
        }
    }
}
