package ${package};

import ${package}.Commands.Deposit;
import ${package}.Commands.Withdraw;
import ${package}.Events.AccountOpened;
import ${package}.Events.Deposited;
import ${package}.Events.Withdrawn;
import io.nexus.core.command.CommandRejectedException;
import io.nexus.testkit.AggregateFixture;
import org.junit.jupiter.api.Test;

class AccountTest {

    private final AggregateFixture<Account> accounts =
            AggregateFixture.forAggregate(BankApp.ACCOUNTS, Events.TYPES, BankApp::routes);

    @Test
    void withdrawsWhatIsThere() {
        accounts.given("acc-1", new AccountOpened("ann"), new Deposited(10))
                .when(new Withdraw("acc-1", 4))
                .expectEvents(new Withdrawn(4))
                .expectState(Account::balance, 6L);
    }

    @Test
    void cannotOverdraw() {
        accounts.given("acc-1", new AccountOpened("ann"), new Deposited(10))
                .when(new Withdraw("acc-1", 11))
                .expectException(CommandRejectedException.class)
                .expectMessageContaining("holds 10");
    }

    @Test
    void refusesANegativeDeposit() {
        accounts.given("acc-1", new AccountOpened("ann"))
                .when(new Deposit("acc-1", -5))
                .expectException(CommandRejectedException.class)
                .expectVersion(1);
    }
}
