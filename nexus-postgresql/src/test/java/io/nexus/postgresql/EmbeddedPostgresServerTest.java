package io.nexus.postgresql;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launcher starts a real server with durable commits: the embedded PostgreSQL 14, or the opt-in container's newer one. */
class EmbeddedPostgresServerTest {

    @Test
    void serverRunsWithFsyncAndSynchronousCommit() throws Exception {
        try (Connection c = EmbeddedPostgresServer.dataSource().getConnection(); Statement s = c.createStatement()) {
            assertEquals("on", show(s, "fsync"));
            assertEquals("on", show(s, "synchronous_commit"));
            int major = Integer.parseInt(show(s, "server_version_num")) / 10_000;
            if (EmbeddedPostgresServer.containerImage() == null) {
                assertEquals(14, major, "the embedded server's major version");
            } else {
                assertTrue(major > 14, "the container's major version should be newer than the embedded 14, but was " + major);
            }
        }
    }

    private static String show(Statement s, String setting) throws Exception {
        try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
