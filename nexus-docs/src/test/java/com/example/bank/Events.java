package com.example.bank;

import io.nexus.core.serialization.EventType;
import io.nexus.core.serialization.EventTypes;

/** The facts the bank records. {@code @EventType} names each one as stored, so classes can be renamed. */
public final class Events {

    @EventType("AccountOpened")
    public record AccountOpened(String owner) { }

    @EventType("Deposited")
    public record Deposited(long amount) { }

    @EventType("Withdrawn")
    public record Withdrawn(long amount) { }

    /** Every event class the application stores, registered once. */
    public static final EventTypes TYPES = EventTypes.builder()
            .register(AccountOpened.class)
            .register(Deposited.class)
            .register(Withdrawn.class)
            .build();

    private Events() {
    }
}
