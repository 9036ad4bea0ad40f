package io.nexus.docs;

import com.example.bank.Account;
import com.example.bank.BankApp;
import com.example.bank.Commands.Deposit;
import com.example.bank.Commands.OpenAccount;
import com.example.bank.Commands.Withdraw;
import io.nexus.core.Nexus;
import io.nexus.core.policy.PolicyDecision;
import io.nexus.core.temporal.InMemoryAuditLog;
import io.nexus.core.temporal.QueryContext;
import io.nexus.core.temporal.TemporalQueryService;
import io.nexus.testkit.ControllableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The code of docs/temporal-queries.md. */
class TemporalQueriesDocTest {

    @Test
    void anAuditorReadsAnAccountAsItWas() {
        ControllableClock clock = ControllableClock.standard();
        try (Nexus nexus = BankApp.assemble(Nexus.builder().clock(clock)).build()) {
            nexus.start();
            nexus.commands().send(new OpenAccount("acc-1", "ann"));
            nexus.commands().send(new Deposit("acc-1", 100));
            Instant afterTheDeposit = clock.instant();
            clock.advance(Duration.ofHours(1));
            nexus.commands().send(new Withdraw("acc-1", 30));

            // tag::temporal[]
            TemporalQueryService temporal = TemporalQueryService.builder(nexus.eventStore())
                    .policy(request -> "auditor".equals(request.principal().get("role"))
                            ? PolicyDecision.allow() : PolicyDecision.deny("only auditors may read history"))
                    .auditLog(new InMemoryAuditLog())
                    .clock(nexus.clock())
                    .build();

            QueryContext who = QueryContext.of("support-console", Map.of("user", "ann", "role", "auditor"));
            Account then = temporal.asOf(who, nexus.repository(Account.class), "acc-1", afterTheDeposit).aggregate();
            Account v1 = temporal.atVersion(who, nexus.repository(Account.class), "acc-1", 1).aggregate();
            // end::temporal[]

            assertEquals(100, then.balance());
            assertEquals(0, v1.balance());
            assertEquals(70, nexus.repository(Account.class).load("acc-1").balance());
            temporal.close();
        }
    }
}
