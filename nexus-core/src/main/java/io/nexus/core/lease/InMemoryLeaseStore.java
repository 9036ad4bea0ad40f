package io.nexus.core.lease;

import org.jspecify.annotations.Nullable;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded {@link LeaseStore}: a concurrent map judged on a {@link Clock}. It arbitrates between the
 * consumers of the processes that share the instance, which in practice means one process (or a test
 * running several Nexus instances side by side); leases live as long as the instance. Thread-safe.
 */
public final class InMemoryLeaseStore implements LeaseStore {

    private final Clock clock;
    private final Map<String, Term> terms = new ConcurrentHashMap<>();

    /** A store on the system clock. */
    public InMemoryLeaseStore() {
        this(Clock.systemUTC());
    }

    /** A store that judges expiry on {@code clock}. */
    public InMemoryLeaseStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Optional<Lease> tryAcquire(String name, String owner, Duration duration) {
        LeaseStore.requireText(name, "name");
        LeaseStore.requireText(owner, "owner");
        LeaseStore.requirePositive(duration);
        Term after = terms.compute(name, (n, term) -> {
            Instant now = clock.instant();
            if (term == null) {
                return new Term(owner, 1, now.plus(duration));
            }
            if (owner.equals(term.owner) && now.isBefore(term.expiresAt)) {
                return new Term(owner, term.token, now.plus(duration));
            }
            return term.heldAt(now) ? term : new Term(owner, term.token + 1, now.plus(duration));
        });
        return owner.equals(after.owner) ? Optional.of(after.lease(name)) : Optional.empty();
    }

    @Override
    public Optional<Lease> renew(Lease lease, Duration duration) {
        Objects.requireNonNull(lease, "lease");
        LeaseStore.requirePositive(duration);
        Term after = terms.computeIfPresent(lease.name(), (n, term) -> term.isHeldBy(lease)
                ? new Term(lease.owner(), term.token, clock.instant().plus(duration)) : term);
        return after != null && after.isHeldBy(lease) ? Optional.of(after.lease(lease.name())) : Optional.empty();
    }

    @Override
    public void release(Lease lease) {
        Objects.requireNonNull(lease, "lease");
        terms.computeIfPresent(lease.name(), (n, term) -> term.isHeldBy(lease) ? new Term(null, term.token, Instant.MIN) : term);
    }

    @Override
    public Optional<Lease> current(String name) {
        LeaseStore.requireText(name, "name");
        Term term = terms.get(name);
        return term != null && term.heldAt(clock.instant()) ? Optional.of(term.lease(name)) : Optional.empty();
    }

    /** One term of a name's lease; a released term keeps its token (the next one must be greater) and no owner. */
    private record Term(@Nullable String owner, long token, Instant expiresAt) {

        boolean heldAt(Instant now) {
            return owner != null && now.isBefore(expiresAt);
        }

        boolean isHeldBy(Lease lease) {
            return lease.owner().equals(owner) && lease.token() == token;
        }

        Lease lease(String name) {
            return new Lease(name, Objects.requireNonNull(owner, "owner"), token, expiresAt);
        }
    }
}
