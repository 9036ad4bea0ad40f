package io.nexus.core.policy;

import io.nexus.core.event.EventPayload;

import java.util.Map;
import java.util.Objects;

/**
 * What a policy decides on: who wants to do what to which aggregate.
 *
 * @param action        what is being attempted, such as {@code "append"}
 * @param aggregateType the aggregate type
 * @param aggregateId   the aggregate id
 * @param eventType     the event type being appended, or {@code null} for actions on no event
 * @param payload       the event's serialized payload, or {@code null}
 * @param principal     who acts (user id, roles, tenant, ...) as sent with the command; never {@code null}
 */
public record PolicyRequest(String action, String aggregateType, String aggregateId, String eventType,
                            EventPayload payload, Map<String, String> principal) {

    public PolicyRequest {
        Objects.requireNonNull(action, "action");
        principal = principal == null ? Map.of() : Map.copyOf(principal);
    }
}
