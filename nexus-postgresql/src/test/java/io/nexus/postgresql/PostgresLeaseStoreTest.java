package io.nexus.postgresql;

import io.nexus.core.lease.Lease;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link PostgresLeaseStore} beyond the contract: one statement per call, the server's clock, unreachable servers. */
class PostgresLeaseStoreTest {

    private static final Duration LONG = Duration.ofMinutes(5);

    @Test
    void everyCallIsOneStatementOnOneConnection() {
        String schema = EmbeddedPostgresServer.freshSchema("leases");
        CountingDataSource counting = new CountingDataSource(EmbeddedPostgresServer.dataSource(),
                List.of("prepareStatement", "createStatement", "commit"));
        PostgresLeaseStore store = PostgresLeaseStore.builder(counting).schema(schema).build();
        String name = "lease-" + UUID.randomUUID();

        counting.reset();
        Lease lease = store.tryAcquire(name, "owner-a", LONG).orElseThrow();
        assertEquals(List.of("prepareStatement"), counting.calls, "tryAcquire of a free lease");
        counting.reset();
        assertEquals(Optional.empty(), store.tryAcquire(name, "owner-b", LONG));
        assertEquals(List.of("prepareStatement"), counting.calls, "tryAcquire of a held lease");
        counting.reset();
        store.renew(lease, LONG).orElseThrow();
        store.current(name).orElseThrow();
        store.release(lease);
        assertEquals(List.of("prepareStatement", "prepareStatement", "prepareStatement"), counting.calls,
                "renew, current and release");
        assertEquals(3, counting.connections.get(), "one connection per call");
    }

    @Test
    void expiryIsTheServersClockPlusTheDuration() {
        String schema = EmbeddedPostgresServer.freshSchema("leases");
        PostgresLeaseStore store = PostgresLeaseStore.builder(EmbeddedPostgresServer.dataSource()).schema(schema).build();
        String name = "lease-" + UUID.randomUUID();
        Instant before = serverNow();
        Lease lease = store.tryAcquire(name, "owner-a", Duration.ofHours(1)).orElseThrow();
        Instant after = serverNow();
        assertFalse(lease.expiresAt().isBefore(before.plus(Duration.ofHours(1))), lease.expiresAt() + " vs " + before);
        assertFalse(lease.expiresAt().isAfter(after.plus(Duration.ofHours(1))), lease.expiresAt() + " vs " + after);
        // A lease whose expiry the server's clock has passed is free, whatever the holder thinks.
        EmbeddedPostgresServer.execute("UPDATE " + schema + ".leases SET expires_at = clock_timestamp() - interval '1 second'"
                + " WHERE name = '" + name + "'");
        assertEquals(Optional.empty(), store.current(name), "current() of a lease the server's clock saw expire");
        Lease next = store.tryAcquire(name, "owner-b", LONG).orElseThrow();
        assertEquals(lease.token() + 1, next.token(), "the next term's token");
    }

    @Test
    void durationsAreWholeMicrosecondsRoundedUpAndCapped() {
        assertEquals(1, PostgresLeaseStore.micros(Duration.ofNanos(1)));
        assertEquals(1_500_001, PostgresLeaseStore.micros(Duration.ofSeconds(1, 500_000_001)));
        assertEquals(PostgresLeaseStore.micros(Duration.ofDays(366L * PostgresLeaseStore.MAX_YEARS)),
                PostgresLeaseStore.micros(Duration.ofSeconds(Long.MAX_VALUE)));
        String schema = EmbeddedPostgresServer.freshSchema("leases");
        PostgresLeaseStore store = PostgresLeaseStore.builder(EmbeddedPostgresServer.dataSource()).schema(schema).build();
        Lease forever = store.tryAcquire("lease-" + UUID.randomUUID(), "owner-a", Duration.ofSeconds(Long.MAX_VALUE)).orElseThrow();
        assertTrue(forever.expiresAt().isAfter(Instant.now().plus(Duration.ofDays(365L * 999))), forever.expiresAt().toString());
    }

    @Test
    void anUnreachableServerIsATransientFailureNamingTheLease() throws IOException {
        PGSimpleDataSource nowhere = new PGSimpleDataSource();
        try (ServerSocket socket = new ServerSocket(0)) {
            nowhere.setServerNames(new String[]{"127.0.0.1"});
            nowhere.setPortNumbers(new int[]{socket.getLocalPort()});
        }
        nowhere.setUser("postgres");
        nowhere.setConnectTimeout(2);
        PostgresAccessException atBuild = assertThrows(PostgresAccessException.class,
                () -> PostgresLeaseStore.builder(nowhere).createSchema(false).build(),
                "a store not to migrate its schema still checks it at build");
        assertTrue(atBuild.isTransient(), "a lost server is transient: " + atBuild.getMessage());
        assertTrue(atBuild.getMessage().contains("check the version of schema 'nexus'"), atBuild.getMessage());
        // as the engine family builds it, once it has checked the schema
        PostgresLeaseStore store = PostgresLeaseStore.builder(nowhere).schemaReady().build();
        PostgresAccessException e = assertThrows(PostgresAccessException.class,
                () -> store.tryAcquire("projection-orders", "node-1", LONG));
        assertTrue(e.isTransient(), "a lost server is transient: " + e.getMessage());
        assertTrue(e.getMessage().contains("lease 'projection-orders' for owner 'node-1'"), e.getMessage());
        assertTrue(e.getMessage().contains("retry later"), e.getMessage());
        Lease held = new Lease("projection-orders", "node-1", 3, Instant.now());
        assertTrue(assertThrows(PostgresAccessException.class, () -> store.renew(held, LONG)).isTransient());
        assertTrue(assertThrows(PostgresAccessException.class, () -> store.release(held)).isTransient());
        assertTrue(assertThrows(PostgresAccessException.class, () -> store.current("projection-orders")).isTransient());
        assertThrows(IllegalArgumentException.class, () -> store.tryAcquire("projection-orders", " ", LONG),
                "bad arguments are refused before any request");
    }

    private static Instant serverNow() {
        try (var connection = EmbeddedPostgresServer.dataSource().getConnection();
             var statement = connection.createStatement();
             var rs = statement.executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            return rs.getObject(1, OffsetDateTime.class).toInstant();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
