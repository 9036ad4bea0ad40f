package com.example.bank;

import com.example.bank.Commands.Deposit;
import com.example.bank.Commands.OpenAccount;
import com.example.bank.Commands.Withdraw;
import com.example.bank.Events.AccountOpened;
import com.example.bank.Events.Deposited;
import com.example.bank.Events.Withdrawn;
import io.nexus.core.aggregate.Aggregate;
import io.nexus.core.aggregate.EventSourcingHandler;
import io.nexus.core.command.CommandRejectedException;

/** A bank account: command methods check the rules and apply events; only the handlers change state. */
public final class Account extends Aggregate {

    private String owner;
    private long balance;

    public void open(OpenAccount command) {
        if (command.owner() == null || command.owner().isBlank()) {
            throw new CommandRejectedException("Account '" + id() + "' needs an owner; give the owner's name.");
        }
        apply(new AccountOpened(command.owner()));
    }

    public void deposit(Deposit command) {
        if (command.amount() <= 0) {
            throw new CommandRejectedException("Account '" + id() + "' accepts positive deposits, but got "
                    + command.amount() + "; deposit an amount above 0.");
        }
        apply(new Deposited(command.amount()));
    }

    public void withdraw(Withdraw command) {
        if (command.amount() <= 0) {
            throw new CommandRejectedException("Account '" + id() + "' pays out positive amounts, but got "
                    + command.amount() + "; withdraw an amount above 0.");
        }
        if (command.amount() > balance) {
            throw new CommandRejectedException("Account '" + id() + "' holds " + balance + ", cannot withdraw "
                    + command.amount() + "; deposit first or withdraw less.");
        }
        apply(new Withdrawn(command.amount()));
    }

    public String owner() {
        return owner;
    }

    public long balance() {
        return balance;
    }

    @EventSourcingHandler
    private void on(AccountOpened event) {
        owner = event.owner();
    }

    @EventSourcingHandler
    private void on(Deposited event) {
        balance += event.amount();
    }

    @EventSourcingHandler
    private void on(Withdrawn event) {
        balance -= event.amount();
    }
}
