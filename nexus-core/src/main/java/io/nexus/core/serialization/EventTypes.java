package io.nexus.core.serialization;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The registry of event types: stored name and current schema version for each event class. Immutable
 * and thread-safe once built. Names and classes are each registered once.
 */
public final class EventTypes {

    private final Map<String, EventTypeInfo> byName;
    private final Map<Class<?>, EventTypeInfo> byClass;

    private EventTypes(Map<String, EventTypeInfo> byName, Map<Class<?>, EventTypeInfo> byClass) {
        this.byName = Map.copyOf(byName);
        this.byClass = Map.copyOf(byClass);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The type stored under {@code name}. */
    public EventTypeInfo byName(String name) {
        EventTypeInfo info = byName.get(name);
        if (info == null) {
            throw UnknownEventTypeException.forName(name);
        }
        return info;
    }

    /** The type that {@code type} is registered as. */
    public EventTypeInfo byClass(Class<?> type) {
        EventTypeInfo info = byClass.get(type);
        if (info == null) {
            throw UnknownEventTypeException.forClass(type);
        }
        return info;
    }

    /** Whether {@code name} is registered. */
    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** Whether {@code type} is registered. */
    public boolean contains(Class<?> type) {
        return byClass.containsKey(type);
    }

    /** Every registered type. */
    public Collection<EventTypeInfo> all() {
        return byName.values();
    }

    /** Builds an {@link EventTypes}; fails fast on a name or class registered twice. */
    public static final class Builder {
        private final Map<String, EventTypeInfo> byName = new LinkedHashMap<>();
        private final Map<Class<?>, EventTypeInfo> byClass = new HashMap<>();

        private Builder() {
        }

        /** Registers {@code type} under {@code name} at schema version {@code version}. */
        public Builder register(Class<?> type, String name, int version) {
            EventTypeInfo info = new EventTypeInfo(name, version, type);
            EventTypeInfo previous = byName.get(name);
            if (previous != null) {
                throw new IllegalArgumentException("event type name '" + name + "' is registered for both "
                        + previous.javaType().getName() + " and " + type.getName() + "; give each class its own name");
            }
            if (byClass.containsKey(type)) {
                throw new IllegalArgumentException("class " + type.getName() + " is registered twice, as '"
                        + byClass.get(type).name() + "' and '" + name + "'");
            }
            byName.put(name, info);
            byClass.put(type, info);
            return this;
        }

        /** Registers {@code type} by its {@link EventType} annotation. */
        public Builder register(Class<?> type) {
            EventType annotation = Objects.requireNonNull(type, "type").getAnnotation(EventType.class);
            if (annotation == null) {
                throw new IllegalArgumentException("class " + type.getName()
                        + " has no @EventType annotation; annotate it or use register(type, name, version)");
            }
            return register(type, annotation.value(), annotation.version());
        }

        /** Registers each class by its {@link EventType} annotation. */
        public Builder registerAll(List<Class<?>> types) {
            types.forEach(this::register);
            return this;
        }

        /** Registers every type of {@code other}. */
        public Builder registerAll(EventTypes other) {
            other.all().forEach(i -> register(i.javaType(), i.name(), i.version()));
            return this;
        }

        public EventTypes build() {
            return new EventTypes(byName, byClass);
        }
    }
}
