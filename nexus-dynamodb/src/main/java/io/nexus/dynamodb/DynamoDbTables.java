package io.nexus.dynamodb;

import io.nexus.dynamodb.internal.EventItems;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The table definitions Nexus uses on DynamoDB, as code: keys, Streams with
 * {@code NEW_IMAGE} on the events table, on-demand billing. {@code docs/dynamodb.md} gives the same
 * definitions for CloudFormation.
 *
 * <p>Stateless and thread-safe.
 */
public final class DynamoDbTables {

    /**
     * The table names of one Nexus installation. A {@code null} name means "this installation does not use
     * that table": {@link #createIfMissing} skips it and {@link DynamoDbEngines} leaves that port to its
     * embedded default.
     *
     * @param events      events, stream heads, event-id guards and the global-log index; Streams on
     * @param snapshots   the latest snapshot per aggregate
     * @param checkpoints change-capture shard checkpoints and leases, every consumer's {@code CheckpointStore} positions,
     *                    and the consumer leases of {@link DynamoDbEngines} ({@link DynamoDbLeaseStore})
     * @param deadLetters dead letters, their id pointers and parked events ({@link DynamoDbDeadLetterQueue})
     * @param timers      pending timers and their id pointers ({@link DynamoDbScheduler})
     * @param audit       audit records of temporal queries ({@link DynamoDbAuditLog})
     * @param readModels  key-value read models of every named store ({@link DynamoDbReadModelStores})
     */
    public record Names(@Nullable String events, @Nullable String snapshots, @Nullable String checkpoints,
                        @Nullable String deadLetters, @Nullable String timers, @Nullable String audit,
                        @Nullable String readModels) {

        /** The tables of the write side and checkpoints only; the durable ports' tables are not used. */
        public Names(@Nullable String events, @Nullable String snapshots, @Nullable String checkpoints) {
            this(events, snapshots, checkpoints, null, null, null, null);
        }

        /**
         * {@code prefix + "events"}, {@code "snapshots"}, {@code "checkpoints"}, {@code "dead-letters"},
         * {@code "timers"}, {@code "audit"} and {@code "read-models"}.
         */
        public static Names withPrefix(String prefix) {
            Objects.requireNonNull(prefix, "prefix");
            return new Names(prefix + "events", prefix + "snapshots", prefix + "checkpoints", prefix + "dead-letters",
                    prefix + "timers", prefix + "audit", prefix + "read-models");
        }
    }

    private DynamoDbTables() {
    }

    /**
     * Creates each named table that does not exist yet and waits until all of them are active. Existing
     * tables are left as they are (their definition is not checked).
     *
     * @throws DynamoDbAccessException if DynamoDB refuses a request; the AWS error is the cause
     */
    public static void createIfMissing(DynamoDbClient client, Names names) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(names, "names");
        List<CreateTableRequest> requests = new ArrayList<>(7);
        if (names.events() != null) {
            requests.add(eventsTable(names.events()));
        }
        if (names.snapshots() != null) {
            requests.add(snapshotsTable(names.snapshots()));
        }
        if (names.checkpoints() != null) {
            requests.add(checkpointsTable(names.checkpoints()));
        }
        if (names.deadLetters() != null) {
            requests.add(deadLettersTable(names.deadLetters()));
        }
        if (names.timers() != null) {
            requests.add(timersTable(names.timers()));
        }
        if (names.audit() != null) {
            requests.add(auditTable(names.audit()));
        }
        if (names.readModels() != null) {
            requests.add(readModelsTable(names.readModels()));
        }
        for (CreateTableRequest request : requests) {
            try {
                if (!exists(client, request.tableName())) {
                    client.createTable(request);
                }
                client.waiter().waitUntilTableExists(b -> b.tableName(request.tableName()));
            } catch (ResourceInUseException raced) {
                client.waiter().waitUntilTableExists(b -> b.tableName(request.tableName()));
            } catch (DynamoDbException e) {
                throw new DynamoDbAccessException("Could not create DynamoDB table '" + request.tableName() + "' ("
                        + e.getMessage() + "); check the credentials' permissions (dynamodb:CreateTable, DescribeTable).",
                        e, false);
            }
        }
    }

    /**
     * The events table: {@code pk} S + {@code sk} N, Streams on with view type NEW_IMAGE (change capture and
     * the log indexer read it). No secondary index: the global log is an index the indexer writes into the
     * table itself.
     */
    public static CreateTableRequest eventsTable(String name) {
        return CreateTableRequest.builder()
                .tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        attribute(EventItems.PK, ScalarAttributeType.S),
                        attribute(EventItems.SK, ScalarAttributeType.N))
                .keySchema(key(EventItems.PK, KeyType.HASH), key(EventItems.SK, KeyType.RANGE))
                .streamSpecification(StreamSpecification.builder()
                        .streamEnabled(true).streamViewType(StreamViewType.NEW_IMAGE).build())
                .build();
    }

    /** The snapshots table: {@code pk} S. */
    public static CreateTableRequest snapshotsTable(String name) {
        return CreateTableRequest.builder()
                .tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(attribute("pk", ScalarAttributeType.S))
                .keySchema(key("pk", KeyType.HASH))
                .build();
    }

    /**
     * The checkpoints table: {@code pk} S (reader, consumer or reserved lease key) + {@code sk} S (shard id, partition,
     * or {@code lease}).
     */
    public static CreateTableRequest checkpointsTable(String name) {
        return stringKeys(name);
    }

    /** The dead-letters table: {@code pk} S (consumer, or a reserved key) + {@code sk} S. */
    public static CreateTableRequest deadLettersTable(String name) {
        return stringKeys(name);
    }

    /** The timers table: {@code pk} S (owner, or a reserved key) + {@code sk} S (due time and id, or id). */
    public static CreateTableRequest timersTable(String name) {
        return stringKeys(name);
    }

    /** The audit table: {@code pk} S (log name) + {@code sk} S (time and arrival). */
    public static CreateTableRequest auditTable(String name) {
        return stringKeys(name);
    }

    /** The read-models table: {@code pk} S (store name) + {@code sk} S (read model id). */
    public static CreateTableRequest readModelsTable(String name) {
        return stringKeys(name);
    }

    /** On-demand billing, {@code pk} S as the partition key and {@code sk} S as the sort key, no index. */
    private static CreateTableRequest stringKeys(String name) {
        return CreateTableRequest.builder()
                .tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(attribute("pk", ScalarAttributeType.S), attribute("sk", ScalarAttributeType.S))
                .keySchema(key("pk", KeyType.HASH), key("sk", KeyType.RANGE))
                .build();
    }

    private static boolean exists(DynamoDbClient client, String table) {
        try {
            client.describeTable(b -> b.tableName(table));
            return true;
        } catch (ResourceNotFoundException e) {
            return false;
        }
    }

    private static AttributeDefinition attribute(String name, ScalarAttributeType type) {
        return AttributeDefinition.builder().attributeName(name).attributeType(type).build();
    }

    private static KeySchemaElement key(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }
}
