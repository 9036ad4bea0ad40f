package io.nexus.benchmarks.axon;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.nexus.benchmarks.Account;
import io.nexus.benchmarks.Deposit;
import io.nexus.benchmarks.Deposited;
import io.nexus.benchmarks.Workloads;
import io.nexus.benchmarks.postgres.PostgresBenchmark;
import io.nexus.core.Nexus;
import io.nexus.core.aggregate.AggregateRepository;
import io.nexus.core.command.CommandMetadata;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.NewEvent;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.tracking.LogTracker;
import io.nexus.postgresql.PostgresEngines;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.eventhandling.TrackingEventProcessor;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventsourcing.EventSourcingRepository;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What each framework asks of PostgreSQL per command, per appended event, per load and per replayed event: the
 * JDBC calls that wait for the server ({@link CountingDataSource}: statements executed, JDBC batches, commits), the
 * statements the server ran with their calls ({@code pg_stat_statements}, which also sees Nexus's {@code COPY}) and
 * the WAL flushes ({@code pg_stat_wal.wal_sync}, including the WAL writer's). The workloads of
 * {@link io.nexus.benchmarks.postgres.PostgresBenchmark} and {@link AxonJdbcBenchmark}, small, one thread, on one
 * embedded server with the same settings plus {@code pg_stat_statements}. Counts, not times: the load of the
 * machine does not change them.
 */
public final class StatementCount {

    private static DataSource admin;

    private StatementCount() {
    }

    public static void main(String[] args) throws Exception {
        try (EmbeddedPostgres server = EmbeddedPostgres.builder()
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("shared_buffers", "512MB")
                .setServerConfig("max_connections", "100")
                .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                .setServerConfig("pg_stat_statements.track", "all")
                .start()) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(server.getJdbcUrl("postgres", "postgres"));
            config.setUsername("postgres");
            config.setMaximumPoolSize(24);
            try (HikariDataSource pool = new HikariDataSource(config)) {
                admin = pool;
                execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
                CountingDataSource counter = CountingDataSource.counting();
                DataSource counted = counter.wrap(pool);
                nexus(counted, counter);
                axon(counted, counter);
            }
        }
    }

    private static void nexus(DataSource counted, CountingDataSource counter) throws Exception {
        try (PostgresEngines engines = PostgresEngines.builder(counted).build();
             Nexus nexus = PostgresBenchmark.nexus(engines, 0);
             PostgresEngines snapshotEngines = PostgresEngines.builder(counted).build();
             Nexus snapshotting = PostgresBenchmark.nexus(snapshotEngines, 100)) {
            for (Deposit d : Workloads.roundRobinDeposits(20, 5)) {
                nexus.commands().send(new Deposit("warm-" + d.accountId(), d.amount(), d.reference()));
            }
            Deposit[] commands = Workloads.roundRobinDeposits(200, 5);
            measure("Nexus", "command (200 aggregates x 5, the first creates)", "command", commands.length, counter,
                    () -> {
                        for (Deposit d : commands) {
                            nexus.commands().send(d);
                        }
                    });
            EventCodec codec = nexus.codec();
            measure("Nexus", "append batch of 100 (20 batches)", "event", 2_000, counter, () -> {
                for (int b = 0; b < 20; b++) {
                    String stream = "append-" + (b / 10);
                    List<NewEvent> batch = new ArrayList<>(100);
                    for (int i = 0; i < 100; i++) {
                        batch.add(codec.encode(new Deposited(stream, i + 1, Workloads.REFERENCE), UUID.randomUUID(), null,
                                null, Map.of()));
                    }
                    engines.eventStore().append(stream, Workloads.AGGREGATE_TYPE, ExpectedVersion.exactly((b % 10) * 100L),
                            batch);
                }
            });
            AggregateRepository<Account> full = nexus.repository(Account.class);
            Workloads.buildHistory(full, "history-plain", 10_000, 100);
            measure("Nexus", "rehydrate 10,000 events, no snapshot", "load", 1, counter, () -> full.load("history-plain"));
            AggregateRepository<Account> snapshotted = snapshotting.repository(Account.class);
            Workloads.buildHistory(snapshotted, "history-snap", 9_900, 100);
            Account account = snapshotted.load("history-snap");
            for (int i = 0; i < 99; i++) {
                account.deposit(1, Workloads.REFERENCE);
            }
            snapshotted.save(account, CommandMetadata.create());
            measure("Nexus", "rehydrate from snapshot (at 9,900) + tail", "load", 1, counter,
                    () -> snapshotted.load("history-snap"));
            long head = engines.eventStore().headPosition();
            measure("Nexus", "replay the whole log (" + head + " events), checkpoint per 1,000", "event", head, counter,
                    () -> {
                        CountDownLatch done = new CountDownLatch(1);
                        AtomicLong handled = new AtomicLong();
                        // a one-off replay in this process: no lease statements in the count
                        try (LogTracker tracker = nexus.logTracker("count").withoutLease().batchSize(1_000)
                                .pollInterval(Duration.ofSeconds(1)).build()) {
                            tracker.start(batch -> {
                                for (EventEnvelope e : batch) {
                                    codec.decode(e);
                                }
                                long last = batch.get(batch.size() - 1).globalPosition();
                                if (handled.addAndGet(batch.size()) >= head || last >= head) {
                                    done.countDown();
                                }
                                return last;
                            });
                            if (!done.await(5, TimeUnit.MINUTES)) {
                                throw new IllegalStateException("Nexus replay stopped at " + handled.get());
                            }
                        }
                    });
        }
    }

    private static void axon(DataSource counted, CountingDataSource counter) throws Exception {
        try (AxonJdbc axon = new AxonJdbc(counted)) {
            EventSourcingRepository<AxonAccount> repository = axon.repository(0);
            CommandGateway gateway = axon.commandGateway(repository);
            for (Deposit d : Workloads.roundRobinDeposits(20, 5)) {
                gateway.sendAndWait(new AxonDeposit("warm-" + d.accountId(), d.amount(), d.reference()));
            }
            Deposit[] commands = Workloads.roundRobinDeposits(200, 5);
            measure("Axon", "command (200 aggregates x 5, the first creates)", "command", commands.length, counter, () -> {
                for (Deposit d : commands) {
                    gateway.sendAndWait(new AxonDeposit(d.accountId(), d.amount(), d.reference()));
                }
            });
            measure("Axon", "append batch of 100 (20 batches)", "event", 2_000, counter, () -> {
                for (int b = 0; b < 20; b++) {
                    axon.appendBatch("append-" + (b / 10), (b % 10) * 100L, 100);
                }
            });
            AxonJdbc.buildHistory(repository, "history-plain", 10_000, 10_000);
            measure("Axon", "rehydrate 10,000 events, no snapshot", "load", 1, counter,
                    () -> AxonJdbc.load(repository, "history-plain"));
            EventSourcingRepository<AxonAccount> snapshotted = axon.repository(100);
            AxonJdbc.buildHistory(snapshotted, "history-snap", 9_900, 100);
            AxonJdbc.buildHistory(repository, "history-snap", 100, 100);
            measure("Axon", "rehydrate from snapshot (at 9,900) + tail", "load", 1, counter,
                    () -> AxonJdbc.load(repository, "history-snap"));
            long head = Long.parseLong(query("SELECT count(*) FROM domainevententry"));
            JdbcTokenStore tokens = axon.tokenStore();
            measure("Axon", "replay the whole log (" + head + " events), token per 1,000", "event", head, counter, () -> {
                AxonJdbcBenchmark.Totals totals = new AxonJdbcBenchmark.Totals(head);
                TrackingEventProcessor processor = AxonJdbcBenchmark.replayProcessor("count", axon, tokens, totals);
                processor.start();
                try {
                    if (!totals.reachedEnd.await(5, TimeUnit.MINUTES)) {
                        throw new IllegalStateException("Axon replay stopped at " + totals.handled.get());
                    }
                } finally {
                    processor.shutDown();
                }
            });
        }
    }

    private interface Work {
        void run() throws Exception;
    }

    private static void measure(String framework, String workload, String unit, long ops, CountingDataSource counter,
            Work work) throws Exception {
        Thread.sleep(1_000); // lets the previous step's statistics reach pg_stat_wal before the reset
        execute("SELECT pg_stat_statements_reset()");
        long walSyncs = walSyncs();
        long trips = counter.roundTrips.sum();
        work.run();
        long tripsAfter = counter.roundTrips.sum();
        Thread.sleep(1_000); // PostgreSQL 14 reports a backend's WAL statistics up to 500 ms late
        System.out.printf("%n%s, %s: %.2f JDBC round trips per %s, %.3f WAL flushes per %s%n", framework, workload,
                (tripsAfter - trips) / (double) ops, unit, (walSyncs() - walSyncs) / (double) ops, unit);
        try (Connection c = admin.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT calls, rows, regexp_replace(left(query, 150), '\\s+', ' ', 'g') "
                     + "FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat%' ORDER BY calls DESC LIMIT 12")) {
            while (rs.next()) {
                System.out.printf("    %9.3f calls/%s %8.1f rows/call  %s%n", rs.getLong(1) / (double) ops, unit,
                        rs.getLong(2) / (double) Math.max(1, rs.getLong(1)), rs.getString(3));
            }
        }
    }

    private static long walSyncs() throws SQLException {
        return Long.parseLong(query("SELECT wal_sync FROM pg_stat_wal"));
    }

    private static String query(String sql) throws SQLException {
        try (Connection c = admin.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
