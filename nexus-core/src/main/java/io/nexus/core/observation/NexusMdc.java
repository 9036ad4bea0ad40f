package io.nexus.core.observation;

import org.jspecify.annotations.Nullable;
import io.nexus.core.command.CommandMetadata;
import io.nexus.core.event.EventEnvelope;
import org.slf4j.MDC;

/**
 * The SLF4J MDC keys Nexus sets while its code handles a command or an event, so that every log line
 * written meanwhile (by Nexus or by the application's handlers, on that thread) names what it belongs
 * to: {@code %X{nexus.correlationId}} in a logback or log4j pattern.
 *
 * <p>While a command is handled: {@link #CORRELATION_ID}, {@link #CAUSATION_ID} (when the command has a
 * cause: a saga's command names the event that triggered it), {@link #COMMAND_ID}, {@link #COMMAND_TYPE},
 * {@link #AGGREGATE_ID}. While an event is handled (bus consumer, projection, saga): {@link #CORRELATION_ID},
 * {@link #CAUSATION_ID} (the event's cause), {@link #EVENT_ID}, {@link #EVENT_TYPE}, {@link #AGGREGATE_ID}
 * (the event's stream) and {@link #CONSUMER}. A key without a value is removed for the duration. When
 * the handling ends, every key is restored to what it was before (so nested scopes, a saga's command inside
 * the handling of an event, restore their outer scope). MDC is per thread: work handed to another thread
 * does not carry it.
 */
public final class NexusMdc {

    /** The id shared by everything one request caused. */
    public static final String CORRELATION_ID = "nexus.correlationId";
    /** The id of the command or event that caused what is being handled. */
    public static final String CAUSATION_ID = "nexus.causationId";
    /** The aggregate (stream) id the command targets or the event belongs to. */
    public static final String AGGREGATE_ID = "nexus.aggregateId";
    /** The simple class name of the command being handled. */
    public static final String COMMAND_TYPE = "nexus.commandType";
    /** The id of the command being handled. */
    public static final String COMMAND_ID = "nexus.commandId";
    /** The registered type name of the event being handled. */
    public static final String EVENT_TYPE = "nexus.eventType";
    /** The id of the event being handled. */
    public static final String EVENT_ID = "nexus.eventId";
    /** Who handles the event: a consumer group, projection or saga name. */
    public static final String CONSUMER = "nexus.consumer";

    private static final String[] COMMAND_KEYS = {CORRELATION_ID, CAUSATION_ID, COMMAND_ID, COMMAND_TYPE, AGGREGATE_ID};
    private static final String[] EVENT_KEYS = {CORRELATION_ID, CAUSATION_ID, EVENT_ID, EVENT_TYPE, AGGREGATE_ID, CONSUMER};

    private NexusMdc() {
    }

    /**
     * Sets the command keys until the returned scope is closed. Use on the handling thread, in
     * try-with-resources.
     *
     * @param commandType the command's simple class name
     * @param aggregateId the targeted aggregate id, or {@code null} when not known yet
     * @param metadata    the command's metadata
     */
    public static Scope command(String commandType, @Nullable String aggregateId, CommandMetadata metadata) {
        return new Scope(COMMAND_KEYS, metadata.correlationId(), metadata.causationId(), metadata.commandId().toString(),
                commandType, aggregateId);
    }

    /** Sets the event keys for {@code consumer} handling {@code event} until the returned scope is closed. */
    public static Scope event(String consumer, EventEnvelope event) {
        return new Scope(EVENT_KEYS, event.correlationId(), event.causationId(), event.eventId().toString(),
                event.eventType(), event.streamId(), consumer);
    }

    /** Restores the keys it set to their earlier values when closed. Not thread-safe: one thread opens and closes it. */
    public static final class Scope implements AutoCloseable {
        private final String[] keys;
        private final @Nullable String[] previous;

        private Scope(String[] keys, @Nullable String... values) {
            this.keys = keys;
            this.previous = new String[keys.length];
            for (int i = 0; i < keys.length; i++) {
                previous[i] = MDC.get(keys[i]);
                put(keys[i], values[i]);
            }
        }

        @Override
        public void close() {
            for (int i = 0; i < keys.length; i++) {
                put(keys[i], previous[i]);
            }
        }

        private static void put(String key, @Nullable String value) {
            if (value == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, value);
            }
        }
    }
}
