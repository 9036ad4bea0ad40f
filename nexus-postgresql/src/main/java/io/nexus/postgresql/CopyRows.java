package io.nexus.postgresql;

import io.nexus.core.event.NewEvent;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import java.util.Objects;

/**
 * The rows of one append in PostgreSQL's binary {@code COPY} format, for the columns of {@link #COLUMNS}: no
 * text to print on this side or to parse on the server's, and the server inserts them with its multi-row
 * heap insert. Not thread-safe; one instance per append.
 */
final class CopyRows {

    /** The columns in the order each row carries them. */
    static final String COLUMNS = "position, tx_id, stream_id, version, aggregate_type, event_id, event_type, "
            + "schema_version, recorded_at, correlation_id, causation_id, metadata, payload";

    private static final int FIELDS = 13;
    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0,
            0, 0, 0, 0, // flags: no OIDs
            0, 0, 0, 0}; // no header extension
    /** jsonb's binary format: a version byte, then the JSON text. */
    private static final byte JSONB_VERSION = 1;

    private byte[] buffer;
    private int length;

    private CopyRows(int capacity) {
        this.buffer = new byte[capacity];
    }

    /**
     * The rows of {@code events} appended to stream {@code streamId} after version {@code head}, at positions
     * from {@code firstPosition}, by transaction {@code txId}, recorded at {@code recordedAtMicros} (microseconds
     * since 2000-01-01 UTC, PostgreSQL's zero).
     */
    static CopyRows of(List<NewEvent> events, String streamId, String aggregateType, long head, long firstPosition,
                       long txId, long recordedAtMicros) {
        CopyRows rows = start(events.size(), payloadBytes(events));
        rows.add(events, streamId, aggregateType, head, firstPosition, txId, recordedAtMicros);
        return rows.finish();
    }

    /** An empty set of rows with room for about {@code events} events of {@code payloadBytes} in all. */
    static CopyRows start(int events, long payloadBytes) {
        CopyRows rows = new CopyRows((int) Math.min(Integer.MAX_VALUE - 16, HEADER.length + 2 + payloadBytes + 256L * events));
        rows.put(HEADER);
        return rows;
    }

    static long payloadBytes(List<NewEvent> events) {
        long bytes = 0;
        for (NewEvent event : events) {
            bytes += event.payload().size();
        }
        return bytes;
    }

    /** Adds the rows of one append, as {@link #of} describes them. */
    void add(List<NewEvent> events, String streamId, String aggregateType, long head, long firstPosition, long txId,
             long recordedAtMicros) {
        CopyRows rows = this;
        byte[] stream = streamId.getBytes(StandardCharsets.UTF_8);
        byte[] type = aggregateType.getBytes(StandardCharsets.UTF_8);
        String lastEventType = null;
        byte @Nullable [] eventType = null;
        for (int i = 0; i < events.size(); i++) {
            NewEvent event = events.get(i);
            rows.putShort(FIELDS);
            rows.putLongField(firstPosition + i);
            rows.putLongField(txId);
            rows.putField(stream);
            rows.putLongField(head + 1 + i);
            rows.putField(type);
            UUID id = event.eventId();
            rows.putInt(16);
            rows.putLong(id.getMostSignificantBits());
            rows.putLong(id.getLeastSignificantBits());
            if (!event.eventType().equals(lastEventType)) {
                lastEventType = event.eventType();
                eventType = lastEventType.getBytes(StandardCharsets.UTF_8);
            }
            rows.putField(Objects.requireNonNull(eventType, "the first event sets it"));
            rows.putInt(4);
            rows.putInt(event.schemaVersion());
            rows.putLongField(recordedAtMicros);
            rows.putText(event.correlationId());
            rows.putText(event.causationId());
            String metadata = EventColumns.metadataJson(event.metadata());
            if (metadata == null) {
                rows.putInt(-1);
            } else {
                byte[] json = metadata.getBytes(StandardCharsets.UTF_8);
                rows.putInt(json.length + 1);
                rows.ensure(1);
                rows.buffer[rows.length++] = JSONB_VERSION;
                rows.put(json);
            }
            rows.putField(event.payload().unsafeBytes());
        }
    }

    /** Ends the rows; nothing may be added after. */
    CopyRows finish() {
        putShort(-1);
        return this;
    }

    byte[] buffer() {
        return buffer;
    }

    int length() {
        return length;
    }

    private void putText(@Nullable String value) {
        if (value == null) {
            putInt(-1);
        } else {
            putField(value.getBytes(StandardCharsets.UTF_8));
        }
    }

    private void putField(byte[] value) {
        putInt(value.length);
        put(value);
    }

    private void putLongField(long value) {
        putInt(8);
        putLong(value);
    }

    private void put(byte[] value) {
        ensure(value.length);
        System.arraycopy(value, 0, buffer, length, value.length);
        length += value.length;
    }

    private void putShort(int value) {
        ensure(2);
        buffer[length++] = (byte) (value >>> 8);
        buffer[length++] = (byte) value;
    }

    private void putInt(int value) {
        ensure(4);
        buffer[length++] = (byte) (value >>> 24);
        buffer[length++] = (byte) (value >>> 16);
        buffer[length++] = (byte) (value >>> 8);
        buffer[length++] = (byte) value;
    }

    private void putLong(long value) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buffer[length++] = (byte) (value >>> shift);
        }
    }

    private void ensure(int more) {
        if (length + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
        }
    }
}
