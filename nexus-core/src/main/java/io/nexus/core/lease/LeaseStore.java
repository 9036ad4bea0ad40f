package io.nexus.core.lease;

import java.time.Duration;
import java.util.Optional;

/**
 * The lease store port: which of several processes runs an exclusive consumer. A projection, the event
 * router or a saga follows the global log under one name, and one process at a time must do it (two would
 * handle every event twice and race on the checkpoint). Each process that could run the consumer asks for
 * the consumer's lease; the one that gets it runs the consumer and renews the lease well before it
 * expires; the others ask again now and then and take over when the holder released the lease or stopped
 * renewing it (it died, hung or lost the store).
 *
 * <p>Contract, for every implementation:
 * <ul>
 *   <li>At any instant of the store's clock, a name has at most one unexpired lease, whatever the number of
 *       concurrent callers: of several owners racing for a free lease, exactly one gets it.</li>
 *   <li>A lease is free when it was never taken, was {@linkplain #release released}, or expired
 *       ({@link Lease#expiresAt()} is not after the store's now). Only the holder renews or releases it:
 *       a holder is identified by owner <em>and</em> token, so a process whose lease another took can
 *       neither renew it nor release the new holder's.</li>
 *   <li>{@link Lease#token()} grows with every new term: a lease taken after a release or an expiry has a
 *       greater token than any granted before for that name, also when the same owner takes it again.
 *       Renewals keep the token.</li>
 *   <li>Every call's effect is visible to every later call once it returns (read-your-writes), across
 *       processes for a shared store.</li>
 * </ul>
 *
 * <p>Clocks. The store judges expiry on its own clock: the database server's clock where there is one,
 * otherwise the calling process's. A holder, in turn, must stop acting on its lease no later than
 * {@code duration} after it <em>sent</em> the request that took or renewed it, measured on its own monotonic
 * clock; then, while the clocks involved agree to well within the duration, its term is over before another
 * process can take the lease. A holder that stalls longer (a long pause) may still finish the work it was
 * doing after the next holder started: consumers under a lease are at-least-once, never exactly-once.
 *
 * <p>Implementations are thread-safe. Arguments are never {@code null}; names and owners are not blank and
 * durations are positive, or the call throws {@link IllegalArgumentException} and changes nothing.
 */
public interface LeaseStore {

    /**
     * Takes the lease {@code name} for {@code owner} for {@code duration} from the store's now, if it is free;
     * if {@code owner} holds it already, renews it instead (same token).
     *
     * @return the lease {@code owner} holds after the call; empty if another owner holds an unexpired one
     * @throws IllegalArgumentException     if {@code name} or {@code owner} is blank or {@code duration} not positive
     * @throws io.nexus.core.NexusException if the store cannot be reached (transient): the caller holds nothing new
     */
    Optional<Lease> tryAcquire(String name, String owner, Duration duration);

    /**
     * Extends {@code lease} to {@code duration} from the store's now, if its owner still holds it with its token
     * (also when it has expired but nobody took it since).
     *
     * @return the renewed lease; empty if the lease was released or taken by a later term: stop acting on it
     * @throws IllegalArgumentException     if {@code duration} is not positive
     * @throws io.nexus.core.NexusException if the store cannot be reached (transient): the lease is as it was
     */
    Optional<Lease> renew(Lease lease, Duration duration);

    /**
     * Gives {@code lease} up, so another owner can take it at once; does nothing if its owner no longer holds it
     * with its token.
     *
     * @throws io.nexus.core.NexusException if the store cannot be reached (transient): the lease runs out instead
     */
    void release(Lease lease);

    /**
     * The unexpired lease of {@code name}, if one is held: who runs the consumer now.
     *
     * @throws IllegalArgumentException     if {@code name} is blank
     * @throws io.nexus.core.NexusException if the store cannot be reached (transient)
     */
    Optional<Lease> current(String name);

    /**
     * Checks a name or owner argument.
     *
     * @throws IllegalArgumentException if {@code value} is {@code null} or blank
     */
    static void requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("lease " + what + " must not be blank, but was '" + value + "'");
        }
    }

    /**
     * Checks a duration argument.
     *
     * @throws IllegalArgumentException if {@code duration} is {@code null}, zero or negative
     */
    static void requirePositive(Duration duration) {
        if (duration == null || duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException("lease duration must be positive, but was " + duration);
        }
    }
}
