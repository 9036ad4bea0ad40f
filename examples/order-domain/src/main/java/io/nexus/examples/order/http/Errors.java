package io.nexus.examples.order.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nexus.core.NexusException;
import io.nexus.core.aggregate.AggregateAlreadyExistsException;
import io.nexus.core.aggregate.AggregateNotFoundException;
import io.nexus.core.aggregate.TemporalLimitExceededException;
import io.nexus.core.command.CommandIdReusedException;
import io.nexus.core.command.CommandRejectedException;
import io.nexus.core.command.InvalidCommandException;
import io.nexus.core.command.UnknownCommandException;
import io.nexus.core.deadletter.DeadLetterNotFoundException;
import io.nexus.core.notification.VersionWaitTimeoutException;
import io.nexus.core.policy.PolicyDeniedException;
import io.nexus.core.schema.SchemaViolationException;
import io.nexus.core.schema.Violation;
import io.nexus.core.store.ConcurrencyConflictException;
import io.nexus.core.store.ExpectedVersionAheadException;
import io.nexus.core.temporal.AuditFailedException;
import io.nexus.core.temporal.TemporalQueryRateLimitedException;
import io.nexus.core.temporal.TemporalQueryRefusedException;
import io.nexus.examples.order.domain.OrderRejectedException;
import io.nexus.examples.order.projection.ReadModelUnavailableException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps the framework's exceptions to HTTP answers, one arm per category: refused commands (409 for a
 * rule about state, 422 for a rule about values), conflicts (409), caller mistakes (400, 404, 422),
 * refused historical reads (400, 403, 404, 429 with {@code Retry-After}), policy denials (403 with the deciding
 * {@code rule} and its {@code reasons}), and unavailable engines (503).
 * Messages are capped, so no answer repeats a large input.
 */
final class Errors {

    /** The longest message an error body carries. */
    static final int MAX_MESSAGE = 600;

    private Errors() {
    }

    /** An error answer: status, body and extra headers. */
    record Answer(int status, ObjectNode body, Map<String, String> headers) {
    }

    static Answer of(int status, String code, String message) {
        return of(status, code, message, Map.of());
    }

    static Answer of(int status, String code, String message, Map<String, String> headers) {
        ObjectNode json = Requests.MAPPER.createObjectNode();
        json.put("error", code);
        json.put("message", cap(message));
        return new Answer(status, json, headers);
    }

    static Answer of(ApiException e) {
        return of(e.status(), e.error(), e.getMessage(), e.headers());
    }

    /** The answer to {@code e}, or {@code null} when it is not one the API expects (a 500). */
    static Answer of(NexusException e) {
        if (e instanceof OrderRejectedException rejected) {
            Answer answer = of(rejected.rule().aboutInput() ? 422 : 409, "rejected", e.getMessage());
            answer.body().put("rule", rejected.rule().name());
            return answer;
        }
        if (e instanceof CommandRejectedException) {
            return of(409, "rejected", e.getMessage());
        }
        if (e instanceof InvalidCommandException || e instanceof UnknownCommandException) {
            return of(400, "invalid", e.getMessage());
        }
        if (e instanceof AggregateNotFoundException) {
            return of(404, "not_found", e.getMessage());
        }
        if (e instanceof AggregateAlreadyExistsException) {
            return of(409, "already_exists", e.getMessage());
        }
        if (e instanceof ConcurrencyConflictException) {
            return of(409, "conflict", e.getMessage());
        }
        if (e instanceof CommandIdReusedException) {
            // The same idempotency key with another command: the client's mistake, retrying cannot help.
            return of(422, "command_id_reused", e.getMessage());
        }
        if (e instanceof ExpectedVersionAheadException) {
            return of(409, "expected_version_ahead", e.getMessage());
        }
        if (e instanceof SchemaViolationException violation) {
            Answer answer = of(422, "schema_violation", e.getMessage());
            ArrayNode list = answer.body().putArray("violations");
            for (Violation v : violation.violations()) {
                list.addObject().put("pointer", v.pointer()).put("message", cap(v.message()));
            }
            return answer;
        }
        if (e instanceof TemporalQueryRateLimitedException limited) {
            long seconds = Math.max(1, (limited.retryAfter().toMillis() + 999) / 1000);
            return of(429, "rate_limited", e.getMessage(), Map.of("Retry-After", Long.toString(seconds)));
        }
        if (e instanceof TemporalQueryRefusedException refused) {
            return switch (refused.reason()) {
                case NOT_FOUND -> of(404, "not_found", e.getMessage());
                default -> of(400, "out_of_range", e.getMessage());
            };
        }
        if (e instanceof TemporalLimitExceededException) {
            return of(400, "limit_exceeded", e.getMessage());
        }
        if (e instanceof PolicyDeniedException denied) {
            // The rule and its reasons tell the caller what was refused and what to do instead.
            Answer answer = of(403, "forbidden", e.getMessage());
            answer.body().put("rule", denied.rule());
            ArrayNode reasons = answer.body().putArray("reasons");
            denied.reasons().forEach(reason -> reasons.add(cap(reason)));
            return answer;
        }
        if (e instanceof DeadLetterNotFoundException) {
            return of(404, "not_found", e.getMessage());
        }
        if (e instanceof VersionWaitTimeoutException) {
            return of(504, "read_model_behind", e.getMessage());
        }
        if (e instanceof AuditFailedException || e instanceof ReadModelUnavailableException || e.isTransient()) {
            return of(503, "unavailable", e.getMessage());
        }
        return null;
    }

    static String cap(String message) {
        if (message == null) {
            return "";
        }
        return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE) + "... (cut)";
    }

    static Map<String, String> headers(String name, String value) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(name, value);
        return headers;
    }
}
