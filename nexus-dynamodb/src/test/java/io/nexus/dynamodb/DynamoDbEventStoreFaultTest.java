package io.nexus.dynamodb;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.retry.RetryPolicy;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.ConcurrencyConflictException;
import io.nexus.core.store.EventStoreUnavailableException;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.StreamQuery;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.nexus.dynamodb.DynamoDbEventStoreTest.events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Concurrency and injected faults against DynamoDB Local. */
class DynamoDbEventStoreFaultTest {

    private static final int THREADS = 8;

    @Test
    void concurrentWritersAtOneVersionSeeExactlyOneWinnerPerVersion() throws Exception {
        DynamoDbTables.Names tables = DynamoDbLocal.freshTables("race");
        DynamoDbEventStore store = DynamoDbEventStore.builder(DynamoDbLocal.client()).tableName(tables.events())
                .streamsClient(DynamoDbLocal.streamsClient()).indexOnRead(true).build();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            for (long version = 0; version < 3; version++) {
                long expected = version * 2;
                CountDownLatch go = new CountDownLatch(1);
                List<Future<AppendResult>> futures = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    Callable<AppendResult> task = () -> {
                        go.await();
                        return store.append("race", "T", ExpectedVersion.exactly(expected), events(2));
                    };
                    futures.add(pool.submit(task));
                }
                go.countDown();
                int wins = 0;
                int conflicts = 0;
                for (Future<AppendResult> f : futures) {
                    try {
                        f.get(60, TimeUnit.SECONDS);
                        wins++;
                    } catch (java.util.concurrent.ExecutionException e) {
                        assertInstanceOf(ConcurrencyConflictException.class, e.getCause());
                        conflicts++;
                    }
                }
                assertEquals(1, wins, "winners at expected version " + expected);
                assertEquals(THREADS - 1, conflicts);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(6, store.currentVersion("race"));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L),
                store.read(StreamQuery.stream("race")).stream().map(EventEnvelope::version).toList());
        assertEquals(6, store.headPosition());
    }

    @Test
    void concurrentWritersOnManyStreamsShareOneGaplessGlobalOrder() throws Exception {
        DynamoDbTables.Names tables = DynamoDbLocal.freshTables("global");
        DynamoDbEventStore store = DynamoDbEventStore.builder(DynamoDbLocal.client()).tableName(tables.events())
                .streamsClient(DynamoDbLocal.streamsClient()).indexOnRead(true).build();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        int perThread = 5;
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                String stream = "stream-" + t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        store.append(stream, "T", ExpectedVersion.exactly(i), events(1));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        int total = THREADS * perThread;
        assertEquals(total, store.headPosition());
        List<EventEnvelope> all = store.readAll(1, 1000);
        assertEquals(total, all.size());
        Set<String> seen = new HashSet<>();
        java.util.Map<String, Long> lastVersion = new java.util.HashMap<>();
        for (int i = 0; i < total; i++) {
            EventEnvelope e = all.get(i);
            assertEquals(i + 1, e.globalPosition());
            assertTrue(seen.add(e.streamId() + "@" + e.version()));
            long previous = lastVersion.getOrDefault(e.streamId(), 0L);
            assertEquals(previous + 1, e.version(), "global order must follow each stream's order");
            lastVersion.put(e.streamId(), e.version());
        }
    }

    @Test
    void throttledTransactionsAreRetriedUntilTheyPass() {
        Throttler throttler = new Throttler(3);
        try (DynamoDbClient client = DynamoDbLocal.newClient(b -> b.addExecutionInterceptor(throttler)
                .retryStrategy(AwsRetryStrategy.doNotRetry()))) {
            DynamoDbTables.Names tables = DynamoDbLocal.freshTables("throttle");
            DynamoDbEventStore store = DynamoDbEventStore.builder(client).tableName(tables.events())
                    .retryPolicy(fastRetries(5)).build();

            AppendResult result = store.append("s", "T", ExpectedVersion.noStream(), events(2));

            assertEquals(2, result.newVersion());
            assertEquals(4, throttler.transactions.get(), "3 throttled attempts, then the one that passed");
            assertEquals(2, store.read(StreamQuery.stream("s")).size());
        }
    }

    @Test
    void throttlingPastTheRetryPolicyIsATransientErrorWithTheAwsCauseAndNothingWritten() {
        Throttler throttler = new Throttler(Integer.MAX_VALUE);
        try (DynamoDbClient client = DynamoDbLocal.newClient(b -> b.addExecutionInterceptor(throttler)
                .retryStrategy(AwsRetryStrategy.doNotRetry()))) {
            DynamoDbTables.Names tables = DynamoDbLocal.freshTables("throttle");
            DynamoDbEventStore store = DynamoDbEventStore.builder(client).tableName(tables.events())
                    .streamsClient(DynamoDbLocal.streamsClient()).indexOnRead(true).retryPolicy(fastRetries(3)).build();

            EventStoreUnavailableException e = assertThrows(EventStoreUnavailableException.class,
                    () -> store.append("s", "T", ExpectedVersion.noStream(), events(1)));

            assertTrue(e.isTransient());
            assertInstanceOf(ProvisionedThroughputExceededException.class, e.getCause());
            assertTrue(e.getMessage().contains("stream 's'"), e.getMessage());
            assertEquals(3, throttler.transactions.get());
            assertEquals(0, store.currentVersion("s"));
            assertEquals(0, store.headPosition());
        }
    }

    @Test
    void aMissingTableIsAPermanentErrorWithTheAwsCause() {
        DynamoDbEventStore store = DynamoDbEventStore.builder(DynamoDbLocal.client()).tableName("no-such-table").build();
        EventStoreUnavailableException e = assertThrows(EventStoreUnavailableException.class,
                () -> store.currentVersion("s"));
        assertTrue(!e.isTransient());
        assertInstanceOf(software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException.class, e.getCause());
    }

    static RetryPolicy fastRetries(int attempts) {
        return RetryPolicy.custom().maxAttempts(attempts).initialDelay(Duration.ofMillis(1))
                .maxDelay(Duration.ofMillis(5)).build();
    }

    /** Fails the first {@code failures} TransactWriteItems calls the way DynamoDB throttles them. */
    static final class Throttler implements ExecutionInterceptor {
        final AtomicInteger transactions = new AtomicInteger();
        private final int failures;

        Throttler(int failures) {
            this.failures = failures;
        }

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes executionAttributes) {
            if (context.request() instanceof TransactWriteItemsRequest
                    && transactions.incrementAndGet() <= failures) {
                throw ProvisionedThroughputExceededException.builder()
                        .message("The level of configured provisioned throughput for the table was exceeded (injected)")
                        .statusCode(400).build();
            }
        }
    }
}
