package io.nexus.postgresql;

import io.nexus.testkit.contract.AuditLogContract;
import io.nexus.core.temporal.AuditLog;

/** The audit log contract against a real PostgreSQL, on a fresh schema per test. */
class PostgresAuditLogContractTest extends AuditLogContract {

    @Override
    protected AuditLog createLog() {
        return PostgresAuditLog.builder(EmbeddedPostgresServer.dataSource())
                .schema(EmbeddedPostgresServer.freshSchema("audit"))
                .build();
    }
}
