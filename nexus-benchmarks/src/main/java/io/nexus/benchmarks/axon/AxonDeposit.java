package io.nexus.benchmarks.axon;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** {@link io.nexus.benchmarks.Deposit} for Axon's command bus, which routes by the annotated identifier. */
public record AxonDeposit(@TargetAggregateIdentifier String accountId, long amount, String reference) {
}
