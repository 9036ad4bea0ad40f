package io.nexus.core.upcast;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Converts the stored JSON payload of one event type from schema version {@link #fromVersion()} to
 * {@code fromVersion() + 1}. A chain of them brings any stored version to the current one.
 *
 * <p>Upcasters must be deterministic and depend on nothing but their input: the same stored payload
 * always upcasts to the same result, on every read path (aggregate loads, projections, temporal
 * reads). The node passed in is a fresh copy: modify it and return it, or return a new node.
 */
public interface Upcaster {

    /** The stored event type name this upcaster reads. */
    String eventType();

    /** The schema version it reads; it produces {@code fromVersion() + 1}. */
    int fromVersion();

    /** The payload at {@code fromVersion() + 1}. */
    ObjectNode upcast(ObjectNode payload);

    /** An upcaster from a function. */
    static Upcaster of(String eventType, int fromVersion, UnaryOperator<ObjectNode> function) {
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(function, "function");
        if (fromVersion < 1) {
            throw new IllegalArgumentException("fromVersion must be >= 1, but was " + fromVersion);
        }
        return new Upcaster() {
            @Override
            public String eventType() {
                return eventType;
            }

            @Override
            public int fromVersion() {
                return fromVersion;
            }

            @Override
            public ObjectNode upcast(ObjectNode payload) {
                return function.apply(payload);
            }

            @Override
            public String toString() {
                return "Upcaster[" + eventType + " v" + fromVersion + " -> v" + (fromVersion + 1) + "]";
            }
        };
    }
}
