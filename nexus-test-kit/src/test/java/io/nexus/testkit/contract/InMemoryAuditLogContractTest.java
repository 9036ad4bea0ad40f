package io.nexus.testkit.contract;

import io.nexus.core.temporal.AuditLog;
import io.nexus.core.temporal.InMemoryAuditLog;

/** The audit log contract run against the embedded {@link InMemoryAuditLog}. */
class InMemoryAuditLogContractTest extends AuditLogContract {

    @Override
    protected AuditLog createLog() {
        return new InMemoryAuditLog();
    }
}
