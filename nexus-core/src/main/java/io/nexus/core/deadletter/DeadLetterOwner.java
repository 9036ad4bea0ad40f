package io.nexus.core.deadletter;

import java.util.Objects;

/**
 * A consumer of an application that keeps dead letters: a projection, or a consumer group of the event bus.
 *
 * @param kind     what the consumer is
 * @param name     the projection's name, or the consumer group's name; not blank
 * @param consumer the name its dead letters are kept under ({@link DeadLetter#consumer()}): the projection's
 *                 name, or the group's consumer name such as {@code "billing/primary"}; not blank
 */
public record DeadLetterOwner(Kind kind, String name, String consumer) {

    /** What kind of consumer owns the dead letters. */
    public enum Kind {
        /** A projection registered with {@code Nexus.builder().projection(...)}. */
        PROJECTION,
        /** A consumer group of the application's event bus ({@code Nexus.builder().eventBus(bus, consumers -> ...)}). */
        BUS_CONSUMER_GROUP
    }

    public DeadLetterOwner {
        Objects.requireNonNull(kind, "kind");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank, but was '" + name + "'");
        }
        if (consumer == null || consumer.isBlank()) {
            throw new IllegalArgumentException("consumer must not be blank, but was '" + consumer + "'");
        }
    }
}
