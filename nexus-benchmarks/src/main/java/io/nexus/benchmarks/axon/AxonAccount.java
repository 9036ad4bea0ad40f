package io.nexus.benchmarks.axon;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import io.nexus.benchmarks.Deposited;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CreationPolicy;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

/**
 * The Axon Framework 4 twin of {@link io.nexus.benchmarks.Account}: the same command, the same
 * {@link Deposited} event (so the stored payload has the same JSON shape), the same state. Axon's snapshots
 * serialize the aggregate object itself, so its fields are visible to Jackson.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public class AxonAccount {

    @AggregateIdentifier
    private String id;
    private long balance;
    private long deposits;

    /** Axon creates aggregates (new ones and while sourcing) through the no-argument constructor. */
    public AxonAccount() {
    }

    /** Deposits into the account, creating it on its first deposit, like Nexus's {@code createOrUpdate} route. */
    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    public void handle(AxonDeposit command) {
        deposit(command.accountId(), command.amount(), command.reference());
    }

    /** Records a deposit of {@code amount}; {@code accountId} names a new account. */
    public void deposit(String accountId, long amount, String reference) {
        if (amount <= 0) {
            throw new IllegalArgumentException("amount must be > 0, but was " + amount);
        }
        apply(new Deposited(accountId, amount, reference));
    }

    @EventSourcingHandler
    void on(Deposited event) {
        id = event.accountId();
        balance += event.amount();
        deposits++;
    }

    public String id() {
        return id;
    }

    public long balance() {
        return balance;
    }

    public long deposits() {
        return deposits;
    }
}
