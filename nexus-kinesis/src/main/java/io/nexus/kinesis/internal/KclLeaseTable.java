package io.nexus.kinesis.internal;

import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.kinesis.leases.dynamodb.DynamoDBLeaseSerializer;

import java.util.concurrent.CompletionException;

/**
 * A KCL 3 lease table as the KCL itself lays it out: the lease key, and the index from lease owner to lease key
 * that KCL 3 reads each process's leases through. Kept apart from {@code LeasedConsumerGroups} so that the KCL's
 * classes load only when a table is created.
 */
public final class KclLeaseTable {

    /** The index the KCL 3 adds to a lease table it creates itself. */
    public static final String OWNER_INDEX = "LeaseOwnerToLeaseKeyIndex";

    private KclLeaseTable() {
    }

    /**
     * Creates {@code table} with its owner index unless it exists, and waits until it is active.
     *
     * @return whether this call created it
     */
    public static boolean createIfMissing(DynamoDbAsyncClient dynamoDb, String table) {
        DynamoDBLeaseSerializer serializer = new DynamoDBLeaseSerializer();
        boolean created;
        try {
            dynamoDb.createTable(r -> r.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                    .keySchema(serializer.getKeySchema())
                    .attributeDefinitions(serializer.getWorkerIdToLeaseKeyIndexAttributeDefinitions())
                    .globalSecondaryIndexes(g -> g.indexName(OWNER_INDEX)
                            .keySchema(serializer.getWorkerIdToLeaseKeyIndexKeySchema())
                            .projection(p -> p.projectionType(ProjectionType.KEYS_ONLY)))).join();
            created = true;
        } catch (CompletionException e) {
            if (!(e.getCause() instanceof ResourceInUseException)) {
                throw e;
            }
            // Another process (or the KCL) created it first: the same table either way.
            created = false;
        }
        dynamoDb.waiter().waitUntilTableExists(r -> r.tableName(table)).join();
        return created;
    }
}
