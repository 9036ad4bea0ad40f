package io.nexus.testkit.contract;

import io.nexus.core.lease.Lease;
import io.nexus.core.lease.LeaseStore;
import io.nexus.testkit.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static io.nexus.testkit.contract.ContractSupport.runConcurrently;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every {@link LeaseStore} implementation must meet, as a JUnit 5 suite.
 *
 * <p>An implementation runs it by subclassing and supplying a store per test (names are unique per test,
 * so one shared table will do):
 * <pre>{@code
 * class PostgresLeaseStoreContractTest extends LeaseStoreContract {
 *     @Override
 *     protected LeaseStore createStore() {
 *         return new PostgresLeaseStore(dataSource);
 *     }
 * }
 * }</pre>
 * Every case is inherited through the {@link Nested} groups below; none may be overridden to skip it.
 * A store that is {@link AutoCloseable} is closed after each test. Expiry is judged on the store's own
 * clock (a database server's, or the system clock), so the expiry cases wait for short leases to run out.
 *
 * <p>What it checks: {@link Terms} (taking a free lease, refusing a held one, renewing, releasing, fencing
 * tokens that grow with every term), {@link Expiry} (an expired lease is taken over, and its old holder can
 * neither renew nor release the new term), {@link Concurrency} (of owners racing for one name exactly one
 * wins) and {@link BadInput} (blank names and owners, non-positive durations refused, nothing changed).
 */
public abstract class LeaseStoreContract {

    /** Long enough never to run out during a case. */
    private static final Duration LONG = Duration.ofMinutes(5);
    /** Short enough to run out quickly, long enough to be granted. */
    private static final Duration SHORT = Duration.ofMillis(200);

    @SuppressWarnings("NullAway.Init") // set before every test by createFreshStore()
    private LeaseStore store;

    /**
     * A store, called once before every test; never returns {@code null}.
     *
     * @return the store under test
     */
    protected abstract LeaseStore createStore();

    /**
     * The store of the running test, as {@link #createStore()} returned it.
     *
     * @return the store under test
     */
    protected final LeaseStore store() {
        return store;
    }

    /** Creates the store for the next test through {@link #createStore()}. */
    @BeforeEach
    protected final void createFreshStore() {
        store = Objects.requireNonNull(createStore(), "createStore() returned null");
    }

    /**
     * Closes the store of the finished test when it is {@link AutoCloseable}.
     *
     * @throws Exception whatever the store's {@code close()} throws
     */
    @AfterEach
    protected final void closeStore() throws Exception {
        if (store instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    /** Taking, refusing, renewing and releasing leases. */
    @Nested
    @DisplayName("terms")
    public class Terms {

        @Test
        @DisplayName("a free lease is granted to the first owner, with a token and an expiry after now; current() shows it")
        void aFreeLeaseIsGranted() {
            String name = newName();
            assertEquals(Optional.empty(), store.current(name), "current() of a lease never taken");
            Instant before = Instant.now().minusSeconds(60);
            Lease lease = acquire(name, "owner-a", LONG);
            assertEquals(name, lease.name(), "name");
            assertEquals("owner-a", lease.owner(), "owner");
            assertTrue(lease.token() >= 1, "token " + lease.token());
            assertTrue(lease.expiresAt().isAfter(before.plus(LONG)), "expiry about " + LONG + " from now: " + lease.expiresAt());
            assertEquals(Optional.of(lease), store.current(name), "current() shows the holder");
        }

        @Test
        @DisplayName("another owner is refused while the lease is held, and the holder is unchanged")
        void aHeldLeaseIsRefused() {
            String name = newName();
            Lease held = acquire(name, "owner-a", LONG);
            assertEquals(Optional.empty(), store.tryAcquire(name, "owner-b", LONG), "another owner's tryAcquire");
            assertEquals("owner-a", current(name).owner(), "holder after the refusal");
            assertEquals(held.token(), current(name).token(), "token after the refusal");
        }

        @Test
        @DisplayName("the holder's tryAcquire and renew extend its term and keep the token")
        void renewalsKeepTheToken() {
            String name = newName();
            Lease first = acquire(name, "owner-a", SHORT);
            Lease again = acquire(name, "owner-a", LONG);
            assertEquals(first.token(), again.token(), "token after tryAcquire by the holder");
            assertTrue(again.expiresAt().isAfter(first.expiresAt()), "tryAcquire by the holder moves the expiry on");
            Lease renewed = store.renew(again, LONG).orElseThrow(() -> new AssertionError("the holder's renew was refused"));
            assertEquals(first.token(), renewed.token(), "token after renew");
            assertEquals("owner-a", renewed.owner(), "owner after renew");
            assertFalse(renewed.expiresAt().isBefore(again.expiresAt()), "renew never moves the expiry back");
            assertEquals(Optional.empty(), store.tryAcquire(name, "owner-b", LONG), "another owner after the renewals");
        }

        @Test
        @DisplayName("a released lease is free at once; the next term has a greater token")
        void releaseFreesTheLease() {
            String name = newName();
            Lease first = acquire(name, "owner-a", LONG);
            store.release(first);
            assertEquals(Optional.empty(), store.current(name), "current() after the release");
            Lease second = acquire(name, "owner-b", LONG);
            assertTrue(second.token() > first.token(), "token of the next term " + second.token() + " > " + first.token());
            assertEquals(Optional.empty(), store.renew(first, LONG), "the released term's renew");
            store.release(first);
            assertEquals("owner-b", current(name).owner(), "a stale release leaves the new term alone");
            store.release(second);
            Lease third = acquire(name, "owner-a", LONG);
            assertTrue(third.token() > second.token(), "the same owner taking it again starts a new term: " + third.token()
                    + " > " + second.token());
        }

        @Test
        @DisplayName("leases of different names are independent, also when one name is a prefix of another")
        void namesAreIndependent() {
            String name = newName();
            Lease a = acquire(name, "owner-a", LONG);
            Lease b = acquire(name + "-x", "owner-b", LONG);
            Lease c = acquire(name + "x", "owner-c", LONG);
            assertEquals("owner-a", current(name).owner(), "holder of " + name);
            assertEquals("owner-b", current(name + "-x").owner(), "holder of " + name + "-x");
            store.release(b);
            assertEquals(Optional.of(a), store.current(name), "releasing another name leaves this one");
            assertEquals(Optional.of(c), store.current(name + "x"), "releasing another name leaves this one");
        }

        @Test
        @DisplayName("renew and release of a name never leased are refused or ignored, and take nothing")
        void renewOfAnUnknownLeaseIsRefused() {
            String name = newName();
            Lease unknown = new Lease(name, "owner-a", 7, Instant.now().plus(LONG));
            assertEquals(Optional.empty(), store.renew(unknown, LONG), "renew of a lease never granted");
            store.release(unknown);
            assertEquals(Optional.empty(), store.current(name), "current() after the renew and release");
            acquire(name, "owner-b", LONG);
        }
    }

    /** What happens when a holder stops renewing. */
    @Nested
    @DisplayName("expiry")
    public class Expiry {

        @Test
        @DisplayName("an expired lease is taken by another owner with a greater token; the old holder can neither renew nor release it")
        void anExpiredLeaseIsTakenOver() {
            String name = newName();
            Lease old = acquire(name, "owner-a", SHORT);
            Lease taken = takeWhenFree(name, "owner-b");
            assertTrue(taken.token() > old.token(), "token of the new term " + taken.token() + " > " + old.token());
            assertEquals(Optional.empty(), store.renew(old, LONG), "the old holder's renew");
            assertEquals(Optional.empty(), store.tryAcquire(name, "owner-a", LONG), "the old holder's tryAcquire");
            store.release(old);
            assertEquals(Optional.of(taken), store.current(name), "the old holder's release leaves the new term");
        }

        @Test
        @DisplayName("an expired lease nobody took can still be renewed by its holder, keeping its token")
        void anExpiredLeaseNobodyTookCanBeRenewed() {
            String name = newName();
            Lease lease = acquire(name, "owner-a", SHORT);
            Await.until("lease '" + name + "' expires", () -> store.current(name).isEmpty());
            Lease renewed = store.renew(lease, LONG).orElseThrow(() -> new AssertionError("renew after expiry, untaken, was refused"));
            assertEquals(lease.token(), renewed.token(), "token");
            assertEquals(Optional.empty(), store.tryAcquire(name, "owner-b", LONG), "another owner after the renewal");
        }
    }

    /** Owners racing for one lease. */
    @Nested
    @DisplayName("concurrency")
    public class Concurrency {

        @Test
        @DisplayName("of 8 owners racing for a free lease exactly one gets it")
        void exactlyOneWinnerOfAFreeLease() {
            String name = newName();
            List<Object> outcomes = runConcurrently(8, i -> store.tryAcquire(name, "owner-" + i, LONG));
            List<Lease> granted = outcomes.stream().map(o -> assertOptionalLease(o)).flatMap(Optional::stream).toList();
            assertEquals(1, granted.size(), "leases granted: " + granted);
            assertEquals(Optional.of(granted.get(0)), store.current(name), "current() shows the winner");
        }

        @Test
        @DisplayName("of 8 owners racing for an expired lease exactly one gets it")
        void exactlyOneWinnerOfAnExpiredLease() {
            String name = newName();
            Lease old = acquire(name, "owner-old", SHORT);
            Await.until("lease '" + name + "' expires", () -> store.current(name).isEmpty());
            List<Object> outcomes = runConcurrently(8, i -> store.tryAcquire(name, "owner-" + i, LONG));
            List<Lease> granted = outcomes.stream().map(o -> assertOptionalLease(o)).flatMap(Optional::stream).toList();
            assertEquals(1, granted.size(), "leases granted: " + granted);
            assertTrue(granted.get(0).token() > old.token(), "the winner's token is greater than the expired term's");
        }

        @SuppressWarnings("unchecked")
        private Optional<Lease> assertOptionalLease(Object outcome) {
            if (outcome instanceof Throwable t) {
                throw new AssertionError("a racing tryAcquire threw " + t, t);
            }
            return (Optional<Lease>) outcome;
        }
    }

    /** Arguments the store must refuse. */
    @Nested
    @DisplayName("bad input")
    public class BadInput {

        @Test
        @DisplayName("blank names and owners and non-positive durations are refused, and nothing is taken")
        void badArgumentsAreRefused() {
            String name = newName();
            assertThrows(IllegalArgumentException.class, () -> store.tryAcquire(" ", "owner-a", LONG), "blank name");
            assertThrows(IllegalArgumentException.class, () -> store.tryAcquire(name, "", LONG), "blank owner");
            assertThrows(IllegalArgumentException.class, () -> store.tryAcquire(name, "owner-a", Duration.ZERO), "zero duration");
            assertThrows(IllegalArgumentException.class, () -> store.tryAcquire(name, "owner-a", Duration.ofSeconds(-1)),
                    "negative duration");
            assertThrows(IllegalArgumentException.class, () -> store.current(""), "current() of a blank name");
            assertEquals(Optional.empty(), store.current(name), "nothing was taken");
            Lease lease = acquire(name, "owner-b", LONG);
            assertThrows(IllegalArgumentException.class, () -> store.renew(lease, Duration.ZERO), "renew for zero");
            assertEquals(Optional.of(lease), store.current(name), "the refused renew changed nothing");
        }
    }

    private Lease acquire(String name, String owner, Duration duration) {
        return store.tryAcquire(name, owner, duration)
                .orElseThrow(() -> new AssertionError("lease '" + name + "' was refused to '" + owner + "'; current: " + store.current(name)));
    }

    private Lease current(String name) {
        return store.current(name).orElseThrow(() -> new AssertionError("lease '" + name + "' has no holder"));
    }

    private Lease takeWhenFree(String name, String owner) {
        AtomicReference<Lease> taken = new AtomicReference<>();
        Await.until("'" + owner + "' takes the expired lease '" + name + "'", () -> {
            store.tryAcquire(name, owner, LONG).ifPresent(taken::set);
            return taken.get() != null;
        });
        return Objects.requireNonNull(taken.get(), "taken");
    }

    private static String newName() {
        return "lease-" + UUID.randomUUID();
    }
}
