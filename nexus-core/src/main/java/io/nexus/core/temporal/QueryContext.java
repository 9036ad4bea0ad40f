package io.nexus.core.temporal;

import java.util.Map;
import java.util.Objects;

/**
 * Who asks a temporal query.
 *
 * @param clientId  the client the rate limit counts against; not blank
 * @param principal who acts (user id, roles, tenant), given to the policy engine and the audit record
 */
public record QueryContext(String clientId, Map<String, String> principal) {

    public QueryContext {
        if (clientId == null || clientId.isBlank()) {
            throw new IllegalArgumentException("clientId must not be blank, but was '" + clientId + "'");
        }
        principal = principal == null ? Map.of() : Map.copyOf(principal);
    }

    public static QueryContext of(String clientId, Map<String, String> principal) {
        return new QueryContext(Objects.requireNonNull(clientId, "clientId"), principal);
    }
}
