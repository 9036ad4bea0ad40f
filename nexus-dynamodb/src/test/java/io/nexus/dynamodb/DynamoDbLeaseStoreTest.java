package io.nexus.dynamodb;

import io.nexus.core.lease.Lease;
import io.nexus.core.retry.RetryPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link DynamoDbLeaseStore} beyond the contract: the caller's clock, requests per call, the item, failures. */
class DynamoDbLeaseStoreTest {

    private static final String TABLE = DynamoDbLocal.freshTable("leases", DynamoDbTables::checkpointsTable);
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    private static final Duration TEN_SECONDS = Duration.ofSeconds(10);

    /** A clock the test moves. */
    static final class MovingClock extends Clock {
        private volatile Instant now;

        MovingClock(Instant start) {
            this.now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("UTC only");
        }
    }

    @Test
    void expiryIsJudgedOnTheCallersClock() {
        MovingClock clock = new MovingClock(T0);
        DynamoDbLeaseStore store = DynamoDbLeaseStore.builder(DynamoDbLocal.client(), TABLE).clock(clock).build();
        String name = "lease-" + UUID.randomUUID();
        Lease first = store.tryAcquire(name, "node-a", TEN_SECONDS).orElseThrow();
        assertEquals(T0.plus(TEN_SECONDS), first.expiresAt(), "expiry = the caller's now + duration");

        clock.advance(Duration.ofMillis(9_999));
        assertEquals(Optional.of(first), store.current(name), "1 ms before the expiry");
        assertEquals(Optional.empty(), store.tryAcquire(name, "node-b", TEN_SECONDS), "another owner 1 ms before the expiry");

        clock.advance(Duration.ofMillis(1));
        assertEquals(Optional.empty(), store.current(name), "at the expiry");
        Lease second = store.tryAcquire(name, "node-b", TEN_SECONDS).orElseThrow();
        assertEquals(first.token() + 1, second.token(), "the next term's token");
        assertEquals(T0.plus(TEN_SECONDS).plus(TEN_SECONDS), second.expiresAt());
        assertEquals(Optional.empty(), store.renew(first, TEN_SECONDS), "the old holder's renew");
    }

    @Test
    void aProcessWhoseClockRunsAheadTakesTheLeaseEarly() {
        // The documented assumption, shown: the store trusts every caller's clock.
        MovingClock holderClock = new MovingClock(T0);
        Clock aheadClock = Clock.offset(holderClock, Duration.ofSeconds(11));
        DynamoDbLeaseStore holder = DynamoDbLeaseStore.builder(DynamoDbLocal.client(), TABLE).clock(holderClock).build();
        DynamoDbLeaseStore ahead = DynamoDbLeaseStore.builder(DynamoDbLocal.client(), TABLE).clock(aheadClock).build();
        String name = "lease-" + UUID.randomUUID();
        holder.tryAcquire(name, "node-a", TEN_SECONDS).orElseThrow();
        assertTrue(ahead.tryAcquire(name, "node-b", TEN_SECONDS).isPresent(),
                "a clock 11 s ahead sees a 10 s lease expired at once");
    }

    @Test
    void requestsPerCall() {
        DynamoDbAppendRequestsTest.Requests requests = new DynamoDbAppendRequestsTest.Requests();
        try (DynamoDbClient client = DynamoDbLocal.newClient(b -> b.addExecutionInterceptor(requests))) {
            DynamoDbLeaseStore store = DynamoDbLeaseStore.builder(client, TABLE).build();
            String name = "lease-" + UUID.randomUUID();
            Lease[] held = new Lease[1];
            assertEquals(Map.of("UpdateItem", 1), requests.during(
                    () -> held[0] = store.tryAcquire(name, "node-a", TEN_SECONDS).orElseThrow()), "tryAcquire of a free lease");
            assertEquals(Map.of("UpdateItem", 1), requests.during(
                    () -> assertEquals(Optional.empty(), store.tryAcquire(name, "node-b", TEN_SECONDS))),
                    "tryAcquire of a lease another owner holds: the failed condition returns the item");
            assertEquals(Map.of("UpdateItem", 2), requests.during(
                    () -> assertEquals(held[0].token(), store.tryAcquire(name, "node-a", TEN_SECONDS).orElseThrow().token())),
                    "tryAcquire by the holder: a renewal");
            assertEquals(Map.of("UpdateItem", 1), requests.during(() -> store.renew(held[0], TEN_SECONDS).orElseThrow()), "renew");
            assertEquals(Map.of("GetItem", 1), requests.during(() -> store.current(name).orElseThrow()), "current");
            assertEquals(Map.of("UpdateItem", 1), requests.during(() -> store.release(held[0])), "release");
            assertEquals(Map.of("UpdateItem", 1), requests.during(() -> store.release(held[0])), "a stale release");
        }
    }

