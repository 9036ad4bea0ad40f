package io.nexus.postgresql;

import io.nexus.core.checkpoint.Checkpoint;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A checkpoint save is one statement in autocommit mode (one round trip, no transaction around it), with and
 * without the flush wait; the statement's own setting of {@code synchronous_commit} ends with its transaction.
 */
class PostgresCheckpointSaveTest {

    @Test
    void aSaveIsOneStatementWithoutATransactionAroundIt() throws Exception {
        for (boolean waitForFlush : List.of(false, true)) {
            CountingDataSource counting = new CountingDataSource(EmbeddedPostgresServer.dataSource());
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

    /** Records which statement and transaction calls the store makes on its connections. */
    private static final class CountingDataSource implements DataSource {
        private static final List<String> COUNTED = List.of("prepareStatement", "createStatement", "prepareCall",
                "setAutoCommit", "commit", "rollback");
        final List<String> calls = new CopyOnWriteArrayList<>();
        private final DataSource delegate;

        CountingDataSource(DataSource delegate) {
            this.delegate = delegate;
        }

        @Override
        public Connection getConnection() throws java.sql.SQLException {
            Connection connection = delegate.getConnection();
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                    (proxy, method, args) -> {
                        if (COUNTED.contains(method.getName())) {
                            calls.add(method.getName());
                        }
                        try {
                            return method.invoke(connection, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        @Override
        public Connection getConnection(String username, String password) {
            throw new UnsupportedOperationException("the store asks for pooled connections only");
        }

        @Override
        public java.io.PrintWriter getLogWriter() throws java.sql.SQLException {
            return delegate.getLogWriter();
        }

        @Override
        public void setLogWriter(java.io.PrintWriter out) throws java.sql.SQLException {
            delegate.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws java.sql.SQLException {
            delegate.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws java.sql.SQLException {
            return delegate.getLoginTimeout();
        }

        @Override
        public java.util.logging.Logger getParentLogger() throws java.sql.SQLFeatureNotSupportedException {
            return delegate.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws java.sql.SQLException {
            return delegate.unwrap(type);
        }

        @Override
        public boolean isWrapperFor(Class<?> type) throws java.sql.SQLException {
            return delegate.isWrapperFor(type);
        }
    }
}
