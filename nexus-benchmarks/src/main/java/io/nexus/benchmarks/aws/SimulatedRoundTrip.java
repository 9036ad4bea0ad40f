package io.nexus.benchmarks.aws;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Puts back the network round trip that a request to the service has and an in-process emulator lacks: every
 * request (each SDK retry too) is held for a fixed time before it is sent, on the calling thread, as a
 * blocking client waits for the service's answer. It also measures how long the emulator itself took to
 * answer (sent → answered) and how many requests were in flight at once, which shows whether writers
 * overlap. It models no service-side time and no partitions: the emulator still serves requests as it does.
 * Thread-safe.
 */
public final class SimulatedRoundTrip implements ExecutionInterceptor {

    private static final ExecutionAttribute<AtomicLong> SENT = new ExecutionAttribute<>("nexus.benchmark.roundTrip.sent");

    private final long delayNanos;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final LongAdder requests = new LongAdder();
    private final LongAdder emulatorNanos = new LongAdder();

    /** Holds every request for {@code delay} (zero: not at all, only measures). */
    public SimulatedRoundTrip(Duration delay) {
        this.delayNanos = delay.toNanos();
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        long until = System.nanoTime() + delayNanos;
        // parkNanos may return early; the loop holds the request for the whole round trip.
        for (long left = delayNanos; left > 0; left = until - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        requests.increment();
        attributes.putAttribute(SENT, new AtomicLong(System.nanoTime()));
    }

    @Override
    public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
        answered(attributes);
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        answered(attributes);
    }

    private void answered(ExecutionAttributes attributes) {
        AtomicLong holder = attributes.getAttribute(SENT);
        long sent = holder == null ? 0 : holder.getAndSet(0);
        if (sent != 0) {
            emulatorNanos.add(System.nanoTime() - sent);
            inFlight.decrementAndGet();
        }
    }

    /** Forgets the counts so far. */
    public void reset() {
        maxInFlight.set(inFlight.get());
        requests.reset();
        emulatorNanos.reset();
    }

    /** The most requests sent and not yet answered at one time since the last {@link #reset}. */
    public int maxInFlight() {
        return maxInFlight.get();
    }

    /** Requests sent since the last {@link #reset}. */
    public long requests() {
        return requests.sum();
    }

    /** The emulator's mean time to answer a request, in ms, queueing behind other requests included. */
    public double emulatorMillisPerRequest() {
        long n = requests.sum();
        return n == 0 ? 0 : emulatorNanos.sum() / 1e6 / n;
    }

    /** The simulated round trip, in ms. */
    public double delayMillis() {
        return delayNanos / (double) TimeUnit.MILLISECONDS.toNanos(1);
    }
}
