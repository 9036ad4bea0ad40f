package io.nexus.testkit.governance.bad.ctxb;

import io.nexus.testkit.governance.bad.ctxa.Invoice;
import io.nexus.testkit.governance.bad.ctxa.InvoiceIssued;

/** Breaks bounded-contexts-share-only-event-types: reaches into context a's Invoice (its event is fine). */
public class Reminder {
    public String remind(InvoiceIssued issued, Invoice invoice) {
        return issued.invoiceId() + invoice.id();
    }
}
