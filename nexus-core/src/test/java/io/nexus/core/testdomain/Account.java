package io.nexus.core.testdomain;

import io.nexus.core.aggregate.Aggregate;
import io.nexus.core.aggregate.EventSourcingHandler;
import io.nexus.core.aggregate.Snapshottable;
import io.nexus.core.command.CommandRejectedException;
import io.nexus.core.serialization.EventType;
import io.nexus.core.serialization.EventTypes;

/** A small bank account used by the core's own tests. */
public final class Account extends Aggregate implements Snapshottable<Account.State> {

    @EventType("AccountOpened")
    public record Opened(String owner) { }

    @EventType("Deposited")
    public record Deposited(long amount) { }

    @EventType("Withdrawn")
    public record Withdrawn(long amount) { }

    public record Open(String accountId, String owner) { }

    public record Deposit(String accountId, long amount) { }

    public record Withdraw(String accountId, long amount) { }

    public record State(String owner, long balance, int transactions) { }

    public static EventTypes eventTypes() {
        return EventTypes.builder().register(Opened.class).register(Deposited.class).register(Withdrawn.class).build();
    }

    private String owner;
    private long balance;
    private int transactions;

    public void open(Open command) {
        apply(new Opened(command.owner()));
    }

    public void deposit(Deposit command) {
        if (command.amount() <= 0) {
            throw new CommandRejectedException("Deposit to '" + id() + "' must be positive, but was " + command.amount());
        }
        apply(new Deposited(command.amount()));
    }

    public void withdraw(Withdraw command) {
        if (command.amount() > balance) {
            throw new CommandRejectedException("Account '" + id() + "' holds " + balance + ", cannot withdraw " + command.amount());
        }
        apply(new Withdrawn(command.amount()));
    }

    public State state() {
        return new State(owner, balance, transactions);
    }

    public long balance() {
        return balance;
    }

    @EventSourcingHandler
    private void on(Opened e) {
        owner = e.owner();
    }

    @EventSourcingHandler
    private void on(Deposited e) {
        balance += e.amount();
        transactions++;
    }

    @EventSourcingHandler
    private void on(Withdrawn e) {
        balance -= e.amount();
        transactions++;
    }

    @Override
    public State snapshotState() {
        return state();
    }

    @Override
    public void restoreSnapshotState(State state) {
        owner = state.owner();
        balance = state.balance();
        transactions = state.transactions();
    }
}
