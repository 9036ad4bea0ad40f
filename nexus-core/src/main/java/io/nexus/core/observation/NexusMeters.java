package io.nexus.core.observation;

import org.jspecify.annotations.Nullable;
import io.micrometer.core.instrument.Meter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every meter Nexus and its modules record, declared once with its type, description, base unit and
 * tags: the registries show the description and unit, docs/observability.md lists them, and the operator
 * dashboards and alert rules (docs/ops/) query them. Meters are recorded only when the application gives
 * a {@link io.micrometer.core.instrument.MeterRegistry}. Prometheus names follow Micrometer's conversion:
 * dots become underscores, timers get {@code _seconds}, counters {@code _total}.
 */
public final class NexusMeters {

    /** One declared meter. */
    public record MeterDoc(String name, Meter.Type type, String description, @Nullable String baseUnit, List<String> tags, String module) {
    }

    // ---- write side (nexus-core)
    public static final String COMMAND = "nexus.command";
    public static final String COMMAND_RETRIES = "nexus.command.retries";
    public static final String AGGREGATE_LOAD = "nexus.aggregate.load";
    public static final String AGGREGATE_LOAD_EVENTS = "nexus.aggregate.load.events";
    public static final String APPEND = "nexus.append";
    public static final String APPEND_BATCH_SIZE = "nexus.append.batch.size";
    public static final String SNAPSHOT_SAVE = "nexus.snapshot.save";
    public static final String SNAPSHOT_FAILURES = "nexus.snapshot.failures";
    // ---- following the log, router, bus (nexus-core)
    public static final String TRACKER_RETRIES = "nexus.tracker.retries";
    public static final String TRACKER_LEASE_HELD = "nexus.tracker.lease.held";
    public static final String ROUTER_RETRIES = "nexus.router.retries";
    public static final String ROUTER_BATCH_SIZE = "nexus.router.batch.size";
    public static final String ROUTER_LAG = "nexus.router.lag";
    public static final String ROUTER_LAG_EVENTS = "nexus.router.lag.events";
    public static final String BUS_CONSUMER_EVENTS = "nexus.bus.consumer.events";
    public static final String BUS_CONSUMER_RETRIES = "nexus.bus.consumer.retries";
    public static final String BUS_CONSUMER_DEADLETTERS = "nexus.bus.consumer.deadletters";
    public static final String BUS_CONSUMER_PARKED = "nexus.bus.consumer.parked";
    public static final String BUS_CONSUMER_HANDLING = "nexus.bus.consumer.handling";
    public static final String BUS_CONSUMER_LAG_SECONDS = "nexus.bus.consumer.lag.seconds";
    public static final String BUS_CONSUMER_LAG_EVENTS = "nexus.bus.consumer.lag.events";
    public static final String BUS_CONSUMER_DEADLETTERS_WAITING = "nexus.bus.consumer.deadletters.waiting";
    // ---- projections and read models (nexus-core)
    public static final String PROJECTION_EVENTS = "nexus.projection.events";
    public static final String PROJECTION_DEADLETTERS = "nexus.projection.deadletters";
    public static final String PROJECTION_GAPS = "nexus.projection.gaps";
    public static final String PROJECTION_LAG_EVENTS = "nexus.projection.lag.events";
    public static final String PROJECTION_LAG_SECONDS = "nexus.projection.lag.seconds";
    public static final String PROJECTION_DEADLETTERS_WAITING = "nexus.projection.deadletters.waiting";
    public static final String READMODEL_QUERY = "nexus.readmodel.query";
    public static final String CACHE_HIT_RATIO = "nexus.cache.hit.ratio";
    // ---- sagas (nexus-saga)
    public static final String SAGA_EVENTS = "nexus.saga.events";
    public static final String SAGA_COMMANDS = "nexus.saga.commands";
    public static final String SAGA_COMPENSATIONS = "nexus.saga.compensations";
    public static final String SAGA_INSTANCES = "nexus.saga.instances";
    // ---- Kinesis bus (nexus-kinesis)
    public static final String KINESIS_PUBLISH_BATCH_SIZE = "nexus.kinesis.publish.batch.size";
    public static final String KINESIS_PUBLISH_RECORDS = "nexus.kinesis.publish.records";
    public static final String KINESIS_PUBLISH_RETRIES = "nexus.kinesis.publish.retries";
    public static final String KINESIS_CONSUME_MILLIS_BEHIND = "nexus.kinesis.consume.millis.behind";
    public static final String KINESIS_CONSUME_BATCH_SIZE = "nexus.kinesis.consume.batch.size";
    public static final String KINESIS_CONSUME_RECORDS = "nexus.kinesis.consume.records";
    public static final String KINESIS_CONSUME_UNDECODABLE = "nexus.kinesis.consume.undecodable";

