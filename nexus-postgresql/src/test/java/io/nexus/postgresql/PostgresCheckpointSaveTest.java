package io.nexus.postgresql;

import io.nexus.core.checkpoint.Checkpoint;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A checkpoint save is one statement in autocommit mode (one round trip, no transaction around it), with and
 * without the flush wait; the statement's own setting of {@code synchronous_commit} ends with its transaction.
 */
class PostgresCheckpointSaveTest {

    @Test
    void aSaveIsOneStatementWithoutATransactionAroundIt() throws Exception {
        for (boolean waitForFlush : List.of(false, true)) {
            CountingDataSource counting = new CountingDataSource(EmbeddedPostgresServer.dataSource(),
                    List.of("prepareStatement", "createStatement", "prepareCall", "setAutoCommit", "commit", "rollback"));
            PostgresCheckpointStore store = PostgresCheckpointStore.builder(counting)
                    .schema(EmbeddedPostgresServer.freshSchema("checkpoint_save")).waitForFlush(waitForFlush).build();
            counting.calls.clear();

            store.save("projection", Checkpoint.GLOBAL, "41");
            store.save("projection", Checkpoint.GLOBAL, "42");

            assertEquals(List.of("prepareStatement", "prepareStatement"), counting.calls,
                    "calls on the connections of two saves, waitForFlush(" + waitForFlush + ")");
            assertEquals("42", store.load("projection", Checkpoint.GLOBAL).orElseThrow().position());
        }
        try (Connection connection = EmbeddedPostgresServer.dataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SHOW synchronous_commit")) {
            rs.next();
            assertEquals("on", rs.getString(1), "a pooled connection after saves");
        }
    }
}
