package io.nexus.examples.order.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.javalin.http.Context;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reading requests strictly and safely: bodies are bounded while they are read (a chunked body is cut off
 * as soon as it passes the limit), must be declared {@code application/json}, must be one JSON object
 * without unknown fields; ids are short and plain; and nothing a client sent is echoed back longer than
 * {@value #ECHO_LIMIT} characters.
 */
final class Requests {

    /** The most characters of client input an error message repeats. */
    static final int ECHO_LIMIT = 40;

    /** The longest id (order, customer, sku) the API passes on to the domain. */
    static final int MAX_ID = 128;

    /** Plain ids (client ids, simulator skus): letters, digits, '.', '_', '-', 1..64 characters. */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** Bodies bigger than the limit are drained up to this many bytes, so the client reads its 413 instead of a reset. */
    private static final long DRAIN_LIMIT = 16L * 1024 * 1024;

    static final ObjectMapper MAPPER = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(JsonParser.Feature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(20).build());
    }

    private Requests() {
    }

    /**
     * The body as a JSON object, at most {@code maxBytes}.
     *
     * @throws ApiException 415 for another content type, 413 for a larger body, 400 for anything but a JSON object
     */
    static ObjectNode jsonBody(Context ctx, int maxBytes) {
        requireJson(ctx);
        byte[] bytes = boundedBody(ctx, maxBytes);
        if (bytes.length == 0) {
            throw new ApiException(400, "malformed_json", "The request body is empty; expected a JSON object.");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr();
            throw new ApiException(400, "malformed_json", "The request body is not valid JSON" + where + "; send a JSON object.");
        } catch (IOException e) {
            throw new ApiException(400, "malformed_json", "The request body could not be read; send a JSON object.");
        }
        if (!(node instanceof ObjectNode object)) {
            throw new ApiException(400, "malformed_json", "The request body must be a JSON object but was "
                    + (node == null ? "empty" : node.getNodeType().name().toLowerCase(Locale.ROOT)) + ".");
        }
        return object;
    }

    /**
     * Refuses a body on a request that takes none (a command without fields): nothing, or an empty JSON
     * object, is accepted.
     */
    static void noBody(Context ctx, int maxBytes) {
        byte[] bytes = boundedBody(ctx, maxBytes);
        if (bytes.length == 0) {
            return;
        }
        requireJson(ctx);
        String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).strip();
        if (!text.equals("{}")) {
            throw ApiException.invalid("This request takes no fields; send no body or {}.");
        }
    }

    private static void requireJson(Context ctx) {
        String type = ctx.header("Content-Type");
        String base = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!base.equals("application/json")) {
            throw new ApiException(415, "unsupported_media_type", "The request body must be declared Content-Type: "
                    + "application/json but was " + (type == null ? "not declared" : quote(type)) + ".");
        }
    }

    private static byte[] boundedBody(Context ctx, int maxBytes) {
        long declared = ctx.req().getContentLengthLong();
        try (InputStream in = ctx.req().getInputStream()) {
            if (declared > maxBytes) {
                drain(in);
                throw tooLarge(maxBytes);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 ? (int) declared : 256);
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                if (out.size() > maxBytes) {
                    drain(in);
                    throw tooLarge(maxBytes);
                }
            }
            return out.toByteArray();
        } catch (IOException e) {
            // A client that stalls past the idle timeout or goes away; the connection is closed anyway.
            throw new ApiException(408, "request_timeout", "The request body did not arrive in time; send it at once.");
        }
    }

    private static void drain(InputStream in) throws IOException {
        long skipped = 0;
        byte[] buffer = new byte[64 * 1024];
        int n;
        while (skipped < DRAIN_LIMIT && (n = in.read(buffer)) >= 0) {
            skipped += n;
        }
    }

    private static ApiException tooLarge(int maxBytes) {
        return new ApiException(413, "payload_too_large", "The request body is larger than " + maxBytes
                + " bytes; send a smaller JSON object.", java.util.Map.of("Connection", "close"));
    }

    static void allowOnly(ObjectNode body, String... fields) {
        Set<String> allowed = Set.of(fields);
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                throw ApiException.invalid("Field " + quote(name) + " is not supported; expected only "
                        + String.join(", ", fields) + ".");
            }
        }
    }

    static String text(ObjectNode body, String field, boolean required, int maxLength) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw ApiException.invalid("Field '" + field + "' is required; send it as a string.");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw ApiException.invalid("Field '" + field + "' must be a string but was "
                    + value.getNodeType().name().toLowerCase(Locale.ROOT) + ".");
        }
        String text = value.textValue();
        if (text.length() > maxLength) {
            throw ApiException.invalid("Field '" + field + "' must be at most " + maxLength + " characters but had "
                    + text.length() + ".");
        }
        return text;
    }

    /** An id field (its format is the domain's to judge), at most {@value #MAX_ID} characters. */
    static String id(ObjectNode body, String field, boolean required) {
        return text(body, field, required, MAX_ID);
    }

    /** An id from a path or header: at most {@value #MAX_ID} characters; its format is the domain's to judge. */
    static String boundedId(String name, String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_ID) {
            throw ApiException.invalid(name + " must have 1.." + MAX_ID + " characters but was "
                    + (value == null ? "missing" : quote(value)) + ".");
        }
        return value;
    }

    /** An id matching {@link #ID}. */
    static String requireId(String name, String value) {
        if (value == null || !ID.matcher(value).matches()) {
            throw ApiException.invalid(name + " must be 1..64 letters, digits, '.', '_' or '-' but was "
                    + (value == null ? "missing" : quote(value)) + ".");
        }
        return value;
    }

    static long integer(ObjectNode body, String field, long min, long max) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw ApiException.invalid("Field '" + field + "' is required; send it as a whole number.");
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < min || value.longValue() > max) {
            throw ApiException.invalid("Field '" + field + "' must be a whole number in " + min + ".." + max
                    + " but was " + quote(value.toString()) + ".");
        }
        return value.longValue();
    }

    /** A query parameter as a whole number in {@code min..max}, or {@code fallback} when absent. */
    static int intParam(Context ctx, String name, int min, int max, int fallback) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isEmpty()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(raw);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.invalid("Query parameter '" + name + "' must be a whole number in " + min + ".." + max
                + " but was " + quote(raw) + ".");
    }

    /** Refuses query parameters other than {@code allowed}. */
    static void onlyParams(Context ctx, String... allowed) {
        Set<String> names = Set.of(allowed);
        for (String key : ctx.queryParamMap().keySet()) {
            if (!names.contains(key)) {
                throw ApiException.invalid("Query parameter " + quote(key) + " is not supported here; expected "
                        + (allowed.length == 0 ? "none" : String.join(", ", allowed)) + ".");
            }
            if (ctx.queryParams(key).size() > 1) {
                throw ApiException.invalid("Query parameter " + quote(key) + " is given twice; give it once.");
            }
        }
    }

    /** {@code value} in quotes, cut to {@value #ECHO_LIMIT} characters with the full length named. */
    static String quote(String value) {
        if (value.length() <= ECHO_LIMIT) {
            return "'" + value + "'";
        }
        return "'" + value.substring(0, ECHO_LIMIT) + "...' (" + value.length() + " characters)";
    }
}
