package io.nexus.core.policy;

import org.jspecify.annotations.Nullable;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.command.CommandMetadata;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The input document of every policy decision: who wants to do what to which aggregate, with which events.
 * It is stable: fields are only ever added, and its JSON form ({@link PolicyDocuments#toJson(PolicyRequest)},
 * the {@code input} an OPA policy sees) is specified in {@code docs/governance.md}. Payload values never
 * appear in it; a policy sees each event's type, schema version, size and field names.
 *
 * @param action        what is attempted, one of {@link PolicyActions} (or an application's own); never {@code null}
 * @param principal     who acts (user id, roles, ...) as sent with the command or query; never {@code null}
 * @param tenant        the tenant acted for: the principal's {@code "tenant"} entry unless given, else the
 *                      command attribute {@code "tenant"}; {@code null} when neither names one
 * @param aggregateType the aggregate type acted on, or {@code null} for actions on no aggregate (schema changes)
 * @param aggregateId   the aggregate id, or {@code null}
 * @param events        the events to be appended, in order; empty for actions that append none. Never {@code null}
 * @param command       the command behind the request, or {@code null}
 * @param attributes    what else the action concerns (the schema {@code subject}, a {@code projection}, a
 *                      {@code deadLetterId}, ...; listed per action in {@link PolicyActions}); never {@code null}
 */
public record PolicyRequest(String action, Map<String, String> principal, @Nullable String tenant, @Nullable String aggregateType,
                            @Nullable String aggregateId, List<PolicyEvent> events, @Nullable PolicyCommand command,
                            Map<String, String> attributes) {

    /** The principal and attribute key naming the tenant. */
    public static final String TENANT = "tenant";

    public PolicyRequest {
        Objects.requireNonNull(action, "action");
        principal = principal == null ? Map.of() : Map.copyOf(principal);
        events = events == null ? List.of() : List.copyOf(events);
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        if (tenant == null) {
            tenant = principal.get(TENANT);
        }
        if (tenant == null && command != null) {
            tenant = command.attributes().get(TENANT);
        }
    }

    /**
     * The request of the first form of this document: one event (or none) given with its payload, from which
     * only the size and field names are kept.
     *
     * @param eventType the event type, or {@code null} for an action on no event
     * @param payload   the event's serialized payload, or {@code null}
     */
    public PolicyRequest(String action, @Nullable String aggregateType, @Nullable String aggregateId, @Nullable String eventType,
                         @Nullable EventPayload payload,
                         Map<String, String> principal) {
        this(action, principal, null, aggregateType, aggregateId,
                eventType == null ? List.of() : List.of(PolicyDocuments.event(eventType, 1, payload)), null, Map.of());
    }

    /** A request for {@code action} with nothing else set; fill it with the {@link Builder}'s setters. */
    public static Builder builder(String action) {
        return new Builder(action);
    }

    /** The request to append {@code events} to aggregate {@code aggregateType}/{@code aggregateId} for {@code metadata}'s command. */
    public static PolicyRequest append(String aggregateType, String aggregateId, List<NewEvent> events, CommandMetadata metadata) {
        Builder b = builder(PolicyActions.APPEND).aggregate(aggregateType, aggregateId);
        for (NewEvent event : events) {
            b.event(PolicyDocuments.event(event.eventType(), event.schemaVersion(), event.payload()));
        }
        if (metadata != null) {
            b.principal(metadata.principal()).command(new PolicyCommand(metadata.commandId().toString(),
                    metadata.correlationId(), metadata.attributes()));
        }
        return b.build();
    }

    /** The type of the first event, or {@code null} when the request has none. */
    public @Nullable String eventType() {
        return events.isEmpty() ? null : events.get(0).type();
    }

    /** Every event type of the request, in order (with repeats). */
    public List<String> eventTypes() {
        List<String> types = new ArrayList<>(events.size());
        for (PolicyEvent event : events) {
            types.add(event.type());
        }
        return types;
    }

    /** Fills a {@link PolicyRequest}. Not thread-safe. */
    public static final class Builder {
        private final String action;
        private Map<String, String> principal = Map.of();
        private @Nullable String tenant;
        private @Nullable String aggregateType;
        private @Nullable String aggregateId;
        private final List<PolicyEvent> events = new ArrayList<>();
        private @Nullable PolicyCommand command;
        private final Map<String, String> attributes = new LinkedHashMap<>();

        private Builder(String action) {
            this.action = Objects.requireNonNull(action, "action");
        }

        public Builder principal(Map<String, String> value) {
            this.principal = Objects.requireNonNull(value, "principal");
            return this;
        }

        public Builder tenant(String value) {
            this.tenant = value;
            return this;
        }

        public Builder aggregate(String type, String id) {
            this.aggregateType = type;
            this.aggregateId = id;
            return this;
        }

        public Builder event(PolicyEvent value) {
            this.events.add(Objects.requireNonNull(value, "event"));
            return this;
        }

        public Builder command(PolicyCommand value) {
            this.command = value;
            return this;
        }

        /** Adds an attribute; a {@code null} value is left out. */
        public Builder attribute(String key, Object value) {
            Objects.requireNonNull(key, "key");
            if (value != null) {
                this.attributes.put(key, value.toString());
            }
            return this;
        }

        public PolicyRequest build() {
            return new PolicyRequest(action, principal, tenant, aggregateType, aggregateId, events, command, attributes);
        }
    }
}
