package io.nexus.testkit.governance.bad.ctxa;

import io.nexus.core.serialization.EventType;

/** A published event type of context a. */
@EventType("InvoiceIssued")
public record InvoiceIssued(String invoiceId) {
}
