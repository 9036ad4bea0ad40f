package com.example.bank;

import com.example.bank.Commands.Deposit;
import com.example.bank.Commands.OpenAccount;
import com.example.bank.Commands.Withdraw;
import io.nexus.core.Nexus;
import io.nexus.core.aggregate.AggregateDefinition;
import io.nexus.core.command.CommandResult;
import io.nexus.core.command.CommandRoutes;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.projection.ProcessingMode;
import io.nexus.core.store.StreamQuery;

/** Assembles the bank and runs it once: in memory, nothing to install. */
public final class BankApp {

    public static final AggregateDefinition<Account> ACCOUNTS = AggregateDefinition.of(Account.class, Account::new);

    /** Which command goes to which account, and whether it creates the account or needs it to exist. */
    public static void routes(CommandRoutes<Account> routes) {
        routes.create(OpenAccount.class, OpenAccount::accountId, Account::open)
              .update(Deposit.class, Deposit::accountId, Account::deposit)
              .update(Withdraw.class, Withdraw::accountId, Account::withdraw);
    }

    /** The whole application on a builder: production, tests and the fixtures use this one method. */
    public static Nexus.Builder assemble(Nexus.Builder builder) {
        return builder
                .eventTypes(Events.TYPES)
                .aggregate(ACCOUNTS, BankApp::routes)
                .projection(context -> new Balances(context.readModels()), options -> options.mode(ProcessingMode.INLINE));
    }

    public static void main(String[] args) {
        try (Nexus nexus = assemble(Nexus.builder()).build()) {
            nexus.start();
            nexus.commands().send(new OpenAccount("acc-1", "ann"));
            nexus.commands().send(new Deposit("acc-1", 100));
            CommandResult result = nexus.commands().send(new Withdraw("acc-1", 30));
            System.out.println("acc-1 is at version " + result.version());                      // 3

            for (EventEnvelope stored : nexus.eventStore().read(StreamQuery.stream("acc-1"))) {
                System.out.println(stored.version() + ": " + nexus.codec().decode(stored));     // 1: AccountOpened[owner=ann] ...
            }
            Account account = nexus.repository(Account.class).load("acc-1");
            System.out.println("balance " + account.balance());                                 // 70
            System.out.println(nexus.readModels().store(Balances.NAME, Balances.Balance.class)
                    .get("acc-1").orElseThrow().value());                                        // Balance[owner=ann, amount=70]
        }
    }
}
