package io.nexus.core.serialization;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Turns event payloads and snapshot states into bytes and back. The default is
 * {@link JacksonEventSerializer} (JSON). The JSON tree methods let upcasters transform stored payloads
 * of old schema versions before they are decoded.
 *
 * <p>Implementations are thread-safe.
 */
public interface EventSerializer {

    /**
     * The serialized form of {@code value}.
     *
     * @throws EventSerializationException if the value cannot be serialized
     */
    byte[] serialize(Object value);

    /**
     * {@code bytes} decoded as {@code type}.
     *
     * @throws EventSerializationException if the bytes are malformed or do not fit the type
     */
    <T> T deserialize(byte[] bytes, Class<T> type);

    /**
     * {@code bytes} as a JSON object tree, for upcasting.
     *
     * @throws EventSerializationException if the bytes are not a JSON object
     */
    ObjectNode toTree(byte[] bytes);

    /**
     * A JSON object tree back to bytes.
     *
     * @throws EventSerializationException if the tree cannot be written
     */
    byte[] fromTree(ObjectNode tree);
}
