package io.nexus.core.command;

import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What travels with a command besides its content.
 *
 * @param commandId     identifies this command; the ids of the events it produces derive from it, so
 *                      sending the same command again with the same id answers {@link CommandResult#alreadyApplied()}
 *                      instead of applying it twice, and sending a different command with it is refused
 * @param correlationId shared by everything one request caused; copied to every event (defaults to the command id)
 * @param causationId   the id of the event (or command) that caused this command, or {@code null} for a command a
 *                      client sends on its own; recorded in every event's metadata under {@link #CAUSATION_KEY}
 *                      (the events' own causation id is the command id), so the chain request → command → event →
 *                      saga → command → event can be followed back
 * @param principal     who sends the command (user id, roles, tenant); given to the policy engine, not stored
 * @param attributes    copied into the metadata of every event the command produces
 */
public record CommandMetadata(UUID commandId, String correlationId, @Nullable String causationId, Map<String, String> principal,
                              Map<String, String> attributes) {

    /**
     * The event-metadata key under which the first event of a command records the command's fingerprint
     * (a hash of its class and content), so that a different command sent with the same command id is
     * recognised and refused ({@link CommandIdReusedException}).
     */
    public static final String FINGERPRINT_KEY = "nexus.command.fingerprint";

    /** The event-metadata key under which every event of a command records the command's {@link #causationId()}. */
    public static final String CAUSATION_KEY = "nexus.command.causation";

    public CommandMetadata {
        Objects.requireNonNull(commandId, "commandId");
        correlationId = correlationId == null ? commandId.toString() : correlationId;
        principal = principal == null ? Map.of() : Map.copyOf(principal);
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /** Metadata without a causation id (a command a client sends on its own). */
    public CommandMetadata(UUID commandId, @Nullable String correlationId, @Nullable Map<String, String> principal,
                           @Nullable Map<String, String> attributes) {
        this(commandId, correlationId == null ? Objects.requireNonNull(commandId, "commandId").toString() : correlationId, null,
                principal == null ? Map.of() : principal, attributes == null ? Map.of() : attributes);
    }

    /** Fresh metadata: a new unique command id ({@link io.nexus.core.event.EventIds#next()}), nothing else. */
    public static CommandMetadata create() {
        return new CommandMetadata(io.nexus.core.event.EventIds.next(), null, Map.of(), Map.of());
    }

    /** Metadata with a caller-chosen command id, which makes re-sending the command safe. */
    public static CommandMetadata withCommandId(UUID commandId) {
        return new CommandMetadata(commandId, null, Map.of(), Map.of());
    }

    public CommandMetadata correlationId(String value) {
        return new CommandMetadata(commandId, value, causationId, principal, attributes);
    }

    /** The same metadata with {@code value} as the causation id ({@code null} for none). */
    public CommandMetadata causationId(String value) {
        return new CommandMetadata(commandId, correlationId, value, principal, attributes);
    }

    /**
     * The same metadata for a command caused by {@code event} (a saga's or process manager's command): the
     * event's correlation id (its id when it has none) and the event's id as the causation id.
     */
    public CommandMetadata causedBy(io.nexus.core.event.EventEnvelope event) {
        String correlation = event.correlationId() != null ? event.correlationId() : event.eventId().toString();
        return new CommandMetadata(commandId, correlation, event.eventId().toString(), principal, attributes);
    }

    public CommandMetadata principal(Map<String, String> value) {
        return new CommandMetadata(commandId, correlationId, causationId, value, attributes);
    }

    public CommandMetadata attributes(Map<String, String> value) {
        return new CommandMetadata(commandId, correlationId, causationId, principal, value);
    }

    /**
     * The id of the {@code index}-th event (0-based) this command produces for {@code streamId}: stable across
     * re-sends, derived from the command id by {@link io.nexus.core.event.EventIds#derived}.
     */
    public UUID eventId(String streamId, int index) {
        return io.nexus.core.event.EventIds.derived(commandId, streamId, index);
    }
}
