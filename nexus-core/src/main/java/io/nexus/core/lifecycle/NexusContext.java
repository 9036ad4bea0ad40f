package io.nexus.core.lifecycle;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.nexus.core.checkpoint.CheckpointStore;
import io.nexus.core.lease.ConsumerLease;
import io.nexus.core.lease.LeaseStore;
import io.nexus.core.command.CommandBus;
import io.nexus.core.deadletter.DeadLetterQueue;
import io.nexus.core.policy.PolicyEngine;
import io.nexus.core.readmodel.ReadModelStores;
import io.nexus.core.scheduler.Scheduler;
import io.nexus.core.schema.EventValidator;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.snapshot.SnapshotStore;
import io.nexus.core.store.EventStore;
import io.nexus.core.temporal.AuditLog;
import io.nexus.core.tracking.LogTracker;

import java.time.Clock;
import java.util.Optional;

/**
 * What a {@link NexusComponent} inherits from the application it runs in: the configured ports (the
 * embedded defaults or an engine family's) and the shared services. One instance per application; every
 * method returns the same object each time. Thread-safe.
 */
public interface NexusContext {

    /** The application's event store. */
    EventStore eventStore();

    /** The application's snapshot store. */
    SnapshotStore snapshotStore();

    /** Encodes, decodes and upcasts the application's events. */
    EventCodec codec();

    /** The application clock. */
    Clock clock();

    /** Where meters go; a registry that records nothing when the application configured none. */
    MeterRegistry meterRegistry();

    /**
     * Where components observe their work (traces): the registry the application configured, or
     * {@link ObservationRegistry#NOOP}. A component observes each event it handles with
     * {@link io.nexus.core.observation.NexusObservation#handling}, so it continues the trace the event carries.
     */
    default ObservationRegistry observationRegistry() {
        return ObservationRegistry.NOOP;
    }

    /** The validator every new event passes before it is stored. */
    EventValidator validator();

    /** The policy engine consulted before events are stored or history is read. */
    PolicyEngine policy();

    /** The application's command bus (sagas and process managers send commands through it). */
    CommandBus commands();

    /** Where every consumer keeps its positions. */
    CheckpointStore checkpoints();

    /** Which process runs each exclusive consumer when several run the application. */
    LeaseStore leases();

    /**
     * This application instance's id, unique per instance (by default host name, process id and a random
     * suffix): the owner of the leases its exclusive consumers hold. Never blank.
     */
    String instanceId();

    /**
     * How the application's exclusive consumers (projections, the event router, sagas) take their leases, when
     * they run under leases: a lease store was configured, so several instances of the application may share the
     * consumers. Empty when every instance is its own arbiter (the default in-memory lease store): consumers then
     * run without a lease, exactly as in a single process. The default implementation returns empty.
     */
    default Optional<ConsumerLease> consumerLease() {
        return Optional.empty();
    }

    /** Where consumers put the events they gave up on, and park what follows them. */
    DeadLetterQueue deadLetters();

    /** Durable timers (saga timeouts). */
    Scheduler timers();

    /** Where audited operations are recorded. */
    AuditLog auditLog();

    /** Key-value read-model stores by name. */
    ReadModelStores readModels();

    /**
     * A new tracker of the event store's global log for {@code consumer}, on the application's
     * checkpoint store, clock and meters: the one way a component follows the log. It runs under the
     * {@link #consumerLease()} when there is one (one instance of the application at a time runs it); call
     * {@link LogTracker.Builder#withoutLease()} on it for a consumer whose effect stays in this process.
     */
    LogTracker.Builder logTracker(String consumer);

    /** Another registered component of {@code type} (the first registered), if any. */
    <T> Optional<T> component(Class<T> type);
}