    @Test
    void aTakeWhoseAnswerWasLostIsRetriedIntoTheSameTerm() {
        LoseAnswers lose = new LoseAnswers(1);
        DynamoDbAppendRequestsTest.Requests requests = new DynamoDbAppendRequestsTest.Requests();
        try (DynamoDbClient client = DynamoDbLocal.newClient(b -> b.addExecutionInterceptor(lose).addExecutionInterceptor(requests))) {
            DynamoDbLeaseStore store = DynamoDbLeaseStore.builder(client, TABLE)
                    .retryPolicy(RetryPolicy.custom().maxAttempts(3).initialDelay(Duration.ofMillis(1)).build()).build();
            String name = "lease-" + UUID.randomUUID();
            Lease[] lease = new Lease[1];
            // The first UpdateItem takes the lease but its answer is lost; the retry finds the caller holding it.
            assertEquals(Map.of("UpdateItem", 3), requests.during(
                    () -> lease[0] = store.tryAcquire(name, "node-a", TEN_SECONDS).orElseThrow()),
                    "the take, its retry (condition failed: held by the caller) and the renewal");
            assertEquals(1, lease[0].token(), "the first term's token, not a second term's");
            assertEquals(Optional.of(lease[0]), store.current(name));
            assertEquals(0, lose.left.get(), "the answer was lost once");
        }
    }

    /** Throws away the answers of the first {@code n} successful UpdateItem calls, as a broken connection would. */
    static final class LoseAnswers implements ExecutionInterceptor {
        final AtomicInteger left;

        LoseAnswers(int n) {
            this.left = new AtomicInteger(n);
        }

        @Override
        public void afterExecution(Context.AfterExecution context,
                                   ExecutionAttributes attributes) {
            if (context.request() instanceof UpdateItemRequest
                    && left.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw SdkClientException.create("connection reset (injected)");
            }
        }
    }

    @Test
    void leaseItemsKeepToTheirOwnKeysInTheCheckpointsTable() {
        String table = DynamoDbLocal.freshTable("leases", DynamoDbTables::checkpointsTable);
        DynamoDbCheckpointStore checkpoints = new DynamoDbCheckpointStore(DynamoDbLocal.client(), table);
        DynamoDbLeaseStore leases = DynamoDbLeaseStore.builder(DynamoDbLocal.client(), table).build();
        checkpoints.save("projection", "global", "42");
        Lease lease = leases.tryAcquire("projection", "node-a", TEN_SECONDS).orElseThrow();
        assertEquals(Map.of("global", "42"), Map.of("global", checkpoints.loadAll("projection").get("global").position()),
                "the consumer's checkpoints are untouched by its lease");
        assertEquals(1, checkpoints.loadAll("projection").size(), "no lease item among the checkpoints");
        checkpoints.reset("projection");
        assertEquals(Optional.of(lease), leases.current("projection"), "a checkpoint reset leaves the lease");
    }

    @Test
    void aMissingTableIsAPermanentErrorNamingTheLease() {
        DynamoDbLeaseStore store = DynamoDbLeaseStore.builder(DynamoDbLocal.client(), "no-such-table-" + UUID.randomUUID()).build();
        DynamoDbAccessException e = assertThrows(DynamoDbAccessException.class,
                () -> store.tryAcquire("projection-orders", "node-1", TEN_SECONDS));
        assertFalse(e.isTransient(), e.getMessage());
        assertTrue(e.getMessage().contains("take the lease 'projection-orders' for owner 'node-1'"), e.getMessage());
    }

    @Test
    void anUnreachableServiceIsATransientFailureNamingTheLease() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (DynamoDbClient nowhere = DynamoDbClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.US_EAST_1).credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
                .httpClient(UrlConnectionHttpClient.create()).overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1)))
                .build()) {
            DynamoDbLeaseStore store = DynamoDbLeaseStore.builder(nowhere, "leases")
                    .retryPolicy(RetryPolicy.custom().maxAttempts(2).initialDelay(Duration.ofMillis(1)).build()).build();
            Lease held = new Lease("projection-orders", "node-1", 3, T0);
            for (var call : new Executable[]{
                    () -> store.tryAcquire("projection-orders", "node-1", TEN_SECONDS), () -> store.renew(held, TEN_SECONDS),
                    () -> store.release(held), () -> store.current("projection-orders")}) {
                DynamoDbAccessException e = assertThrows(DynamoDbAccessException.class, call);
                assertTrue(e.isTransient(), e.getMessage());
                assertTrue(e.getMessage().contains("lease 'projection-orders'"), e.getMessage());
                assertTrue(e.getMessage().contains("retry later"), e.getMessage());
            }
            assertThrows(IllegalArgumentException.class, () -> store.tryAcquire("", "node-1", TEN_SECONDS),
                    "bad arguments are refused before any request");
            assertThrows(IllegalArgumentException.class, () -> store.renew(held, Duration.ofSeconds(-1)));
        }
    }
}