    private static final Map<String, MeterDoc> ALL = new LinkedHashMap<>();

    static {
        String core = "nexus-core";
        timer(COMMAND, "Commands handled, from routing to result", core, "command", "outcome");
        counter(COMMAND_RETRIES, "Concurrency conflicts retried by the command bus", core, "command");
        timer(AGGREGATE_LOAD, "Loading an aggregate: snapshot, events, replay", core, "aggregate");
        summary(AGGREGATE_LOAD_EVENTS, "Events replayed per aggregate load", "events", core, "aggregate");
        timer(APPEND, "Appending a command's events to the event store", core, "aggregate");
        summary(APPEND_BATCH_SIZE, "Events per append", "events", core, "aggregate");
        timer(SNAPSHOT_SAVE, "Writing a snapshot in the background", core, "aggregate");
        counter(SNAPSHOT_FAILURES, "Snapshots not read, restored, captured, scheduled or written (the aggregate loads from events)",
                core, "aggregate", "stage");
        counter(TRACKER_RETRIES, "Failed reads, handlings or checkpoints a log tracker retried", core, "consumer", "step");
        gauge(TRACKER_LEASE_HELD, "Whether this process holds the lease of an exclusive consumer (1) or stands by for it (0)",
                null, core, "consumer");
        counter(ROUTER_RETRIES, "Failed publishes the router retried", core, "router", "step");
        summary(ROUTER_BATCH_SIZE, "Events per published batch", "events", core, "router");
        summary(ROUTER_LAG, "Events stored but not yet published, after each published batch", "events", core, "router");
        gauge(ROUTER_LAG_EVENTS, "Events stored but not yet published to the bus", "events", core, "router");
        counter(BUS_CONSUMER_EVENTS, "Events a bus consumer group handled", core, "group", "path");
        counter(BUS_CONSUMER_RETRIES, "Failed handlings a bus consumer group retried", core, "group", "path");
        counter(BUS_CONSUMER_DEADLETTERS, "Events a bus consumer group gave up on (dead letters)", core, "group", "path");
        counter(BUS_CONSUMER_PARKED, "Events parked behind a dead letter of their aggregate", core, "group", "path");
        timer(BUS_CONSUMER_HANDLING, "A bus consumer group handling one event (any bus)", core, "group", "outcome");
        gauge(BUS_CONSUMER_LAG_SECONDS, "Age of the last event a bus consumer group handled, when it handled it (0 before the first)",
                "seconds", core, "group");
        gauge(BUS_CONSUMER_LAG_EVENTS, "Events published to a bus consumer group's path and not yet handled by it (exact on the "
                + "embedded bus; on Kinesis the global-log positions from the oldest one waiting in a shard to the newest "
                + "published, 0 when every shard is caught up)", "events", core, "group");
        gauge(BUS_CONSUMER_DEADLETTERS_WAITING, "Dead letters of a bus consumer group waiting for retry or discard", null,
                core, "group");
        counter(PROJECTION_EVENTS, "Events a projection handled or failed to handle", core, "projection", "outcome");
        counter(PROJECTION_DEADLETTERS, "Events a projection gave up on (dead letters)", core, "projection");
        counter(PROJECTION_GAPS, "Version gaps a projection met and read back from the stream", core, "projection");
        gauge(PROJECTION_LAG_EVENTS, "Events a projection is behind the head of the log", "events", core, "projection");
        gauge(PROJECTION_LAG_SECONDS, "How long the oldest event a projection has not processed has waited (0 when caught up)",
                "seconds", core, "projection");
        gauge(PROJECTION_DEADLETTERS_WAITING, "Dead letters of a projection waiting for retry or discard", null, core, "projection");
        timer(READMODEL_QUERY, "Read-model queries through the application's stores, by store, operation (get, getAll, count) and outcome (found, absent, failed), any engine", core, "store", "operation", "outcome");
        gauge(CACHE_HIT_RATIO, "Hits over requests of a cache since it started (read models, aggregates); 1 before the first request",
                "ratio", core, "cache");
        String saga = "nexus-saga";
        counter(SAGA_EVENTS, "Saga events recorded, by type", saga, "saga", "type");
        counter(SAGA_COMMANDS, "Saga commands the command bus handled, by purpose (step or compensation)", saga, "saga", "purpose");
        counter(SAGA_COMPENSATIONS, "Saga compensation attempts, by outcome (done or failed)", saga, "saga", "outcome");
        gauge(SAGA_INSTANCES, "Saga instances this process has seen, by status (RUNNING, COMPENSATING, NEEDS_ATTENTION, ...)",
                null, saga, "saga", "status");
        String kinesis = "nexus-kinesis";
        summary(KINESIS_PUBLISH_BATCH_SIZE, "Records per PutRecords request", "records", kinesis, "stream");
        counter(KINESIS_PUBLISH_RECORDS, "Records Kinesis accepted", kinesis, "stream");
        counter(KINESIS_PUBLISH_RETRIES, "Records or requests retried, by reason", kinesis, "stream", "reason");
        summary(KINESIS_CONSUME_MILLIS_BEHIND, "How far a shard reader is behind the tip of its shard (iterator age), in milliseconds", null,
                kinesis, "stream", "group", "shard");
        summary(KINESIS_CONSUME_BATCH_SIZE, "Records per GetRecords answer", "records", kinesis, "stream", "group", "shard");
        counter(KINESIS_CONSUME_RECORDS, "Records a shard reader delivered", kinesis, "stream", "group", "shard");
        counter(KINESIS_CONSUME_UNDECODABLE, "Records a shard reader could not decode and passed over", kinesis, "stream", "group", "shard");
    }

