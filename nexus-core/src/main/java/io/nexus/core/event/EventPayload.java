package io.nexus.core.event;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The serialized body of an event (UTF-8 JSON by default), optionally paired with the decoded
 * object it was produced from.
 *
 * <p>The bytes are the truth: stores persist them, sizes are measured on them, and upcasters read
 * them. The decoded object is a cache that lets an in-process store hand the very object a command
 * produced back to a reader without parsing it again; it is used only while the stored schema version
 * is the current one. Payload classes must therefore be immutable (records are ideal).
 *
 * <p>Instances are immutable and thread-safe; the byte array is never exposed for mutation.
 */
public final class EventPayload {

    private final byte[] bytes;
    private final @Nullable Object decoded;
    // The length, kept here so that reading a payload's size (every replayed event does) does not touch
    // the array, another object and often another cache miss. It fits in the object's padding: no extra heap.
    private final int size;

    private EventPayload(byte[] bytes, @Nullable Object decoded) {
        this.bytes = Objects.requireNonNull(bytes, "bytes");
        this.decoded = decoded;
        this.size = bytes.length;
    }

    /** A payload known only by its bytes, as read from a durable store. The array is copied. */
    public static EventPayload ofBytes(byte[] bytes) {
        return new EventPayload(bytes.clone(), null);
    }

    /** A payload from its JSON text. */
    public static EventPayload ofJson(String json) {
        return new EventPayload(json.getBytes(StandardCharsets.UTF_8), null);
    }

    /**
     * A payload with both forms. The array is taken without copying: the caller hands it over and
     * must not change it afterwards.
     */
    public static EventPayload of(byte[] bytes, @Nullable Object decoded) {
        return new EventPayload(bytes, decoded);
    }

    /** A copy of the serialized bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The serialized size in bytes. */
    public int size() {
        return size;
    }

    /** The serialized bytes as UTF-8 text. */
    public String asString() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The object the bytes were produced from, when it is known in this process. */
    public Optional<Object> decoded() {
        return Optional.ofNullable(decoded);
    }

    /** Direct access for stores and codecs that promise not to modify the array. */
    public byte[] unsafeBytes() {
        return bytes;
    }

    /** Payloads are equal when their bytes are equal; the decoded cache does not count. */
    @Override
    public boolean equals(Object o) {
        return o instanceof EventPayload other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return bytes.length <= 256 ? asString() : asString().substring(0, 256) + "... (" + bytes.length + " bytes)";
    }
}
