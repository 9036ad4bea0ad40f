package io.nexus.core.aggregate;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an aggregate method that applies one event type to the aggregate's state. The method takes
 * exactly one parameter, the event, changes only the aggregate's own fields, and never fails for an
 * event it once accepted (it also runs on every replay). Methods may be private. Found once per
 * aggregate class, the first time it is used.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface EventSourcingHandler {
}
