package io.nexus.core.observation;

import io.micrometer.common.docs.KeyName;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.docs.ObservationDocumentation;
import io.nexus.core.event.EventEnvelope;

import java.util.List;

/**
 * Every observation Nexus makes (Micrometer Observation API): with a tracing handler registered
 * (Micrometer Tracing's OpenTelemetry or Brave bridge) each is a span, and with a meter handler a timer.
 * Observation names differ from the names of the meters Nexus records itself ({@link NexusMeters}), so a
 * {@code DefaultMeterObservationHandler} adds timers beside them without clashing.
 *
 * <p>How one request becomes one trace: the command's observation is a child of whatever observation is
 * current on the sending thread (an HTTP server's, a saga step's); its append observation is a sender whose
 * trace context the tracer writes into the metadata of every stored event ({@link EventTraceContext});
 * every consumer that later handles the event (bus consumer, projection, saga) opens a receiver observation
 * that continues that trace, on any thread or process; the commands a saga sends inside its handling are
 * children of it. The router's publish handles a batch of events of many traces: its context
 * ({@link EventBatchContext}) names their trace contexts so a handler can link them.
 *
 * <p>Observations are free when the application configured no {@link ObservationRegistry} (the no-op one).
 */
public enum NexusObservation implements ObservationDocumentation {

    /** One command, from routing to result; low-cardinality keys: command, aggregate type, outcome. */
    COMMAND("nexus.command.handling", KeyNames.COMMAND, KeyNames.AGGREGATE_TYPE, KeyNames.OUTCOME),
    /** Loading the aggregate a command targets (snapshot, events, replay), child of {@link #COMMAND}. */
    COMMAND_LOAD("nexus.command.load", KeyNames.AGGREGATE_TYPE),
    /** The aggregate's decision (the command handler), child of {@link #COMMAND}. */
    COMMAND_DECIDE("nexus.command.decide", KeyNames.COMMAND),
    /**
     * Validating, authorizing and appending the new events, child of {@link #COMMAND}; a sender
     * ({@link EventAppendContext}) whose trace context is written into every new event's metadata.
     */
    COMMAND_APPEND("nexus.command.append", KeyNames.AGGREGATE_TYPE),
    /** The router publishing one batch of stored events to the event bus ({@link EventBatchContext}). */
    ROUTER_PUBLISH("nexus.router.publishing", KeyNames.CONSUMER),
    /** A bus consumer group handling one event ({@link EventHandlingContext}), in the trace of the command that stored it. */
    BUS_CONSUME("nexus.bus.consuming", KeyNames.CONSUMER, KeyNames.EVENT_TYPE, KeyNames.OUTCOME),
    /** A projection applying one event ({@link EventHandlingContext}), in the trace of the command that stored it. */
    PROJECTION_HANDLE("nexus.projection.handling", KeyNames.CONSUMER, KeyNames.EVENT_TYPE, KeyNames.OUTCOME),
    /**
     * A saga handling one event (its start or a reply, {@link EventHandlingContext}), in the trace of the
     * command that stored it; the commands the saga sends meanwhile are its children. A step a timer fires is
     * observed as this too ({@code saga timer step-timeout}), continuing the instance's last recorded event.
     */
    SAGA_HANDLE("nexus.saga.handling", KeyNames.CONSUMER, KeyNames.EVENT_TYPE, KeyNames.OUTCOME),
    /**
     * A saga recording a decision: its own events and the events a step emits, appended to the instance's
     * stream. A sender ({@link EventAppendContext}) like {@link #COMMAND_APPEND}, so those events carry the
     * trace of the step (a child of {@link #SAGA_HANDLE}).
     */
    SAGA_APPEND("nexus.saga.append", KeyNames.CONSUMER),
    /**
     * The notification hub telling its subscribers (a WebSocket, a read-your-writes wait) that a projection applied
     * one event ({@link EventHandlingContext}), in the trace of the command that stored it; what the subscribers do
     * meanwhile (send to a client) is its child. Notifications the hub coalesced and sends later are not inside it.
     */
    NOTIFY("nexus.notification.dispatch", KeyNames.CONSUMER, KeyNames.EVENT_TYPE, KeyNames.OUTCOME),
    /** One call of an adapter to its remote service (DynamoDB, Kinesis, OpenSearch, PostgreSQL, a schema registry). */
    REMOTE_CALL("nexus.remote.call", KeyNames.SYSTEM, KeyNames.OPERATION, KeyNames.OUTCOME);

    private final String name;
    private final KeyName[] lowCardinality;

