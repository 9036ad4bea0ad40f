package io.nexus.examples.order.http;

import io.nexus.core.command.CommandIdReusedException;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.ExpectedVersionAheadException;
import io.nexus.core.temporal.TemporalQueryRateLimitedException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The categories of framework errors and their HTTP answers, for those a request cannot easily provoke. */
class ErrorsTest {

    @Test
    void aReusedCommandIdIs422AndAnExpectedVersionAheadOfTheStreamIs409() {
        Errors.Answer reused = Errors.of(new CommandIdReusedException(UUID.randomUUID(), "Order", "o-1", 3));
        assertEquals(422, reused.status());
        assertEquals("command_id_reused", reused.body().path("error").asText());
        Errors.Answer ahead = Errors.of(new ExpectedVersionAheadException("o-1", ExpectedVersion.exactly(7), 2));
        assertEquals(409, ahead.status());
        assertEquals("expected_version_ahead", ahead.body().path("error").asText());
        assertTrue(ahead.body().path("message").asText().contains("retrying cannot help"));
    }

    @Test
    void aRateLimitedReadSaysWhenToRetryInWholeSecondsRoundedUp() {
        Errors.Answer limited = Errors.of(new TemporalQueryRateLimitedException("client", "Order", "o-1", "version 1",
                Duration.ofMillis(1500), "Client 'client' made too many temporal queries; retry in 1.5 s."));
        assertEquals(429, limited.status());
        assertEquals(Map.of("Retry-After", "2"), limited.headers());
    }

    @Test
    void longMessagesAreCut() {
        String cut = Errors.cap("m".repeat(10_000));
        assertTrue(cut.length() <= Errors.MAX_MESSAGE + 10, "cut to " + cut.length());
    }
}
