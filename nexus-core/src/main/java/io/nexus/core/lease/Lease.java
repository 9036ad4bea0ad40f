package io.nexus.core.lease;

import java.time.Instant;
import java.util.Objects;

/**
 * A lease as a {@link LeaseStore} granted or renewed it: {@code owner} may run the consumer {@code name}
 * until {@code expiresAt}, as the store's clock counts.
 *
 * @param name      what the lease is for (a consumer name); not blank
 * @param owner     who holds it (one process, or one Nexus instance in it); not blank
 * @param token     the fencing token: greater than every token of this name granted before, so a write
 *                  that carries it can be refused once a later holder exists; the same across renewals
 *                  of one holder's term; at least 1
 * @param expiresAt when the store lets another owner take the lease unless it is renewed first
 */
public record Lease(String name, String owner, long token, Instant expiresAt) {

    public Lease {
        LeaseStore.requireText(name, "name");
        LeaseStore.requireText(owner, "owner");
        if (token < 1) {
            throw new IllegalArgumentException("lease '" + name + "': token must be at least 1, but was " + token);
        }
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
