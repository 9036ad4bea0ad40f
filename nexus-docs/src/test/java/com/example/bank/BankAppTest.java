package com.example.bank;

import com.example.bank.Balances.Balance;
import com.example.bank.Commands.Deposit;
import com.example.bank.Commands.OpenAccount;
import com.example.bank.Commands.Withdraw;
import com.example.bank.Events.Withdrawn;
import io.nexus.testkit.ApplicationFixture;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertTrue;

class BankAppTest {

    private final ApplicationFixture bank = ApplicationFixture.of(BankApp::assemble);

    @Test
    void aWithdrawalIsStoredAndShownInTheBalances() {
        bank.given(new OpenAccount("acc-1", "ann"), new Deposit("acc-1", 100))
            .when(new Withdraw("acc-1", 30))
            .expectEvents(new Withdrawn(30))
            .expectReadModel(Balances.NAME, Balance.class, "acc-1", new Balance("ann", 70));
    }

    @Test
    void theMainMethodRuns() {
        PrintStream console = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            BankApp.main(new String[0]);
        } finally {
            System.setOut(console);
        }
        String output = printed.toString(StandardCharsets.UTF_8);
        assertTrue(output.contains("1: AccountOpened[owner=ann]"), output);
        assertTrue(output.contains("balance 70"), output);
        assertTrue(output.contains("Balance[owner=ann, amount=70]"), output);
    }
}
