package io.nexus.core.deadletter;

import io.nexus.core.event.EventEnvelope;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An event a consumer gave up on after its retries, kept with the cause so that an operator can fix the
 * problem and retry it, or discard it. While a dead letter exists, later events of the same aggregate
 * are parked behind it by the consumer (order per aggregate is never broken).
 *
 * @param id            the dead letter's own id
 * @param consumer      the consumer that failed (a projection name); not blank
 * @param event         the event as stored (old schema versions are upcast when it is retried)
 * @param causeType     the class name of the last failure
 * @param causeMessage  the message of the last failure; may be empty, never {@code null}
 * @param causeTrace    the stack trace of the last failure, cut at {@value #MAX_TRACE} characters
 * @param attempts      how many times the event was tried, retries from the API included
 * @param firstFailedAt when the first attempt failed
 * @param lastFailedAt  when the last attempt failed
 */
public record DeadLetter(UUID id, String consumer, EventEnvelope event, String causeType, String causeMessage,
                         String causeTrace, int attempts, Instant firstFailedAt, Instant lastFailedAt) {

    /** The longest stack trace text kept. */
    public static final int MAX_TRACE = 8_000;

    public DeadLetter {
        Objects.requireNonNull(id, "id");
        if (consumer == null || consumer.isBlank()) {
            throw new IllegalArgumentException("consumer must not be blank, but was '" + consumer + "'");
        }
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(causeType, "causeType");
        causeMessage = causeMessage == null ? "" : causeMessage;
        causeTrace = causeTrace == null ? "" : causeTrace;
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1, but was " + attempts);
        }
        Objects.requireNonNull(firstFailedAt, "firstFailedAt");
        Objects.requireNonNull(lastFailedAt, "lastFailedAt");
    }

    /** A new dead letter for {@code event} that failed {@code attempts} times, the last time with {@code cause}. */
    public static DeadLetter of(String consumer, EventEnvelope event, Throwable cause, int attempts,
                                Instant firstFailedAt, Instant lastFailedAt) {
        return new DeadLetter(UUID.randomUUID(), consumer, event, cause.getClass().getName(),
                Objects.requireNonNullElse(cause.getMessage(), ""), traceOf(cause), attempts, firstFailedAt, lastFailedAt);
    }

    /** This dead letter after one more failed attempt. */
    public DeadLetter failedAgain(Throwable cause, Instant at) {
        return new DeadLetter(id, consumer, event, cause.getClass().getName(), Objects.requireNonNullElse(cause.getMessage(), ""), traceOf(cause),
                attempts + 1, firstFailedAt, at);
    }

    /** This dead letter owned by another consumer (a rebuilt projection taking over). */
    public DeadLetter withConsumer(String newConsumer) {
        return new DeadLetter(id, newConsumer, event, causeType, causeMessage, causeTrace, attempts, firstFailedAt,
                lastFailedAt);
    }

    private static String traceOf(Throwable cause) {
        StringWriter out = new StringWriter();
        cause.printStackTrace(new PrintWriter(out));
        String trace = out.toString();
        return trace.length() <= MAX_TRACE ? trace : trace.substring(0, MAX_TRACE);
    }
}