    private NexusMeters() {
    }

    /** Every declared meter, in declaration order. */
    public static List<MeterDoc> all() {
        return List.copyOf(ALL.values());
    }

    /** The meter declared under {@code name}, if any. */
    public static Optional<MeterDoc> find(String name) {
        return Optional.ofNullable(ALL.get(name));
    }

    /**
     * The meter declared under {@code name}.
     *
     * @throws IllegalArgumentException if none is: every meter must be declared here before it is recorded
     */
    public static MeterDoc require(String name) {
        MeterDoc doc = ALL.get(name);
        if (doc == null) {
            throw new IllegalArgumentException("meter '" + name + "' is not declared in NexusMeters; declare it with its "
                    + "description and base unit before recording it");
        }
        return doc;
    }

    private static void timer(String name, String description, String module, String... tags) {
        add(new MeterDoc(name, Meter.Type.TIMER, description, "seconds", List.of(tags), module));
    }

    private static void counter(String name, String description, String module, String... tags) {
        add(new MeterDoc(name, Meter.Type.COUNTER, description, null, List.of(tags), module));
    }

    private static void summary(String name, String description, @Nullable String unit, String module, String... tags) {
        // The unit goes into the description, not the base unit: a base unit would change the summary's Prometheus
        // name (nexus_append_batch_size -> nexus_append_batch_size_events) for dashboards built before. A description
        // that names its unit itself has none.
        add(new MeterDoc(name, Meter.Type.DISTRIBUTION_SUMMARY, unit == null ? description : description + " (" + unit + ")",
                null, List.of(tags), module));
    }

    private static void gauge(String name, String description, @Nullable String unit, String module, String... tags) {
        add(new MeterDoc(name, Meter.Type.GAUGE, description, unit, List.of(tags), module));
    }

    private static void add(MeterDoc doc) {
        if (ALL.putIfAbsent(doc.name(), doc) != null) {
            throw new IllegalStateException("meter '" + doc.name() + "' is declared twice");
        }
    }
}
