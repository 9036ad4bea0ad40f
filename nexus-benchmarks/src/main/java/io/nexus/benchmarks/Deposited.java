package io.nexus.benchmarks;

import io.nexus.core.serialization.EventType;

/** The benchmark's only event type; with a 40-character reference its JSON is about 100 bytes. */
@EventType("Deposited")
public record Deposited(String accountId, long amount, String reference) {
}
