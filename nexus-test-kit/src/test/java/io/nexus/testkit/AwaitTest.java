package io.nexus.testkit;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AwaitTest {

    @Test
    void returnsOnceTheConditionHoldsCheckingItAgainUntilThen() {
        AtomicInteger checks = new AtomicInteger();
        Await.until("the third check", () -> checks.incrementAndGet() == 3);
        assertEquals(3, checks.get());
    }

    @Test
    void failsWithWhatItAwaitedWhenTheBoundRunsOut() {
        AtomicInteger checks = new AtomicInteger();
        AssertionError e = assertThrows(AssertionError.class,
                () -> Await.until("the order is shipped", Duration.ofMillis(30), () -> checks.incrementAndGet() < 0));
        assertEquals("Timed out after PT0.03S waiting until the order is shipped", e.getMessage());
        assertTrue(checks.get() > 1, "checked more than once: " + checks.get());
    }

    @Test
    void aConditionThatThrowsFailsAtOnceWithItsCause() {
        IOException cause = new IOException("connection refused");
        AssertionError e = assertThrows(AssertionError.class, () -> Await.until("the engine answers", () -> {
            throw cause;
        }));
        assertEquals("Failed while waiting until the engine answers: java.io.IOException: connection refused", e.getMessage());
        assertEquals(cause, e.getCause());
    }

    @Test
    void anInterruptEndsTheWaitAndKeepsTheThreadsInterruptStatus() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Boolean> interrupted = new AtomicReference<>();
        CountDownLatch waiting = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            try {
                Await.until("never", Duration.ofMinutes(1), () -> {
                    waiting.countDown();
                    return false;
                });
            } catch (AssertionError e) {
                failure.set(e);
                interrupted.set(Thread.currentThread().isInterrupted());
            }
        });
        waiter.start();
        waiting.await();
        waiter.interrupt();
        waiter.join(10_000);
        AssertionError e = assertInstanceOf(AssertionError.class, failure.get());
        assertEquals("Interrupted while waiting until never", e.getMessage());
        assertEquals(Boolean.TRUE, interrupted.get());
    }

    @Test
    void refusesABoundThatIsNotPositive() {
        assertThrows(IllegalArgumentException.class, () -> Await.until("x", Duration.ZERO, () -> true));
    }
}
