package io.nexus.benchmarks;

/** The benchmark's only command: deposit into an account, creating it on its first deposit. */
public record Deposit(String accountId, long amount, String reference) {
}
