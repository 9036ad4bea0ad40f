package io.nexus.postgresql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.AppendResult;
import io.nexus.core.store.ExpectedVersion;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The child JVM of {@link PostgresCrashTest}: appends under load from several threads until it is killed,
 * and prints {@code ACK <id>,<id>...} for every append the store acknowledged, after the acknowledgement.
 * Arguments: JDBC URL, schema, run number, writer threads.
 */
public final class CrashingAppender {

    private CrashingAppender() {
    }

    /** The PostgreSQL {@code application_name} of the appender's sessions in run {@code run}. */
    static String applicationName(String run) {
        return "nexus-crashing-appender-" + run;
    }

    public static void main(String[] args) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(args[0]);
        config.setUsername("postgres");
        config.setMaximumPoolSize(Integer.parseInt(args[3]) + 1);
        // The test waits for the sessions of this name to end before it takes the log as final.
        config.addDataSourceProperty("ApplicationName", applicationName(args[2]));
        HikariDataSource pool = new HikariDataSource(config);
        PostgresEventStore store = PostgresEventStore.builder(pool).schema(args[1]).createSchema(false).build();
        PrintStream out = System.out;
        int writers = Integer.parseInt(args[3]);
        for (int w = 0; w < writers; w++) {
            String stream = "crash-" + args[2] + "-" + w;
            Thread thread = new Thread(() -> {
                long version = 0;
                while (true) {
                    int size = 1 + ThreadLocalRandom.current().nextInt(3);
                    List<NewEvent> batch = new ArrayList<>(size);
                    for (int i = 0; i < size; i++) {
                        batch.add(NewEvent.of("ItemAdded", 1, EventPayload.ofJson("{\"n\":" + (version + i + 1) + "}")));
                    }
                    AppendResult result = store.append(stream, "Order", ExpectedVersion.exactly(version), batch);
                    version = result.newVersion();
                    StringJoiner ids = new StringJoiner(",", "ACK ", "");
                    batch.forEach(e -> ids.add(e.eventId().toString()));
                    synchronized (out) {
                        out.println(ids);
                        out.flush();
                    }
                }
            }, "appender-" + w);
            thread.start();
        }
        synchronized (out) {
            out.println("READY");
            out.flush();
        }
    }
}
