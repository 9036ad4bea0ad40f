package io.nexus.testkit.contract;

import io.nexus.core.scheduler.ScheduledTimer;
import io.nexus.core.scheduler.Scheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;

import static io.nexus.testkit.contract.ContractSupport.runConcurrently;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The contract every {@link Scheduler} (timer store) implementation must meet, as a JUnit 5 suite.
 *
 * <p>An implementation runs it by subclassing and supplying a fresh, empty scheduler per test:
 * <pre>{@code
 * class InMemorySchedulerContractTest extends SchedulerContract {
 *     @Override
 *     protected Scheduler createScheduler() {
 *         return new InMemoryScheduler();
 *     }
 * }
 * }</pre>
 * Every case is inherited through the {@link Nested} groups below; none may be overridden to skip it.
 * {@link #createScheduler()} is called before every test (do per-test setup such as a fresh table inside
 * it); a scheduler that is {@link AutoCloseable} is closed after each test. It must be thread-safe.
 *
 * <p>What it checks: {@link Scheduling} (every field round-trips, replace by owner and id, an identical
 * timer is a no-op, cancel, owners never mix, instants from 1969 to 9999 with nanoseconds),
 * {@link Due} (due at or before now, earliest first with ties by id, {@code maxCount} takes the earliest,
 * due timers stay until cancelled, many timers), {@link Concurrency} and {@link BadInput}.
 */
public abstract class SchedulerContract {

    private static final Instant T0 = Instant.parse("2026-11-30T08:00:00.000000001Z");
    private static final Comparator<ScheduledTimer> ORDER =
            Comparator.comparing(ScheduledTimer::dueAt).thenComparing(ScheduledTimer::id);

    private Scheduler scheduler;

    /**
     * A new, empty scheduler. Called once before every test; never returns {@code null}.
     *
     * @return the scheduler under test
     */
    protected abstract Scheduler createScheduler();

    /**
     * The scheduler of the running test, as {@link #createScheduler()} returned it.
     *
     * @return the scheduler under test
     */
    protected final Scheduler scheduler() {
        return scheduler;
    }

    /** Creates the scheduler for the next test through {@link #createScheduler()}. */
    @BeforeEach
    protected final void createFreshScheduler() {
        scheduler = Objects.requireNonNull(createScheduler(), "createScheduler() returned null");
    }

