package io.nexus.core.serialization;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names an event class and its current schema version, for {@link EventTypes.Builder#register(Class)}.
 * The name is what is stored: renaming or moving the class does not break stored events.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface EventType {

    /** The stored name; keep it stable for the life of the data. */
    String value();

    /** The current schema version, 1 for a type that never changed shape. */
    int version() default 1;
}
