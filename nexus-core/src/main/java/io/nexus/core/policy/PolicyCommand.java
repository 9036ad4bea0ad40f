package io.nexus.core.policy;

import java.util.Map;
import java.util.Objects;

/**
 * What a policy learns about the command behind a request (absent for requests no command caused). Part of
 * the stable input document.
 *
 * @param commandId     the command's id; never {@code null}
 * @param correlationId the correlation id; never {@code null}
 * @param attributes    the command's attributes, copied into its events' metadata; never {@code null}
 */
public record PolicyCommand(String commandId, String correlationId, Map<String, String> attributes) {

    public PolicyCommand {
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(correlationId, "correlationId");
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }
}
