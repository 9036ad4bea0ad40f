package io.nexus.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that moves only when told: {@link #advance(Duration)} and {@link #set(Instant)}. Pass it to
 * {@code Nexus.builder().clock(...)} to test timestamps, snapshot ages, backoffs and timeouts without
 * waiting. Thread-safe.
 */
public final class ControllableClock extends Clock {

    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    private ControllableClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /** A clock standing at {@code instant}, in UTC. */
    public static ControllableClock at(Instant instant) {
        return new ControllableClock(new AtomicReference<>(Objects.requireNonNull(instant, "instant")), ZoneOffset.UTC);
    }

    /** A clock standing at 2026-01-01T00:00:00Z. */
    public static ControllableClock standard() {
        return at(Instant.parse("2026-01-01T00:00:00Z"));
    }

    /** Moves the clock forward by {@code duration}; returns the new time. */
    public Instant advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration must not be negative, but was " + duration + "; use set() to go back");
        }
        return now.updateAndGet(i -> i.plus(duration));
    }

    /** Puts the clock at {@code instant}. */
    public void set(Instant instant) {
        now.set(Objects.requireNonNull(instant, "instant"));
    }

    @Override
    public Instant instant() {
        // set only through requireNonNull
        return Objects.requireNonNull(now.get());
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    /** A view in another zone that shares this clock's time. */
    @Override
    public Clock withZone(ZoneId zoneId) {
        return new ControllableClock(now, zoneId);
    }

    @Override
    public String toString() {
        return "ControllableClock[" + now.get() + "]";
    }
}
