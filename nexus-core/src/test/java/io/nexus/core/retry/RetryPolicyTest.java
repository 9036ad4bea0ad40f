package io.nexus.core.retry;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetryPolicyTest {

    private static final RetryPolicy FOUR = RetryPolicy.custom().maxAttempts(4).initialDelay(Duration.ofMillis(10))
            .multiplier(2.0).maxDelay(Duration.ofMillis(50)).jitter(0.0).build();

    @Test
    void executeRetriesUntilTheActionSucceedsWaitingTheBackoffBetweenAttempts() throws Exception {
        List<Duration> waits = new ArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        String result = FOUR.execute(() -> {
            if (calls.incrementAndGet() < 4) {
                throw new IllegalStateException("busy");
            }
            return "done";
        }, e -> true, waits::add, new SplittableRandom(1));
        assertEquals("done", result);
        assertEquals(List.of(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(40)), waits);
    }

    @Test
    void executeGivesUpAfterTheLastAttemptWithTheLastFailureAndTheFirstAttached() {
        List<Duration> waits = new ArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        IllegalStateException last = assertThrows(IllegalStateException.class, () -> FOUR.execute(() -> {
            throw new IllegalStateException("attempt " + calls.incrementAndGet());
        }, e -> true, waits::add, new SplittableRandom(1)));
        assertEquals("attempt 4", last.getMessage());
        assertEquals("attempt 1", last.getSuppressed()[0].getMessage());
        assertEquals(3, waits.size());
    }

    @Test
    void executeDoesNotRetryWhatTheCallerCallsPermanent() {
        IllegalArgumentException permanent = new IllegalArgumentException("bad input");
        AtomicInteger calls = new AtomicInteger();
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> FOUR.execute(() -> {
            calls.incrementAndGet();
            throw permanent;
        }, e -> !(e instanceof IllegalArgumentException), d -> { }, new SplittableRandom(1)));
        assertSame(permanent, thrown);
        assertEquals(1, calls.get());
    }

    @Test
    void anInterruptedWaitStopsRetryingAndKeepsTheInterruptFlag() {
        assertThrows(InterruptedException.class, () -> FOUR.execute(() -> {
            throw new IllegalStateException("busy");
        }, e -> true, d -> {
            throw new InterruptedException("closing");
        }, new SplittableRandom(1)));
        assertTrue(Thread.interrupted(), "the flag is set again (and cleared here)");
    }

    @Test
    void attemptsRetriesWithoutWaiting() throws Exception {
        List<Duration> waits = new ArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        String result = RetryPolicy.attempts(3).execute(() -> {
            if (calls.incrementAndGet() < 3) {
                throw new IllegalStateException("busy");
            }
            return "done";
        }, e -> true, waits::add, new SplittableRandom(1));
        assertEquals("done", result);
        assertEquals(List.of(Duration.ZERO, Duration.ZERO), waits);
    }

    @Test
    void aBackoffCountsFailuresAndClampsTheExponentForAnyAttemptNumber() {
        RetryPolicy.Backoff backoff = FOUR.backoff(new SplittableRandom(1));
        assertEquals(Duration.ofMillis(10), backoff.failed());
        assertTrue(backoff.canRetry());
        backoff.failed();
        backoff.failed();
        assertEquals(Duration.ofMillis(50), backoff.failed(), "capped at maxDelay");
        assertEquals(4, backoff.failures());
        assertTrue(!backoff.canRetry(), "4 attempts used");
        for (int i = 0; i < 10_000; i++) {
            assertEquals(Duration.ofMillis(50), backoff.failed(), "no overflow however long it fails");
        }
        backoff.succeeded();
        assertEquals(0, backoff.failures());
        assertEquals(Duration.ofMillis(50), FOUR.delayAfter(Integer.MAX_VALUE, new SplittableRandom(1)));
        RetryPolicy zero = RetryPolicy.custom().initialDelay(Duration.ZERO).maxDelay(Duration.ZERO).build();
        assertEquals(Duration.ZERO, zero.delayAfter(5_000, new SplittableRandom(1)), "no NaN from 0 x infinity");
    }
}
