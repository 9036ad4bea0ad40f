package io.nexus.core.serialization;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.upcast.UpcasterChain;

import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Encodes event objects for the store and decodes stored envelopes back to objects, upcasting old
 * schema versions on the way. Every read path (aggregate loads, projections, temporal reads) decodes
 * through a codec, so upcasting is applied everywhere the same way. Thread-safe.
 */
public final class EventCodec {

    private final EventTypes types;
    private final EventSerializer serializer;
    private final UpcasterChain upcasters;

    public EventCodec(EventTypes types, EventSerializer serializer, UpcasterChain upcasters) {
        this.types = Objects.requireNonNull(types, "types");
        this.serializer = Objects.requireNonNull(serializer, "serializer");
        this.upcasters = Objects.requireNonNull(upcasters, "upcasters");
    }

    /** A codec with the Jackson serializer and no upcasters. */
    public static EventCodec jackson(EventTypes types) {
        return new EventCodec(types, new JacksonEventSerializer(), UpcasterChain.empty(types));
    }

    public EventTypes types() {
        return types;
    }

    public EventSerializer serializer() {
        return serializer;
    }

    /**
     * {@code event} as a new event of its registered type and current schema version; {@code correlationId} and
     * {@code causationId} may be null (none).
     *
     * @throws UnknownEventTypeException   if the class is not registered
     * @throws EventSerializationException if it cannot be serialized
     */
    public NewEvent encode(Object event, UUID eventId, @Nullable String correlationId, @Nullable String causationId,
                           Map<String, String> metadata) {
        Objects.requireNonNull(event, "event");
        EventTypeInfo info = types.byClass(event.getClass());
        byte[] bytes = serializer.serialize(event);
        return new NewEvent(eventId, info.name(), info.version(), EventPayload.of(bytes, event), correlationId, causationId,
                metadata);
    }

    /**
     * The payload of {@code envelope} as an object of its registered class, upcast to the current
     * version. The object cached in the payload is returned as is when the versions already match.
     *
     * @throws UnknownEventTypeException   if the type is not registered
     * @throws EventSerializationException if the payload is malformed (the message names the event)
     * @throws io.nexus.core.upcast.UpcastingException if the stored version cannot be upcast
     */
    public Object decode(EventEnvelope envelope) {
        EventTypeInfo info = typeOf(envelope);
        if (envelope.schemaVersion() == info.version()) {
            return decodeCurrent(envelope, info);
        }
        return deserialize(envelope, upcastBytes(envelope, info), info);
    }

    /**
     * The payload of {@code envelope} decoded as by {@link #decode}, together with the envelope that
     * describes it: after an upcast, the stored envelope with the upcast bytes and the current schema
     * version (and the decoded object cached in its payload, so decoding it again costs nothing);
     * without one, {@code envelope} itself. Hand both to consumers so that
     * {@link EventEnvelope#schemaVersion()} always names the version of the payload they get.
     *
     * @throws UnknownEventTypeException   if the type is not registered
     * @throws EventSerializationException if the payload is malformed (the message names the event)
     * @throws io.nexus.core.upcast.UpcastingException if the stored version cannot be upcast
     */
    public DecodedEvent decodeWithEnvelope(EventEnvelope envelope) {
        EventTypeInfo info = typeOf(envelope);
        if (envelope.schemaVersion() == info.version()) {
            return new DecodedEvent(decodeCurrent(envelope, info), envelope);
        }
        byte[] bytes = upcastBytes(envelope, info);
        Object event = deserialize(envelope, bytes, info);
        return new DecodedEvent(event, envelope.withPayload(info.name(), info.version(), EventPayload.of(bytes, event)));
    }

    /**
     * {@code envelope} with its payload upcast to the current schema version and {@link EventEnvelope#schemaVersion()}
     * saying so (the same envelope if current). The payload carries bytes only; {@link #decodeWithEnvelope} gives
     * the decoded object as well.
     */
    public EventEnvelope upcast(EventEnvelope envelope) {
        EventTypeInfo info = typeOf(envelope);
        if (envelope.schemaVersion() == info.version()) {
            return envelope;
        }
        return envelope.withPayload(info.name(), info.version(), EventPayload.of(upcastBytes(envelope, info), null));
    }

    private EventTypeInfo typeOf(EventEnvelope envelope) {
        try {
            return types.byName(envelope.eventType());
        } catch (UnknownEventTypeException e) {
            throw new UnknownEventTypeException(envelope.eventType(), "Event type '" + envelope.eventType()
                    + "' of stream '" + envelope.streamId() + "' version " + envelope.version()
                    + " is not registered; register the class that decodes it (EventTypes.builder().register(MyEvent.class, \""
                    + envelope.eventType() + "\", version)).");
        }
    }

    private Object decodeCurrent(EventEnvelope envelope, EventTypeInfo info) {
        Object cached = envelope.payload().decoded().orElse(null);
        if (info.javaType().isInstance(cached)) {
            return cached;
        }
        return deserialize(envelope, envelope.payload().unsafeBytes(), info);
    }

    private byte[] upcastBytes(EventEnvelope envelope, EventTypeInfo info) {
        ObjectNode tree;
        try {
            tree = serializer.toTree(envelope.payload().unsafeBytes());
        } catch (EventSerializationException e) {
            throw malformed(envelope, e);
        }
        ObjectNode upcast = upcasters.upcast(info.name(), envelope.schemaVersion(), info.version(), tree);
        return serializer.fromTree(upcast);
    }

    private Object deserialize(EventEnvelope envelope, byte[] bytes, EventTypeInfo info) {
        try {
            return serializer.deserialize(bytes, info.javaType());
        } catch (EventSerializationException e) {
            throw malformed(envelope, e);
        }
    }

    private static EventSerializationException malformed(EventEnvelope envelope, EventSerializationException e) {
        return new EventSerializationException("Event '" + envelope.eventType() + "' v" + envelope.schemaVersion()
                + " at stream '" + envelope.streamId() + "' version " + envelope.version() + " cannot be decoded: "
                + e.getMessage(), e);
    }
}
