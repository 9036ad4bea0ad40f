package com.example.bank;

import com.example.bank.Balances.Balance;
import com.example.bank.Events.AccountOpened;
import com.example.bank.Events.Deposited;
import com.example.bank.Events.Withdrawn;
import io.nexus.testkit.ProjectionFixture;
import org.junit.jupiter.api.Test;

class BalancesTest {

    private final ProjectionFixture balances =
            ProjectionFixture.forProjection(Events.TYPES, context -> new Balances(context.readModels()));

    @Test
    void aRowPerAccountWithItsBalance() {
        balances.given("acc-1", new AccountOpened("ann"), new Deposited(100), new Withdrawn(30))
                .and("acc-2", new AccountOpened("bob"))
                .expectReadModel(Balances.NAME, Balance.class, "acc-1", new Balance("ann", 70))
                .expectReadModel(Balances.NAME, Balance.class, "acc-2", new Balance("bob", 0));
    }
}
