/**
 * The port contract suites (TCK): abstract JUnit 5 classes that every implementation of a port runs.
 *
 * <p>An implementation runs a suite by subclassing it and supplying a fresh store per test, for example
 * {@code class DynamoDbEventStoreContractTest extends EventStoreContract}. The embedded stores of
 * {@code nexus-core} and every adapter run the same cases, so behaviour is the same whichever store an
 * application picks. Cases are grouped with {@code @Nested} classes; an implementation must not
 * override or disable any of them. The suites are themselves tested: each must fail completely
 * against a do-nothing store, and the cases aimed at common bugs must fail against stores that have them.
 *
 * <ul>
 *   <li>{@link io.nexus.testkit.contract.EventStoreContract} for {@link io.nexus.core.store.EventStore};</li>
 *   <li>{@link io.nexus.testkit.contract.SnapshotStoreContract} for {@link io.nexus.core.snapshot.SnapshotStore};</li>
 *   <li>{@link io.nexus.testkit.contract.EventBusContract} for {@link io.nexus.core.bus.EventBus};</li>
 *   <li>{@link io.nexus.testkit.contract.SchemaRegistryContract} for {@link io.nexus.core.schema.SchemaRegistry};</li>
 *   <li>{@link io.nexus.testkit.contract.CheckpointStoreContract} for {@link io.nexus.core.checkpoint.CheckpointStore};</li>
 *   <li>{@link io.nexus.testkit.contract.DeadLetterQueueContract} for {@link io.nexus.core.deadletter.DeadLetterQueue};</li>
 *   <li>{@link io.nexus.testkit.contract.ReadModelStoreContract} for {@link io.nexus.core.readmodel.ReadModelStores};</li>
 *   <li>{@link io.nexus.testkit.contract.SchedulerContract} for {@link io.nexus.core.scheduler.Scheduler};</li>
 *   <li>{@link io.nexus.testkit.contract.AuditLogContract} for {@link io.nexus.core.temporal.AuditLog}.</li>
 * </ul>
 */
@NullMarked
package io.nexus.testkit.contract;

import org.jspecify.annotations.NullMarked;
