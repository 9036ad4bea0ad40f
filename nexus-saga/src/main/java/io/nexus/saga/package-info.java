/**
 * The saga runtime: {@link io.nexus.saga.SagaCoordinator} runs a
 * {@link io.nexus.core.saga.SagaDefinition} against any event store and command bus, keeping each
 * instance's state as events in its own stream; {@link io.nexus.saga.EventStoreScheduler} is the durable
 * embedded scheduler; {@link io.nexus.saga.SagaStatus} is what the status query returns.
 */
package io.nexus.saga;
