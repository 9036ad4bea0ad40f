package io.nexus.postgresql;

import io.nexus.core.event.EventEnvelope;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash safety on a real PostgreSQL with fsync and synchronous commit on: a child JVM ({@link CrashingAppender})
 * appends from four threads and is killed with SIGKILL at a random moment, ten times. After each kill, every
 * append the child acknowledged is in the store exactly once, each stream's versions have no hole, and a reader
 * that paged the global log from its last position during the run (the way the log tracker does) saw exactly
 * the log as read whole afterwards: it skipped nothing a dying transaction left behind.
 *
 * <p>An append is one statement in autocommit mode, so the server finishes it, commit included, even when its
 * client dies mid-call: an append can be stored without having been acknowledged (allowed), never the reverse.
 * A transaction held open between its position claim and its commit is provoked by {@link PostgresGlobalLogTest}.
 */
class PostgresCrashTest {

    private static final int RUNS = 10;
    private static final int WRITERS = 4;

    @Test
    void acknowledgedAppendsSurviveSigkillExactlyOnceAndNoReaderSkipsAPosition() throws Exception {
        String schema = EmbeddedPostgresServer.freshSchema("crash");
        Random random = new Random(20261130);
        try (PostgresEventStore store = PostgresEventStore.builder(EmbeddedPostgresServer.dataSource()).schema(schema)
                .build()) {
            List<EventEnvelope> seenByReader = new ArrayList<>();
            Set<UUID> acknowledged = new HashSet<>();
            for (int run = 1; run <= RUNS; run++) {
                AtomicBoolean childAlive = new AtomicBoolean(true);
                CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                    boolean lastPass = false;
                    while (true) {
                        boolean wasAlive = childAlive.get();
                        long from = seenByReader.isEmpty() ? 1 : seenByReader.get(seenByReader.size() - 1).globalPosition() + 1;
                        List<EventEnvelope> page = store.readAll(from, 50);
                        seenByReader.addAll(page);
                        if (page.isEmpty() && lastPass) {
                            return;
                        }
                        lastPass = page.isEmpty() && !wasAlive;
                    }
                });
                int killAfter = 20 + random.nextInt(300);
                long extraDelayMicros = random.nextInt(20_000);
                List<UUID> acked = runAndKill(schema, run, killAfter, extraDelayMicros);
                // The server finishes (commits or rolls back) what the killed child had sent; only then is the
                // log final, so the reader's last passes come after it.
                awaitAppenderSessionsEnded(run);
                childAlive.set(false);
                reader.get(120, TimeUnit.SECONDS);
                acknowledged.addAll(acked);

                List<EventEnvelope> whole = readWhole(store);
                Map<UUID, Integer> copies = new HashMap<>();
                whole.forEach(e -> copies.merge(e.eventId(), 1, Integer::sum));
                for (UUID id : acknowledged) {
                    assertEquals(1, copies.getOrDefault(id, 0), "copies of acknowledged event " + id + " after run " + run);
                }
                assertEquals(whole.size(), copies.size(), "the log holds no event twice after run " + run);
                assertEquals(ids(whole), ids(seenByReader),
                        "the paging reader saw exactly the whole log (nothing skipped) after run " + run);
                assertEquals(whole.size(), countRows(schema), "every stored row is in the log after run " + run);
                assertStreamsWithoutHoles(whole, run);
            }
            assertTrue(acknowledged.size() >= RUNS * 20, "acknowledged appends over the runs: " + acknowledged.size());
        }
    }

    /** Starts the child, waits for {@code killAfter} acknowledged appends and a little more, kills it; the acked ids. */
    private static List<UUID> runAndKill(String schema, int run, int killAfter, long extraDelayMicros) throws Exception {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + File.separator
                + "bin" + File.separator + "java");
        // stdout goes to a file: a pipe's reader races the JDK closing the pipe when the child dies.
        File output = File.createTempFile("crashing-appender-" + run + "-", ".out");
        output.deleteOnExit();
        Process child = new ProcessBuilder(java, "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
                "-cp", System.getProperty("java.class.path"), CrashingAppender.class.getName(),
                EmbeddedPostgresServer.jdbcUrl(), schema, String.valueOf(run), String.valueOf(WRITERS))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectOutput(output)
                .start();
        try (Acknowledgements acked = new Acknowledgements(output)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (acked.read() < killAfter && child.isAlive() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(extraDelayMicros));
            assertTrue(child.isAlive(), "the appender of run " + run + " was still running when it was to be killed");
            assertTrue(appenderSessions(run) > 0, "the appender's sessions are named, so the test can await their end");
            child.destroyForcibly(); // SIGKILL on Linux and macOS
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the killed appender exited");
            assertEquals(137, child.exitValue(), "exit status of a JVM killed by SIGKILL (128 + 9)");
            int total = acked.read();
            assertTrue(total >= killAfter, "the appender of run " + run + " acknowledged " + total
                    + " events within 120 s, fewer than " + killAfter);
            return acked.ids();
        } finally {
            child.destroyForcibly();
        }
    }

    /** The ids of the child's complete {@code ACK} lines, read from its output file as it grows. */
    private static final class Acknowledgements implements AutoCloseable {
        private final java.io.FileInputStream in;
        private final StringBuilder partial = new StringBuilder();
        private final List<UUID> ids = new ArrayList<>();

        Acknowledgements(File file) throws java.io.IOException {
            this.in = new java.io.FileInputStream(file);
        }

        /** Reads what was written since the last call; the number of acknowledged events so far. */
        int read() throws java.io.IOException {
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) > 0) {
                partial.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
            }
            int end;
            while ((end = partial.indexOf("\n")) >= 0) {
                String line = partial.substring(0, end);
                partial.delete(0, end + 1);
                if (line.startsWith("ACK ")) {
                    for (String id : line.substring(4).split(",")) {
                        ids.add(UUID.fromString(id));
                    }
                }
            }
            return ids.size();
        }

        List<UUID> ids() {
            return List.copyOf(ids);
        }

        @Override
        public void close() throws java.io.IOException {
            in.close();
        }
    }

    private static List<EventEnvelope> readWhole(PostgresEventStore store) {
        List<EventEnvelope> all = new ArrayList<>();
        long from = 1;
        while (true) {
            List<EventEnvelope> page = store.readAll(from, 1000);
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
            from = page.get(page.size() - 1).globalPosition() + 1;
        }
    }

    /**
     * Waits until every session of the killed appender has ended. A session that was still running a statement when its
     * client died (waiting for a lock, before it took a transaction id) can commit after that, so the log is final only
     * once the server has noticed the lost client and closed the session, not when no transaction holds an id.
     */
    private static void awaitAppenderSessionsEnded(int run) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (appenderSessions(run) > 0) {
            assertTrue(System.nanoTime() < deadline, "the sessions of the appender killed in run " + run
                    + " ended within 60 s");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private static long appenderSessions(int run) throws Exception {
        try (Connection c = EmbeddedPostgresServer.dataSource().getConnection();
             PreparedStatement sessions = c.prepareStatement(
                     "select count(*) from pg_stat_activity where application_name = ?")) {
            sessions.setString(1, CrashingAppender.applicationName(String.valueOf(run)));
            try (ResultSet rs = sessions.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long countRows(String schema) throws Exception {
        try (Connection c = EmbeddedPostgresServer.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM " + schema + ".events");
             ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void assertStreamsWithoutHoles(List<EventEnvelope> log, int run) {
        Map<String, Long> last = new HashMap<>();
        for (EventEnvelope e : log) {
            long previous = last.getOrDefault(e.streamId(), 0L);
            assertEquals(previous + 1, e.version(), "version after " + previous + " in stream " + e.streamId()
                    + " after run " + run);
            last.put(e.streamId(), e.version());
        }
    }

    private static List<UUID> ids(List<EventEnvelope> events) {
        return events.stream().map(EventEnvelope::eventId).toList();
    }
}