    NexusObservation(String name, KeyName... lowCardinality) {
        this.name = name;
        this.lowCardinality = lowCardinality;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public KeyName[] getLowCardinalityKeyNames() {
        return lowCardinality.clone();
    }

    @Override
    public KeyName[] getHighCardinalityKeyNames() {
        return switch (this) {
            case COMMAND, COMMAND_LOAD, COMMAND_APPEND, SAGA_APPEND -> new KeyName[]{KeyNames.AGGREGATE_ID, KeyNames.CORRELATION_ID};
            case BUS_CONSUME, PROJECTION_HANDLE, SAGA_HANDLE, NOTIFY -> new KeyName[]{KeyNames.AGGREGATE_ID, KeyNames.CORRELATION_ID,
                    KeyNames.EVENT_ID};
            case ROUTER_PUBLISH -> new KeyName[]{KeyNames.BATCH_SIZE};
            default -> EMPTY;
        };
    }

    /**
     * A not yet started observation of {@code consumer} handling {@code event}, continuing the trace the event
     * carries; {@link Observation#NOOP} when {@code registry} is the no-op registry.
     *
     * @param kind one of {@link #BUS_CONSUME}, {@link #PROJECTION_HANDLE}, {@link #SAGA_HANDLE}, {@link #NOTIFY}
     * @throws IllegalArgumentException if {@code kind} is not an event handling observation
     */
    public static Observation handling(NexusObservation kind, String consumer, EventEnvelope event, ObservationRegistry registry) {
        if (kind != BUS_CONSUME && kind != PROJECTION_HANDLE && kind != SAGA_HANDLE && kind != NOTIFY) {
            throw new IllegalArgumentException("kind must be BUS_CONSUME, PROJECTION_HANDLE, SAGA_HANDLE or NOTIFY, but was " + kind);
        }
        if (registry.isNoop()) {
            return Observation.NOOP;
        }
        return Observation.createNotStarted(kind.name, () -> new EventHandlingContext(consumer, event), registry)
                .contextualName(contextualName(kind.verb(), event.eventType()))
                .lowCardinalityKeyValue(KeyNames.CONSUMER.asString(), consumer)
                .lowCardinalityKeyValue(KeyNames.EVENT_TYPE.asString(), event.eventType())
                .highCardinalityKeyValue(KeyNames.AGGREGATE_ID.asString(), event.streamId())
                .highCardinalityKeyValue(KeyNames.EVENT_ID.asString(), event.eventId().toString())
                .highCardinalityKeyValue(KeyNames.CORRELATION_ID.asString(), String.valueOf(event.correlationId()));
    }

    /**
     * Runs {@code handler} as {@code consumer} handling {@code event}: observed as {@code kind} (continuing the
     * event's trace, outcome {@code handled} or {@code failed}) and with the event's {@link NexusMdc} keys set,
     * both ended and restored when it returns or throws. What it throws is rethrown unchanged.
     *
     * @param kind one of {@link #BUS_CONSUME}, {@link #PROJECTION_HANDLE}, {@link #SAGA_HANDLE}, {@link #NOTIFY}
     */
    public static <X extends Throwable> void observe(NexusObservation kind, String consumer, EventEnvelope event,
                                                     ObservationRegistry registry, Handler<X> handler) throws X {
        try (NexusMdc.Scope ignored = NexusMdc.event(consumer, event)) {
            Observation observation = handling(kind, consumer, event, registry);
            if (observation.isNoop()) {
                handler.handle();
                return;
            }
            observation.start();
            String outcome = "failed";
            try (Observation.Scope scope = observation.openScope()) {
                handler.handle();
                outcome = "handled";
            } catch (Throwable e) {
                observation.error(e);
                throw e;
            } finally {
                observation.lowCardinalityKeyValue(KeyNames.OUTCOME.asString(), outcome).stop();
            }
        }
    }

    /** The work {@link #observe} runs. */
    @FunctionalInterface
    public interface Handler<X extends Throwable> {
        void handle() throws X;
    }

    /**
     * A not yet started observation of a batch of {@code events} handled as one unit by {@code consumer}
     * (the router's publish), carrying the events' trace contexts for span links.
     */
    public static Observation batch(NexusObservation kind, String consumer, List<EventEnvelope> events, ObservationRegistry registry) {
        if (registry.isNoop()) {
            return Observation.NOOP;
        }
        return Observation.createNotStarted(kind.name, () -> new EventBatchContext(consumer, events), registry)
                .contextualName(kind.verb() + " events")
                .lowCardinalityKeyValue(KeyNames.CONSUMER.asString(), consumer)
                .highCardinalityKeyValue(KeyNames.BATCH_SIZE.asString(), Integer.toString(events.size()));
    }

    /**
     * A not yet started observation of one remote call of an adapter: {@code system} ({@code "dynamodb"},
     * {@code "kinesis"}, {@code "opensearch"}) and {@code operation} ({@code "PutItem"}, {@code "search"}).
     */
    public static Observation remoteCall(String system, String operation, ObservationRegistry registry) {
        if (registry.isNoop()) {
            return Observation.NOOP;
        }
        return Observation.createNotStarted(REMOTE_CALL.name, () -> remoteCallContext(system, operation), registry);
    }

    /**
     * As {@link #remoteCall}, but observed only as a child of the observation current on the calling thread (a
     * command's append, a consumer's handling, an HTTP request's span): with none current it is
     * {@link Observation#NOOP}, so an adapter's background work (a tracker's or the router's poll of the log,
     * change capture, a consumer reading its shard, a scheduler looking for due timers) never starts a trace of
     * its own, while the same call made for a traced request is that request's span. The adapters whose engines
     * are polled in the background observe their calls this way (PostgreSQL, and the AWS SDK clients through
     * {@code AwsObservations}). The registry's {@link io.micrometer.observation.ObservationPredicate predicates}
     * still see every call, parent or not (the context carries the system and operation keys and its parent), so
     * an application can count or select them.
     *
     * @param system    the remote system ({@code "postgresql"}, {@code "dynamodb"}); not {@code null}
     * @param operation the operation ({@code "append"}, {@code "PutItem"}); not {@code null}
     * @param registry  where to observe; not {@code null}
     * @return a not yet started observation, or {@link Observation#NOOP} when no observation is current, the registry
     *         is the no-op one or a predicate declined it
     */
    public static Observation remoteCallInTrace(String system, String operation, ObservationRegistry registry) {
        if (registry.isNoop()) {
            return Observation.NOOP;
        }
        // Created (so the predicates see it, its parent set) but never started when it has no parent: no handler hears of it.
        Observation observation = Observation.createNotStarted(REMOTE_CALL.name, () -> remoteCallContext(system, operation), registry);
        return observation.isNoop() || observation.getContext().getParentObservation() == null ? Observation.NOOP : observation;
    }

    private static Observation.Context remoteCallContext(String system, String operation) {
        Observation.Context context = new Observation.Context();
        context.setContextualName(contextualName(system, operation));
        context.addLowCardinalityKeyValue(KeyValue.of(KeyNames.SYSTEM.asString(), system));
        context.addLowCardinalityKeyValue(KeyValue.of(KeyNames.OPERATION.asString(), operation));
        return context;
    }

    /**
     * The span name of {@code verb} on {@code subject}, with the subject in lower-hyphen form
     * ({@code "command place-order"}), which tracers keep as it is.
     */
    public static String contextualName(String verb, String subject) {
        StringBuilder sb = new StringBuilder(verb.length() + subject.length() + 4).append(verb).append(' ');
        for (int i = 0; i < subject.length(); i++) {
            char c = subject.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0 && sb.charAt(sb.length() - 1) != '.' && sb.charAt(sb.length() - 1) != '-') {
                    sb.append('-');
                }
                sb.append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private String verb() {
        return switch (this) {
            case BUS_CONSUME -> "consume";
            case PROJECTION_HANDLE -> "project";
            case SAGA_HANDLE -> "saga";
            case ROUTER_PUBLISH -> "publish";
            case NOTIFY -> "notify";
            default -> name;
        };
    }

    /** The keys of Nexus's observations. */
    public enum KeyNames implements KeyName {
        /** The command's simple class name. */
        COMMAND("nexus.command"),
        /** The aggregate type's name. */
        AGGREGATE_TYPE("nexus.aggregate.type"),
        /** How it ended: success, duplicate, rejected, conflict, failed (commands); handled, failed (events). */
        OUTCOME("nexus.outcome"),
        /** The consumer group, projection, saga or router. */
        CONSUMER("nexus.consumer"),
        /** The registered event type name. */
        EVENT_TYPE("nexus.event.type"),
        /** The remote system an adapter calls. */
        SYSTEM("nexus.remote.system"),
        /** The remote operation. */
        OPERATION("nexus.remote.operation"),
        /** The aggregate (stream) id (high cardinality). */
        AGGREGATE_ID("nexus.aggregate.id"),
        /** The correlation id (high cardinality). */
        CORRELATION_ID("nexus.correlation.id"),
        /** The event id (high cardinality). */
        EVENT_ID("nexus.event.id"),
        /** Events in the batch (high cardinality). */
        BATCH_SIZE("nexus.batch.size");

        private final String key;

        KeyNames(String key) {
            this.key = key;
        }

        @Override
        public String asString() {
            return key;
        }
    }
}
