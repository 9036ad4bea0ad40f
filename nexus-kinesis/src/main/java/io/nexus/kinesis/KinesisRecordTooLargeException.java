package io.nexus.kinesis;

import io.nexus.core.NexusException;

import java.util.UUID;

/**
 * An event whose Kinesis record (partition key plus encoded envelope) exceeds the record size limit.
 * Raised before anything of the publish call is sent, so nothing of that call is on the stream. Not
 * transient: the same event will never fit; shrink the payload (or store it elsewhere and publish a
 * reference), or raise the limit if the stream allows larger records.
 */
public final class KinesisRecordTooLargeException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final String streamId;
    private final UUID eventId;
    private final String eventType;
    private final int size;
    private final int limit;

    public KinesisRecordTooLargeException(String streamId, UUID eventId, String eventType, int size, int limit) {
        super("Event '" + eventId + "' of type '" + eventType + "' in stream '" + streamId + "' encodes to a Kinesis record of "
                + size + " bytes, over the limit of " + limit + " bytes; nothing of this publish was sent. Shrink the payload,"
                + " or raise maxRecordBytes if the Kinesis stream accepts larger records.", null, false);
        this.streamId = streamId;
        this.eventId = eventId;
        this.eventType = eventType;
        this.size = size;
        this.limit = limit;
    }

    /** The aggregate stream of the event. */
    public String streamId() {
        return streamId;
    }

    public UUID eventId() {
        return eventId;
    }

    public String eventType() {
        return eventType;
    }

    /** The size of the record the event would take, in bytes. */
    public int size() {
        return size;
    }

    /** The largest record accepted, in bytes. */
    public int limit() {
        return limit;
    }
}
