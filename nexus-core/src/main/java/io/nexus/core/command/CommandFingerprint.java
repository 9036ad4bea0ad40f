package io.nexus.core.command;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * What identifies a command's content across processes and restarts: SHA-256 of the class name and a
 * canonical JSON form (properties and map keys sorted, every field included), cut to 128 bits and
 * base64url-encoded (22 characters). Independent of the application's event serializer, which is
 * configured for events, not commands. Thread-safe.
 */
final class CommandFingerprint {

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .build();

    private CommandFingerprint() {
    }

    /** @throws InvalidCommandException if the command cannot be written as JSON */
    static String of(Object command) {
        byte[] json;
        try {
            json = CANONICAL.writeValueAsBytes(command);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new InvalidCommandException("Command '" + command.getClass().getName() + "' cannot be written as JSON ("
                    + e.getMessage() + "), which its fingerprint for idempotent re-sends needs; make it a record of "
                    + "JSON-serializable values.");
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(command.getClass().getName().getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            byte[] hash = digest.digest(json);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(hash, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
