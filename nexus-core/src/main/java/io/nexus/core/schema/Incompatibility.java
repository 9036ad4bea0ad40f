package io.nexus.core.schema;

import java.util.Objects;

/**
 * One breaking difference between a candidate schema and an existing version.
 *
 * @param againstVersion the existing version the candidate was compared with
 * @param direction      {@code "BACKWARD"} (the candidate cannot read data written with that version),
 *                       {@code "FORWARD"} (that version cannot read data written with the candidate), or
 *                       {@code "FULL"} when a remote registry judged both directions without saying which broke
 * @param pointer        JSON pointer into the schema where the difference is ({@code ""} for the root)
 * @param type           the kind of difference, named as Confluent names it
 *                       ({@code PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL}, {@code TYPE_NARROWED}, ...); a remote
 *                       registry that gives no kind yields {@code "REGISTRY_VERDICT"}
 * @param message        a readable description (for a remote registry: its own words)
 */
public record Incompatibility(int againstVersion, String direction, String pointer, String type, String message) {

    public Incompatibility {
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(pointer, "pointer");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return direction.toLowerCase() + " vs v" + againstVersion + " at '" + (pointer.isEmpty() ? "/" : pointer)
                + "': " + type + " - " + message;
    }
}
