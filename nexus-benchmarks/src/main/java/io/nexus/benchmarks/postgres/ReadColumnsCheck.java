package io.nexus.benchmarks.postgres;

import io.nexus.benchmarks.Deposited;
import io.nexus.benchmarks.Workloads;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.event.EventIds;
import io.nexus.core.event.NewEvent;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.postgresql.PostgresEngines;
import io.nexus.postgresql.PostgresEventStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import javax.sql.DataSource;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What reading the global log costs per row by what is read: the store's {@code readAll} against bare JDBC loops
 * over the same rows with smaller select lists, and the same statements as {@code COPY ... TO STDOUT (FORMAT binary)}.
 * Each line gives the wall-clock time, the client's CPU (every thread of this JVM) and the server's CPU (every
 * PostgreSQL process, from {@code /proc}) per row, so it shows the floor under a replay: what the server spends on a
 * row before anyone decodes it, and how much of it each column takes.
 *
 * <p>Run: {@code java -Xms2g -Xmx2g -cp nexus-benchmarks/target/benchmarks.jar
 * io.nexus.benchmarks.postgres.ReadColumnsCheck [events] [rounds]} (default 1,000,000 events, 2 rounds; events of
 * about 100 bytes in batches of 100 over 1,000 streams; {@code -Dmetadata=true} gives every event a correlation id,
 * a causation id and one metadata entry, as a command's events carry).
 */
public final class ReadColumnsCheck {

    private static final int PAGE = 1_000;
    private static final String HORIZON = "(SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) h";
    private static final String CUT = "e.tx_id < h.xmin, CASE WHEN e.tx_id < h.xmin THEN NULL ELSE e.tx_id::text END";
    private static final String ENVELOPE = "e.stream_id, e.version, e.aggregate_type, e.event_id, e.event_type, "
            + "e.schema_version, e.recorded_at, e.correlation_id, e.causation_id, e.metadata, e.payload";

    private ReadColumnsCheck() {
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        boolean metadata = Boolean.getBoolean("metadata");
        try (EmbeddedPostgres server = EmbeddedPostgres.builder()
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("shared_buffers", "512MB")
                .start();
             PostgresEngines engines = PostgresEngines.builder(server.getJdbcUrl("postgres", "postgres"), "postgres", null)
                     .poolSize(8).build()) {
            long postmaster = PostgresCostCheck.postmasterPid(server.getPort());
            PostgresEventStore store = engines.eventStore();
            write(store, events, metadata);
            DataSource db = engines.dataSource();
            try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
                s.execute("VACUUM ANALYZE " + store.schema() + ".events");
                s.execute("CHECKPOINT");
            }
            String table = store.schema() + ".events e";
            Map<String, String> lists = new LinkedHashMap<>();
            lists.put("position, payload", "e.position, e.payload");
            lists.put("+ stream_id, aggregate_type, event_type", "e.position, e.payload, e.stream_id, e.aggregate_type, e.event_type");
            lists.put("+ event_id", "e.position, e.payload, e.event_id");
            lists.put("+ recorded_at", "e.position, e.payload, e.recorded_at");
            lists.put("+ version, schema_version", "e.position, e.payload, e.version, e.schema_version");
            lists.put("+ correlation, causation, metadata", "e.position, e.payload, e.correlation_id, e.causation_id, e.metadata");
            lists.put("+ the horizon's two columns", "e.position, e.payload, " + CUT);
            lists.put("readAll's whole select list", "e.position, " + CUT + ", " + ENVELOPE);
            for (int round = 1; round <= rounds; round++) {
                System.out.printf("round %d (load %s)%n", round, load());
                measure("store.readAll, pages of 1,000", events, postmaster, () -> {
                    long next = 1;
                    int read = 0;
                    while (true) {
                        List<EventEnvelope> page = store.readAll(next, PAGE);
                        if (page.isEmpty()) {
                            return read;
                        }
                        read += page.size();
                        next = page.get(page.size() - 1).globalPosition() + 1;
                    }
                });
                for (Map.Entry<String, String> list : lists.entrySet()) {
                    String sql = "SELECT " + list.getValue() + " FROM " + HORIZON + ", " + table
                            + " WHERE e.position >= ? ORDER BY e.position LIMIT ?";
                    measure("JDBC: " + list.getKey(), events, postmaster, () -> select(db, sql));
                }
                String copy = "SELECT " + lists.get("readAll's whole select list") + " FROM " + HORIZON + ", " + table
                        + " WHERE e.position >= %d ORDER BY e.position LIMIT %d";
                measure("COPY binary: readAll's whole select list", events, postmaster, () -> copy(db, copy, events));
            }
        }
    }

    private static void write(PostgresEventStore store, int events, boolean metadata) {
        EventCodec codec = EventCodec.jackson(Workloads.eventTypes());
        for (int b = 0; b < events / 100; b++) {
            String stream = Workloads.accountId(b % 1_000);
            List<NewEvent> batch = new ArrayList<>(100);
            for (int i = 0; i < 100; i++) {
                Deposited event = new Deposited(stream, 1 + i, Workloads.REFERENCE);
                batch.add(metadata
                        ? codec.encode(event, EventIds.next(), "correlation-" + b, "causation-" + b,
                                Map.of("nexus.fingerprint", "AbCdEfGhIjKlMnOpQrStUv"))
                        : codec.encode(event, EventIds.next(), null, null, Map.of()));
            }
            store.append(stream, "Account", ExpectedVersion.any(), batch);
        }
    }

    /** Pages through the log with {@code sql}, taking every column's bytes; the rows read. */
    private static int select(DataSource db, String sql) throws Exception {
        int read = 0;
        long next = 1;
        try (Connection c = db.getConnection(); PreparedStatement statement = c.prepareStatement(sql)) {
            while (true) {
                statement.setLong(1, next);
                statement.setInt(2, PAGE);
                int rows = 0;
                long last = 0;
                try (ResultSet rs = statement.executeQuery()) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        rows++;
                        for (int i = 1; i <= columns; i++) {
                            rs.getBytes(i);
                        }
                        last = rs.getLong(1);
                    }
                }
                if (rows == 0) {
                    return read;
                }
                read += rows;
                next = last + 1;
            }
        }
    }

    /** Pages through the log by {@code COPY} of {@code sql} (the position and limit written in), bytes counted only. */
    private static int copy(DataSource db, String sql, int events) throws Exception {
        try (Connection c = db.getConnection()) {
            CopyManager copies = c.unwrap(PGConnection.class).getCopyAPI();
            long[] bytes = {0};
            OutputStream sink = new OutputStream() {
                @Override
                public void write(int b) {
                    bytes[0]++;
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    bytes[0] += len;
                }
            };
            for (long from = 1; from <= events; from += PAGE) {
                copies.copyOut("COPY (" + String.format(sql, from, PAGE) + ") TO STDOUT (FORMAT binary)", sink);
            }
            if (bytes[0] == 0) {
                throw new IllegalStateException("COPY returned nothing");
            }
            return events;
        }
    }

    private interface Work {
        int run() throws Exception;
    }

    private static void measure(String name, int events, long postmaster, Work work) throws Exception {
        long server0 = PostgresCostCheck.serverCpuNanos(postmaster);
        long client0 = PostgresCostCheck.clientCpuNanos();
        long start = System.nanoTime();
        int rows = work.run();
        double wall = System.nanoTime() - start;
        double client = PostgresCostCheck.clientCpuNanos() - client0;
        double server = PostgresCostCheck.serverCpuNanos(postmaster) - server0;
        if (rows != events) {
            throw new IllegalStateException(name + " read " + rows + " rows of " + events);
        }
        System.out.printf("  %-46s wall %5.2f us/row, client %5.2f, server %5.2f us/row CPU%n", name,
                wall / 1e3 / rows, client / 1e3 / rows, server / 1e3 / rows);
    }

    private static String load() throws java.io.IOException {
        return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
    }
}