    /**
     * Closes the scheduler of the finished test when it is {@link AutoCloseable}.
     *
     * @throws Exception whatever its {@code close()} throws
     */
    @AfterEach
    protected final void closeScheduler() throws Exception {
        if (scheduler instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    /** Registering, replacing and cancelling timers. */
    @Nested
    @DisplayName("scheduling")
    public class Scheduling {

        @Test
        @DisplayName("a scheduled timer is pending with every field: id, owner, due time to the nanosecond, data")
        void roundTrip() {
            String owner = newOwner();
            ScheduledTimer timer = new ScheduledTimer("payment-timeout:o-1", owner, T0.plusNanos(123_456_788),
                    "{\"sagaId\":\"o-1\",\"step\":\"pay\",\"note\":\"é\"}");
            scheduler.schedule(timer);
            assertEquals(List.of(timer), scheduler.pending(owner), "pending");
            assertEquals(List.of(), scheduler.pending(newOwner()), "pending of another owner");
        }

        @Test
        @DisplayName("scheduling the same owner and id again replaces the timer: new due time and data")
        void replaceByOwnerAndId() {
            String owner = newOwner();
            scheduler.schedule(new ScheduledTimer("t", owner, T0, "first"));
            ScheduledTimer later = new ScheduledTimer("t", owner, T0.plusSeconds(60), "second");
            scheduler.schedule(later);
            assertEquals(List.of(later), scheduler.pending(owner), "pending after replace");
            assertEquals(List.of(), scheduler.due(owner, T0.plusSeconds(1), 10), "due at the old time");
            assertEquals(List.of(later), scheduler.due(owner, T0.plusSeconds(60), 10), "due at the new time");
            ScheduledTimer earlier = new ScheduledTimer("t", owner, T0.minusSeconds(60), "third");
            scheduler.schedule(earlier);
            assertEquals(List.of(earlier), scheduler.pending(owner), "pending after moving earlier");
        }

        @Test
        @DisplayName("scheduling a timer identical to a pending one changes nothing")
        void identicalIsANoOp() {
            String owner = newOwner();
            ScheduledTimer timer = new ScheduledTimer("t", owner, T0, "data");
            scheduler.schedule(timer);
            scheduler.schedule(new ScheduledTimer("t", owner, T0, "data"));
            assertEquals(List.of(timer), scheduler.pending(owner), "pending after scheduling twice");
        }

        @Test
        @DisplayName("cancel removes one timer of one owner; unknown ids and owners are harmless")
        void cancel() {
            String owner = newOwner();
            String other = newOwner();
            ScheduledTimer a = new ScheduledTimer("a", owner, T0, "");
            ScheduledTimer b = new ScheduledTimer("b", owner, T0.plusSeconds(1), "");
            ScheduledTimer othersA = new ScheduledTimer("a", other, T0, "");
            scheduler.schedule(a);
            scheduler.schedule(b);
            scheduler.schedule(othersA);
            scheduler.cancel(owner, "a");
            scheduler.cancel(owner, "never");
            scheduler.cancel(newOwner(), "a");
            assertEquals(List.of(b), scheduler.pending(owner), "pending after cancel");
            assertEquals(List.of(othersA), scheduler.pending(other), "the other owner's timer with the same id");
            scheduler.cancel(owner, "a");
            scheduler.schedule(a);
            assertEquals(List.of(a, b), scheduler.pending(owner), "a cancelled id can be scheduled again");
        }

        @Test
        @DisplayName("owners never mix, even when one owner's name is a prefix of another's")
        void ownersNeverMix() {
            String owner = newOwner();
            ScheduledTimer mine = new ScheduledTimer("t", owner, T0, "mine");
            ScheduledTimer prefixed = new ScheduledTimer("t", owner + "#x", T0, "prefixed");
            scheduler.schedule(mine);
            scheduler.schedule(prefixed);
            assertEquals(List.of(mine), scheduler.due(owner, T0, 10), "due of the owner");
            assertEquals(List.of(prefixed), scheduler.due(owner + "#x", T0, 10), "due of the prefixed owner");
        }

        @Test
        @DisplayName("due times from 1969 to the year 9999 keep their order and nanoseconds")
        void extremeInstants() {
            String owner = newOwner();
            ScheduledTimer past = new ScheduledTimer("past", owner, Instant.parse("1969-07-20T20:17:40.5Z"), "");
            ScheduledTimer epoch = new ScheduledTimer("epoch", owner, Instant.EPOCH, "");
            ScheduledTimer far = new ScheduledTimer("far", owner, Instant.parse("9999-12-31T23:59:59.999999999Z"), "");
            ScheduledTimer farMinusOne = new ScheduledTimer("far-1", owner, Instant.parse("9999-12-31T23:59:59.999999998Z"), "");
            for (ScheduledTimer timer : List.of(far, epoch, farMinusOne, past)) {
                scheduler.schedule(timer);
            }
            assertEquals(List.of(past, epoch, farMinusOne, far), scheduler.pending(owner), "pending in time order");
            assertEquals(List.of(past, epoch), scheduler.due(owner, T0, 10), "due now");
        }
    }

    /** Which timers are due. */
    @Nested
    @DisplayName("due")
    public class Due {

        @Test
        @DisplayName("due gives the timers at or before now, earliest first, ties by id; later ones wait")
        void dueAtOrBeforeNowInOrder() {
            String owner = newOwner();
            ScheduledTimer late = new ScheduledTimer("late", owner, T0.plusNanos(1), "");
            ScheduledTimer exactlyNow = new ScheduledTimer("b-now", owner, T0, "");
            ScheduledTimer tieById = new ScheduledTimer("a-now", owner, T0, "");
            ScheduledTimer earliest = new ScheduledTimer("z-early", owner, T0.minusSeconds(30), "");
            for (ScheduledTimer timer : List.of(late, exactlyNow, earliest, tieById)) {
                scheduler.schedule(timer);
            }
            assertEquals(List.of(earliest, tieById, exactlyNow), scheduler.due(owner, T0, 100), "due at T0");
            assertEquals(List.of(earliest, tieById, exactlyNow, late), scheduler.pending(owner), "pending");
            assertEquals(List.of(), scheduler.due(owner, T0.minusSeconds(31), 100), "due before the earliest");
        }

        @Test
        @DisplayName("maxCount gives the earliest due timers; 0 gives none")
        void maxCount() {
            String owner = newOwner();
            List<ScheduledTimer> timers = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                timers.add(new ScheduledTimer("t" + i, owner, T0.plusSeconds(i), ""));
            }
            List<ScheduledTimer> shuffled = new ArrayList<>(timers);
            Collections.shuffle(shuffled, new Random(1));
            shuffled.forEach(scheduler::schedule);
            assertEquals(timers.subList(0, 2), scheduler.due(owner, T0.plusSeconds(10), 2), "due, at most 2");
            assertEquals(timers, scheduler.due(owner, T0.plusSeconds(10), 5), "due, at most 5");
            assertEquals(List.of(), scheduler.due(owner, T0.plusSeconds(10), 0), "due, at most 0");
        }

        @Test
        @DisplayName("due timers stay pending until cancelled, so a crash before handling redelivers them")
        void dueTimersStayUntilCancelled() {
            String owner = newOwner();
            ScheduledTimer timer = new ScheduledTimer("t", owner, T0, "d");
            scheduler.schedule(timer);
            assertEquals(List.of(timer), scheduler.due(owner, T0, 10), "first due");
            assertEquals(List.of(timer), scheduler.due(owner, T0.plusSeconds(5), 10), "due again before cancel");
            scheduler.cancel(owner, "t");
            assertEquals(List.of(), scheduler.due(owner, T0.plusSeconds(5), 10), "due after cancel");
            assertEquals(List.of(), scheduler.pending(owner), "pending after cancel");
        }

        @Test
        @DisplayName("of 150 timers with 1 KB data each, due with maxCount 60 gives the 60 earliest in order")
        void manyTimers() {
            String owner = newOwner();
            String data = "x".repeat(1024);
            List<ScheduledTimer> timers = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                timers.add(new ScheduledTimer(String.format("t%03d", i), owner, T0.plusMillis(i / 2), data));
            }
            List<ScheduledTimer> shuffled = new ArrayList<>(timers);
            Collections.shuffle(shuffled, new Random(2));
            shuffled.forEach(scheduler::schedule);
            timers.sort(ORDER);
            assertEquals(timers.subList(0, 60), scheduler.due(owner, T0.plusSeconds(1), 60), "the 60 earliest");
            assertEquals(timers, scheduler.pending(owner), "all 150 pending");
        }
    }

