package io.nexus.postgresql;

import io.nexus.postgresql.internal.Jdbc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * Sends {@code NOTIFY} for committed appends, off the appending threads: one sender, started on the first
 * append, that sends one notification for however many appends committed since its last one. Appends never
 * notify inside their own transaction, because PostgreSQL holds a global lock from a notifying transaction's
 * pre-commit to its end, which would make concurrent appends commit one fsync at a time.
 */
final class Notifier implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Notifier.class);

    private final DataSource dataSource;
    private final String channel;
    private final Object lock = new Object();
    private boolean pending;
    private boolean closed;
    private @Nullable Thread thread;

    Notifier(DataSource dataSource, String channel) {
        this.dataSource = dataSource;
        this.channel = channel;
    }

    /** Records that an append committed; a notification follows soon. */
    void appended() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            pending = true;
            if (thread == null) {
                thread = new Thread(this::run, "nexus-postgres-notify-" + channel);
                thread.setDaemon(true);
                thread.start();
            }
            lock.notifyAll();
        }
    }

    private void run() {
        while (true) {
            synchronized (lock) {
                while (!pending && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                pending = false;
            }
            try (Connection connection = dataSource.getConnection();
                 // A notification takes a transaction id, so its commit would wait for a WAL flush like an append's;
                 // it need not survive a crash (listeners poll), so it does not wait.
                 PreparedStatement statement = connection.prepareStatement(
                         "SELECT set_config('synchronous_commit', 'off', true), pg_notify(?, '')")) {
                if (!connection.getAutoCommit()) {
                    connection.setAutoCommit(true);
                }
                statement.setString(1, channel);
                statement.execute();
            } catch (SQLException | RuntimeException e) {
                // Listeners elsewhere still poll; a lost notification delays them by one poll interval.
                log.warn("NOTIFY on channel '{}' failed; other processes see the append at their next poll: {}",
                        channel, Jdbc.failure("notify", e instanceof SQLException s ? s : new SQLException(e)).getMessage());
            }
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
    }
}
