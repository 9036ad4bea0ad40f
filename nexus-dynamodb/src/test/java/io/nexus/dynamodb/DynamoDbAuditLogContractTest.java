package io.nexus.dynamodb;

import io.nexus.core.temporal.AuditLog;
import io.nexus.testkit.contract.AuditLogContract;

/** The audit log contract against DynamoDB Local, on a fresh audit table per test. */
class DynamoDbAuditLogContractTest extends AuditLogContract {

    @Override
    protected AuditLog createLog() {
        return DynamoDbAuditLog.builder(DynamoDbLocal.client())
                .tableName(DynamoDbLocal.freshTable("audit-contract", DynamoDbTables::auditTable)).build();
    }
}
