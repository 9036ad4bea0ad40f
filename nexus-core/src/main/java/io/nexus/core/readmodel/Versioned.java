package io.nexus.core.readmodel;

import java.util.Objects;

/**
 * A read model with the version it reflects: the aggregate version (or log position) of the last event
 * applied to it, which guards against regressions when events are redelivered.
 *
 * @param id      the read model's key; not blank
 * @param value   the read model; never {@code null}
 * @param version the version it reflects, at least 0
 */
public record Versioned<V>(String id, V value, long version) {

    public Versioned {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("id must not be blank, but was '" + id + "'");
        }
        Objects.requireNonNull(value, "value");
        if (version < 0) {
            throw new IllegalArgumentException("version must be >= 0, but was " + version + " for read model '" + id + "'");
        }
    }
}
