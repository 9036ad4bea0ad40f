/**
 * The saga runtime. {@link io.nexus.saga.SagaComponent} registers a {@link io.nexus.core.saga.SagaDefinition}
 * with an application ({@code Nexus.builder().component(SagaComponent.of(definition))}); underneath,
 * {@link io.nexus.saga.SagaCoordinator} follows the event log, keeps each instance's state as events in its
 * own stream, and runs on any event store, command bus and timer store. {@link io.nexus.saga.SagaStatus}
 * is what the status query returns; {@link io.nexus.saga.EventStoreScheduler} is a durable timer store
 * over the event store.
 */
@NullMarked
package io.nexus.saga;

import org.jspecify.annotations.NullMarked;
