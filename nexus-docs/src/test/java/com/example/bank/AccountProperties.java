package com.example.bank;

import com.example.bank.Commands.Deposit;
import com.example.bank.Commands.OpenAccount;
import com.example.bank.Commands.Withdraw;
import io.nexus.testkit.AggregateLaws;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

class AccountProperties {

    private final AggregateLaws<Account> laws = AggregateLaws.forAggregate(BankApp.ACCOUNTS, Events.TYPES, BankApp::routes);

    @Provide
    Arbitrary<List<Object>> commands() {
        Arbitrary<Object> open = Arbitraries.just(new OpenAccount("acc-1", "ann"));
        Arbitrary<Object> deposit = Arbitraries.longs().between(-5, 100).map(n -> new Deposit("acc-1", n));
        Arbitrary<Object> withdraw = Arbitraries.longs().between(-5, 100).map(n -> new Withdraw("acc-1", n));
        return Arbitraries.oneOf(open, deposit, withdraw).list().ofMaxSize(50);
    }

    @Property
    void replayRebuildsState(@ForAll("commands") List<Object> commands) {
        laws.replayRebuildsState(commands);
    }

    @Property
    void theBalanceNeverGoesNegative(@ForAll("commands") List<Object> commands) {
        AggregateLaws.Outcome<Account> outcome = laws.run(commands);
        outcome.aggregates().values().forEach(account -> assertTrue(account.balance() >= 0, () -> account.id() + ": " + account.balance()));
    }
}
