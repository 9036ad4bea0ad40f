package io.nexus.benchmarks.axon;

import javax.sql.DataSource;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link DataSource} that counts the JDBC calls that wait for the server's answer: every {@code execute*} of a
 * statement (a JDBC batch counts once: the PostgreSQL driver sends it in one exchange) and every {@code commit} and
 * {@code rollback}. {@code COPY} through the driver's own API (reached by {@code unwrap}) is not seen here; count
 * it from {@code pg_stat_statements}.
 */
final class CountingDataSource {

    private static final Set<String> EXECUTES = Set.of("execute", "executeQuery", "executeUpdate", "executeLargeUpdate",
            "executeBatch", "executeLargeBatch");

    final LongAdder roundTrips = new LongAdder();

    private CountingDataSource() {
    }

    /** {@code target} with every connection it gives counted into the returned counter's {@link #roundTrips}. */
    static CountingDataSource counting() {
        return new CountingDataSource();
    }

    DataSource wrap(DataSource target) {
        return proxy(DataSource.class, target, (method, args, result) -> result instanceof Connection c
                && method.equals("getConnection") ? proxy(Connection.class, c, this::connectionCall) : result);
    }

    private Object connectionCall(String method, Object[] args, Object result) {
        if (method.equals("commit") || method.equals("rollback")) {
            roundTrips.increment();
        }
        if (result instanceof CallableStatement s) {
            return proxy(CallableStatement.class, s, this::statementCall);
        }
        if (result instanceof PreparedStatement s) {
            return proxy(PreparedStatement.class, s, this::statementCall);
        }
        if (result instanceof Statement s && method.equals("createStatement")) {
            return proxy(Statement.class, s, this::statementCall);
        }
        return result;
    }

    private Object statementCall(String method, Object[] args, Object result) {
        if (EXECUTES.contains(method)) {
            roundTrips.increment();
        }
        return result;
    }

    private interface After {
        Object apply(String method, Object[] args, Object result);
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, T target, After after) {
        InvocationHandler handler = (p, method, args) -> {
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            return after.apply(method.getName(), args, result);
        };
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
    }
}
