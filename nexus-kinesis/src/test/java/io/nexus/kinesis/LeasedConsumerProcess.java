package io.nexus.kinesis;

import io.nexus.core.bus.BusPath;
import io.nexus.core.deadletter.InMemoryDeadLetterQueue;
import io.nexus.core.event.EventEnvelope;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One consumer process of {@link LeasedConsumerGroupCrashTest}: a leased consumer group on kinesis-mock with its
 * leases on DynamoDB Local, which writes to stdout one line per event it handled ({@code H <stream id> <version>})
 * and the shards it holds whenever they change ({@code SHARDS <ids>}). The process that first reaches the event
 * named by the marker arguments claims the marker file, writes {@code BLOCKED} and stops in the middle of its batch
 * until it is killed; the processes after it handle that event like any other.
 *
 * <p>Arguments: kinesis endpoint, DynamoDB endpoint, stream, group, worker id, then marker pairs of file, stream
 * id and version.
 */
public final class LeasedConsumerProcess {

    private LeasedConsumerProcess() {
    }

    public static void main(String[] args) throws IOException {
        URI kinesisEndpoint = URI.create(args[0]);
        URI dynamoDbEndpoint = URI.create(args[1]);
        String stream = args[2];
        String group = args[3];
        String worker = args[4];
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, "US-ASCII");
        KinesisClient kinesis = LeaseTables.kinesisSync(kinesisEndpoint);
        KinesisAsyncClient kinesisAsync = LeaseTables.kinesis(kinesisEndpoint);
        DynamoDbAsyncClient dynamoDb = LeaseTables.dynamoDb(dynamoDbEndpoint);
        // tag::leased-groups[]
        KinesisEventBus bus = KinesisEventBus.builder(kinesis)         // publishing: the synchronous client
                .primaryStream(stream)
                .deadLetters(new InMemoryDeadLetterQueue())            // in production: durable and shared, e.g. DynamoDB
                .leasedConsumerGroups(LeasedConsumerGroups.builder(kinesisAsync, dynamoDb)
                        .workerId(worker)                              // unique per process; host-pid-random by default
                        .failoverTime(Duration.ofSeconds(2))           // 10 s by default
                        .shardSyncInterval(Duration.ofSeconds(1))      // 60 s by default
                        .pollInterval(Duration.ofMillis(200))          // 400 ms by default
                        .maxRecordsPerBatch(LeaseTables.BATCH)         // 1000 by default: the at-least-once window
                        .build())
                .build();
        // end::leased-groups[]
        bus.subscribe(group, BusPath.PRIMARY, event -> {
            for (int i = 5; i + 2 < args.length; i += 3) {
                if (event.streamId().equals(args[i + 1]) && event.version() == Long.parseLong(args[i + 2])
                        && claim(Path.of(args[i]))) {
                    out.println("BLOCKED " + key(event));
                    while (true) {
                        LockSupport.park();
                    }
                }
            }
            out.println("H " + key(event));
        });
        Set<String> reported = null;
        while (true) {
            Set<String> shards = bus.leasedShards(group, BusPath.PRIMARY);
            if (!shards.equals(reported)) {
                out.println("SHARDS " + (shards.isEmpty() ? "-" : String.join(",", shards)));
                reported = shards;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    private static String key(EventEnvelope event) {
        return event.streamId() + " " + event.version();
    }

    private static boolean claim(Path marker) {
        try {
            Files.createFile(marker);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
