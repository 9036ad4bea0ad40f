package io.nexus.dynamodb;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A log indexer in its own JVM for {@link DynamoDbLogIndexerTest}: writes {@code HOLDING} once it holds the
 * lease, then indexes until it is killed. Arguments: DynamoDB endpoint, events table, owner.
 */
public final class IndexerProcess {

    private IndexerProcess() {
    }

    public static void main(String[] args) throws Exception {
        URI endpoint = URI.create(args[0]);
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x"));
        DynamoDbClient ddb = DynamoDbClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
        DynamoDbStreamsClient streams = DynamoDbStreamsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "US-ASCII");
        DynamoDbLogIndexer indexer = DynamoDbLogIndexer.builder(ddb, streams).tableName(args[1]).owner(args[2])
                .leaseDuration(Duration.ofSeconds(2)).build();
        indexer.start();
        boolean reported = false;
        while (true) {
            if (!reported && indexer.holdsLease()) {
                out.println("HOLDING");
                reported = true;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
