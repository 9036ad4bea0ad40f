package io.nexus.kinesis;

import io.nexus.kinesis.internal.KclLeaseTable;
import io.nexus.local.LocalDynamoDb;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

import java.net.URI;
import java.time.Duration;

/**
 * DynamoDB Local for the KCL's lease tables (one in-memory server per test JVM, started on first use) and the
 * asynchronous clients the KCL needs, for the test JVM and the consumer JVMs it starts.
 */
final class LeaseTables {

    /** Records per GetRecords call in the tests: small, so one batch is a small part of what a shard holds. */
    static final int BATCH = 20;

    private static LocalDynamoDb instance;

    private LeaseTables() {
    }

    /** The endpoint of the shared DynamoDB Local, started on first call. */
    static synchronized URI dynamoDb() {
        if (instance == null) {
            instance = LocalDynamoDb.start();
            Runtime.getRuntime().addShutdownHook(new Thread(instance::close, "dynamodb-local-stop"));
        }
        return instance.endpoint();
    }

    /**
     * Creates the lease table of a KCL application the way the KCL 3 uses it, its owner index included
     * ({@link LeasedConsumerGroups#createLeaseTable}): the KCL's own creation adds the index afterwards and waits
     * for it in 10 s polls, 10-20 s per new group on DynamoDB Local.
     */
    static void createLeaseTable(DynamoDbAsyncClient dynamoDb, String table) {
        KclLeaseTable.createIfMissing(dynamoDb, table);
    }

    /** A synchronous Kinesis client on kinesis-mock, for the bus's publishing side. */
    static software.amazon.awssdk.services.kinesis.KinesisClient kinesisSync(URI endpoint) {
        return software.amazon.awssdk.services.kinesis.KinesisClient.builder().endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .build();
    }

    /** An asynchronous Kinesis client on kinesis-mock (HTTP/1.1: the mock speaks no HTTP/2). */
    static KinesisAsyncClient kinesis(URI endpoint) {
        return KinesisAsyncClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
                .httpClient(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1).build())
                .build();
    }

    /** An asynchronous DynamoDB client on DynamoDB Local. */
    static DynamoDbAsyncClient dynamoDb(URI endpoint) {
        return DynamoDbAsyncClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
                .httpClient(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1).build())
                .build();
    }

    /**
     * Leased groups with the short timings the tests use: a lease of a dead process moves after 2 s, new shards
     * are found within 1 s, and shards are polled every 200 ms (the KCL's least) in batches of {@link #BATCH}.
     */
    static LeasedConsumerGroups groups(KinesisAsyncClient kinesis, DynamoDbAsyncClient dynamoDb, String workerId) {
        return LeasedConsumerGroups.builder(kinesis, dynamoDb)
                .workerId(workerId)
                .failoverTime(Duration.ofSeconds(2))
                .shardSyncInterval(Duration.ofSeconds(1))
                .pollInterval(Duration.ofMillis(200))
                .maxRecordsPerBatch(BATCH)
                .build();
    }
}
