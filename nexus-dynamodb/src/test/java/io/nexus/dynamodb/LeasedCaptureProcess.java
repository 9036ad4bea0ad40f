package io.nexus.dynamodb;

import io.nexus.core.event.EventEnvelope;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One process of {@link LeasedChangeCaptureCrashTest}: a leased change-capture reader on DynamoDB Local that
 * writes to stdout one line per event it handled ({@code H <stream id> <version>}) and the shards it holds
 * whenever they change ({@code SHARDS <ids>}, {@code -} for none). The process that first reaches the event
 * named by the marker arguments claims the marker file, writes {@code BLOCKED} and stops in the middle of its
 * read until it is killed; the processes after it handle that event like any other.
 *
 * <p>Arguments: DynamoDB endpoint, events table, lease table, reader name, owner, marker file, marker stream id,
 * marker version.
 */
public final class LeasedCaptureProcess {

    /** Stream records per read in the tests: small, so one read is a small part of what the shard holds. */
    static final int BATCH = 20;

    private LeasedCaptureProcess() {
    }

    public static void main(String[] args) throws IOException {
        URI endpoint = URI.create(args[0]);
        String events = args[1];
        String leaseTable = args[2];
        String reader = args[3];
        String owner = args[4];
        Path marker = Path.of(args[5]);
        String markerStream = args[6];
        long markerVersion = Long.parseLong(args[7]);
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "US-ASCII");
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x"));
        DynamoDbClient ddb = DynamoDbClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
        DynamoDbStreamsClient streams = DynamoDbStreamsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
        // tag::leased-capture[]
        DynamoDbChangeCapture capture = DynamoDbChangeCapture.builder(ddb, streams)
                .tableName(events)
                .readerName(reader)                                  // one reader name for all its processes
                .leases(DynamoDbShardLeases.builder(ddb, leaseTable)  // the checkpoints table holds the leases
                        .owner(owner)                                // unique per process; host-pid-random by default
                        .leaseDuration(Duration.ofSeconds(3))        // 10 s by default
                        .build())
                .maxRecordsPerRead(BATCH)                            // 1000 by default: the at-least-once window
                .listener(batch -> batch.forEach(event -> handle(event, out, marker, markerStream, markerVersion)))
                .build();
        capture.start();
        // end::leased-capture[]
        Set<String> reported = null;
        while (true) {
            Set<String> shards = capture.leasedShards();
            if (!shards.equals(reported)) {
                out.println("SHARDS " + (shards.isEmpty() ? "-" : String.join(",", shards)));
                reported = shards;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private static void handle(EventEnvelope event, PrintStream out, Path marker, String markerStream, long markerVersion) {
        if (event.streamId().equals(markerStream) && event.version() == markerVersion && claim(marker)) {
            out.println("BLOCKED " + event.streamId() + " " + event.version());
            while (true) {
                LockSupport.park();
            }
        }
        out.println("H " + event.streamId() + " " + event.version());
    }

    private static boolean claim(Path marker) {
        try {
            Files.createFile(marker);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