    /** Several threads at once. */
    @Nested
    @DisplayName("concurrency")
    public class Concurrency {

        @Test
        @DisplayName("concurrent schedules of different ids are all kept; of one id, exactly one stays pending")
        void concurrentSchedules() {
            String owner = newOwner();
            int threads = 8;
            runConcurrently(threads, worker -> {
                for (int i = 0; i < 5; i++) {
                    scheduler.schedule(new ScheduledTimer("own-" + worker + "-" + i, owner, T0.plusSeconds(worker), ""));
                    scheduler.schedule(new ScheduledTimer("shared", owner, T0.plusSeconds(100 + worker * 5 + i), "w" + worker));
                }
                return null;
            });
            List<ScheduledTimer> pending = scheduler.pending(owner);
            assertEquals(threads * 5 + 1, pending.size(), "pending timers: " + pending);
            assertEquals(1, pending.stream().filter(t -> t.id().equals("shared")).count(), "pending 'shared' timers");
        }
    }

    /** Input the port refuses. */
    @Nested
    @DisplayName("bad input")
    public class BadInput {

        // the contract is that the port refuses null: passed on purpose
        @SuppressWarnings("NullAway")
        @Test
        @DisplayName("a null timer or a negative maxCount is refused and changes nothing")
        void refused() {
            String owner = newOwner();
            ScheduledTimer timer = new ScheduledTimer("t", owner, T0, "");
            scheduler.schedule(timer);
            assertThrows(NullPointerException.class, () -> scheduler.schedule(null), "schedule(null)");
            assertThrows(IllegalArgumentException.class, () -> scheduler.due(owner, T0, -1), "negative maxCount");
            assertThrows(NullPointerException.class, () -> scheduler.due(owner, null, 1), "due at null");
            assertEquals(List.of(timer), scheduler.pending(owner), "pending after refused calls");
        }
    }

    private static String newOwner() {
        return "saga-" + UUID.randomUUID();
    }
}
