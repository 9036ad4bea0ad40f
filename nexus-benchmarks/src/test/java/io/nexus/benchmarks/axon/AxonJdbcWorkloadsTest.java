package io.nexus.benchmarks.axon;

import io.nexus.benchmarks.Account;
import io.nexus.benchmarks.Deposit;
import io.nexus.benchmarks.Workloads;
import io.nexus.benchmarks.postgres.PostgresBenchmark;
import io.nexus.core.Nexus;
import io.nexus.postgresql.PostgresEngines;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.eventhandling.TrackingEventProcessor;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventsourcing.EventSourcingRepository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Axon baseline runs the same workloads as Nexus's PostgreSQL benchmark: the same commands give the same
 * balances in both frameworks, Axon stores the same payload JSON, its snapshots are taken and used, and its
 * replay processor sees every event. No timing here.
 */
class AxonJdbcWorkloadsTest {

    private static EmbeddedPostgres server;
    private static AxonJdbc axon;
    private static PostgresEngines engines;
    private static Nexus nexus;

    @BeforeAll
    static void start() throws java.io.IOException {
        // What the workloads do, not how fast or how durably: no flushes, which makes the schemas' DDL quick.
        server = EmbeddedPostgres.builder().setServerConfig("fsync", "off").setServerConfig("synchronous_commit", "off")
                .start();
        axon = new AxonJdbc(server.getJdbcUrl("postgres", "postgres"), "postgres", 4);
        engines = PostgresEngines.builder(server.getJdbcUrl("postgres", "postgres"), "postgres", null).poolSize(4).build();
        nexus = PostgresBenchmark.nexus(engines, 0);
    }

    @AfterAll
    static void stop() throws Exception {
        nexus.close();
        engines.close();
        axon.close();
        server.close();
    }

    @Test
    void theSameCommandsGiveTheSameAccountsInBothFrameworksAndTheReplaySeesEveryEvent() throws Exception {
        EventSourcingRepository<AxonAccount> repository = axon.repository(0);
        CommandGateway gateway = axon.commandGateway(repository);
        Deposit[] commands = Workloads.roundRobinDeposits(10, 3);
        for (Deposit c : commands) {
            gateway.sendAndWait(new AxonDeposit(c.accountId(), c.amount(), c.reference()));
            nexus.commands().send(c);
        }
        for (int a = 0; a < 10; a += 3) {
            AxonAccount axonAccount = AxonJdbc.load(repository, Workloads.accountId(a));
            Account nexusAccount = nexus.repository(Account.class).load(Workloads.accountId(a));
            assertEquals(3, axonAccount.deposits());
            assertEquals(nexusAccount.balance(), axonAccount.balance(), "balance of " + Workloads.accountId(a));
        }
        assertEquals(new String(Workloads.depositJson(Workloads.accountId(0), commands[0].amount()), StandardCharsets.UTF_8),
                query("SELECT convert_from(payload, 'UTF8') FROM domainevententry WHERE aggregateidentifier = '"
                        + Workloads.accountId(0) + "' AND sequencenumber = 0"), "the stored payload is Nexus's JSON");

        JdbcTokenStore tokens = axon.tokenStore();
        long stored = Long.parseLong(query("SELECT count(*) FROM domainevententry"));
        AxonJdbcBenchmark.Totals totals = new AxonJdbcBenchmark.Totals(stored);
        TrackingEventProcessor processor = AxonJdbcBenchmark.replayProcessor("replay-test", axon, tokens, totals);
        processor.start();
        try {
            assertTrue(totals.reachedEnd.await(30, TimeUnit.SECONDS), "replayed " + totals.handled.get());
        } finally {
            processor.shutDown();
        }
        assertEquals(stored, totals.handled.get());
        assertEquals(AxonJdbc.load(repository, Workloads.accountId(7)).balance(), totals.totals.get(Workloads.accountId(7)));
        assertEquals("1", query("SELECT count(*) FROM tokenentry WHERE processorname = 'replay-test' AND token IS NOT NULL"));
    }

    @Test
    void aSnapshottedHistoryLoadsFromItsLatestSnapshotToTheSameBalanceAsNexus() throws Exception {
        EventSourcingRepository<AxonAccount> snapshotted = axon.repository(100);
        AxonJdbc.buildHistory(snapshotted, "snap-axon", 250, 100);
        Workloads.buildHistory(nexus.repository(Account.class), "snap-nexus", 250, 100);
        AxonAccount account = AxonJdbc.load(snapshotted, "snap-axon");
        assertEquals(250, account.deposits());
        assertEquals(nexus.repository(Account.class).load("snap-nexus").balance(), account.balance());
        assertEquals("199", query("SELECT max(sequencenumber) FROM snapshotevententry WHERE aggregateidentifier = 'snap-axon'"),
                "snapshots at the end of the units of work that passed 100 events");
    }

    private static String query(String sql) throws Exception {
        try (Connection c = axon.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }
}
