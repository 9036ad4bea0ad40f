package ${package};

/** What a client may ask for; each names the account it targets. */
public final class Commands {

    public record OpenAccount(String accountId, String owner) { }

    public record Deposit(String accountId, long amount) { }

    public record Withdraw(String accountId, long amount) { }

    private Commands() {
    }
}
