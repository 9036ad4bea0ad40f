package io.nexus.core;

/**
 * A part of an application registered in one call: its event types, schemas, aggregates and command
 * routes, projections, sagas. {@code Nexus.builder().module(new OrderModule())} calls {@link #configure}.
 */
@FunctionalInterface
public interface NexusModule {

    /** Registers this module's parts on {@code builder}. */
    void configure(Nexus.Builder builder);
}
