package io.nexus.core.serialization;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * JSON through Jackson. The default mapper writes {@code java.time} values as ISO-8601 text and ignores
 * unknown properties on read (a tolerant reader: adding an optional field never breaks old code).
 * Pass your own {@link ObjectMapper} to change that, configured before it is handed over: each class's
 * writer and reader are taken from the mapper once, on the class's first use, with the root serializer or
 * deserializer already resolved (a plain {@code writeValueAsBytes} looks it up on every call). Thread-safe.
 */
public final class JacksonEventSerializer implements EventSerializer {

    private final ObjectMapper mapper;
    private final ClassValue<ObjectWriter> writers = new ClassValue<>() {
        @Override
        protected ObjectWriter computeValue(Class<?> type) {
            return mapper.writerFor(type);
        }
    };
    private final ClassValue<ObjectReader> readers = new ClassValue<>() {
        @Override
        protected ObjectReader computeValue(Class<?> type) {
            return mapper.readerFor(type);
        }
    };

    public JacksonEventSerializer() {
        this(defaultMapper());
    }

    public JacksonEventSerializer(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    /** The mapper the no-argument constructor uses. */
    public static ObjectMapper defaultMapper() {
        return JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .build();
    }

    /** The mapper in use. */
    public ObjectMapper mapper() {
        return mapper;
    }

    @Override
    public byte[] serialize(Object value) {
        try {
            return writers.get(value.getClass()).writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new EventSerializationException("Cannot serialize " + value.getClass().getName() + " to JSON: "
                    + e.getOriginalMessage() + "; make it a record or a Jackson-friendly class.", e);
        }
    }

    @Override
    public <T> T deserialize(byte[] bytes, Class<T> type) {
        try {
            return readers.get(type).readValue(bytes);
        } catch (IOException e) {
            throw new EventSerializationException("Cannot read JSON as " + type.getName() + ": " + originalMessage(e)
                    + "; the stored payload is malformed or does not fit the class (an upcaster can convert it).", e);
        }
    }

    @Override
    public ObjectNode toTree(byte[] bytes) {
        JsonNode node;
        try {
            node = mapper.readTree(bytes);
        } catch (IOException e) {
            throw new EventSerializationException("Payload is not valid JSON: " + originalMessage(e), e);
        }
        if (!(node instanceof ObjectNode object)) {
            throw new EventSerializationException("Payload must be a JSON object but was "
                    + (node == null ? "empty" : node.getNodeType()), null);
        }
        return object;
    }

    @Override
    public byte[] fromTree(ObjectNode tree) {
        try {
            return mapper.writeValueAsBytes(tree);
        } catch (JsonProcessingException e) {
            throw new EventSerializationException("Cannot write JSON tree: " + e.getOriginalMessage(), e);
        }
    }

    private static @Nullable String originalMessage(IOException e) {
        return e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    }
}
