package io.nexus.core.policy;

import java.util.Objects;
import java.util.Set;

/**
 * What a policy learns about one event of a request: its type, schema version, payload size and the
 * names of the payload's fields, never the payload's values. Part of the stable input document (see
 * {@code docs/governance.md}, where its JSON form is specified).
 *
 * @param type          the event type name, as registered in the application's event types; never {@code null}
 * @param schemaVersion the schema version the event is written with, from 1
 * @param payloadSize   the serialized payload's size in bytes, {@code >= 0}
 * @param fields        every field path present in the payload, dotted from the root ({@code "customer.email"});
 *                      elements of arrays are named by the array's path ({@code "lines.sku"}); empty for a payload
 *                      that is not a JSON object. Never {@code null}
 */
public record PolicyEvent(String type, int schemaVersion, int payloadSize, Set<String> fields) {

    public PolicyEvent {
        Objects.requireNonNull(type, "type");
        if (schemaVersion < 1) {
            throw new IllegalArgumentException("schemaVersion must be >= 1, but was " + schemaVersion);
        }
        if (payloadSize < 0) {
            throw new IllegalArgumentException("payloadSize must be >= 0, but was " + payloadSize);
        }
        fields = fields == null ? Set.of() : Set.copyOf(fields);
    }
}
