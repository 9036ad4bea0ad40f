package io.nexus.benchmarks;

import io.nexus.core.aggregate.Aggregate;
import io.nexus.core.aggregate.EventSourcingHandler;
import io.nexus.core.aggregate.Snapshottable;

/**
 * The benchmark aggregate: one command, one event type, a little state. Small on purpose, so the
 * benchmarks measure the framework's load/apply/append path rather than domain logic.
 */
public final class Account extends Aggregate implements Snapshottable<Account.State> {

    /** The snapshot state. */
    public record State(long balance, long deposits) {
    }

    private long balance;
    private long deposits;

    /** Records a deposit of {@code amount}. */
    public void deposit(long amount, String reference) {
        if (amount <= 0) {
            throw new IllegalArgumentException("amount must be > 0, but was " + amount);
        }
        apply(new Deposited(id(), amount, reference));
    }

    public long balance() {
        return balance;
    }

    public long deposits() {
        return deposits;
    }

    @EventSourcingHandler
    private void on(Deposited event) {
        balance += event.amount();
        deposits++;
    }

    @Override
    public State snapshotState() {
        return new State(balance, deposits);
    }

    @Override
    public void restoreSnapshotState(State state) {
        balance = state.balance();
        deposits = state.deposits();
    }
}
