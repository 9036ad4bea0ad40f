package io.nexus.core;

/**
 * One engine family (DynamoDB, PostgreSQL, ...): sets on a {@link Nexus.Builder} every port the family
 * implements (event store, snapshots, checkpoints, dead letters, audit log, timers, read models) in one
 * call, {@code Nexus.builder().engines(DynamoDbEngines.of(...))}. Ports a family does not implement keep
 * their embedded defaults. The caller owns the vendor clients the family was given.
 */
@FunctionalInterface
public interface NexusEngines {

    /** Sets this family's ports on {@code builder}. */
    void configure(Nexus.Builder builder);
}
