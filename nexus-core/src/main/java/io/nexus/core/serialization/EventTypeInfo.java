package io.nexus.core.serialization;

import java.util.Objects;

/**
 * One registered event type.
 *
 * @param name     the stored name
 * @param version  the current schema version: what new events are written with and old ones upcast to
 * @param javaType the class events of this type decode to
 */
public record EventTypeInfo(String name, int version, Class<?> javaType) {

    public EventTypeInfo {
        Objects.requireNonNull(javaType, "javaType");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("event type name must not be blank, but was '" + name + "' for " + javaType.getName());
        }
        if (version < 1) {
            throw new IllegalArgumentException("version of event type '" + name + "' must be >= 1, but was " + version);
        }
    }
}
