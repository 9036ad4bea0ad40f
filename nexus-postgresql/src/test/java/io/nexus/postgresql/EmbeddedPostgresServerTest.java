package io.nexus.postgresql;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launcher starts a real server with durable commits. */
class EmbeddedPostgresServerTest {

    @Test
    void serverRunsWithFsyncAndSynchronousCommit() throws Exception {
        try (Connection c = EmbeddedPostgresServer.dataSource().getConnection(); Statement s = c.createStatement()) {
            assertEquals("on", show(s, "fsync"));
            assertEquals("on", show(s, "synchronous_commit"));
            assertTrue(show(s, "server_version").startsWith("14."), "server version");
        }
    }

    private static String show(Statement s, String setting) throws Exception {
        try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
