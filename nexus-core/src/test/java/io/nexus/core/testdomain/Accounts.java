package io.nexus.core.testdomain;

import io.nexus.core.Nexus;
import io.nexus.core.aggregate.AggregateDefinition;
import io.nexus.core.command.CommandRoutes;

/** Wiring of the test account aggregate. */
public final class Accounts {
    private Accounts() {
    }

    public static final AggregateDefinition<Account> DEFINITION = AggregateDefinition.of(Account.class, Account::new);

    public static void routes(CommandRoutes<Account> routes) {
        routes.create(Account.Open.class, Account.Open::accountId, Account::open)
                .update(Account.Deposit.class, Account.Deposit::accountId, Account::deposit)
                .update(Account.Withdraw.class, Account.Withdraw::accountId, Account::withdraw);
    }

    public static Nexus.Builder nexus(AggregateDefinition<Account> definition) {
        return Nexus.builder().eventTypes(Account.eventTypes()).snapshotExecutor(Runnable::run)
                .aggregate(definition, Accounts::routes);
    }

    public static Nexus.Builder nexus() {
        return nexus(DEFINITION);
    }
}
