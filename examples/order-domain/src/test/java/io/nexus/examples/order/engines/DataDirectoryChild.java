package io.nexus.examples.order.engines;

import io.micrometer.observation.ObservationRegistry;
import io.nexus.core.event.EventPayload;
import io.nexus.core.event.NewEvent;
import io.nexus.core.store.ExpectedVersion;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The child JVM of {@link PostgresDataDirectoryTest}: starts the postgres profile's own server over the data directory
 * given as its argument, appends one event to stream {@code note-1}, prints {@code READY} and waits to be killed.
 */
public final class DataDirectoryChild {

    private DataDirectoryChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        PostgresAppEngines engines = PostgresAppEngines.onDataDirectory(Path.of(args[0]), ObservationRegistry.NOOP);
        engines.postgres().eventStore().append("note-1", "Note", ExpectedVersion.noStream(),
                List.of(NewEvent.of("Noted", 1, EventPayload.ofJson("{\"text\":\"before the kill\"}"))));
        System.out.println("READY");
        new CountDownLatch(1).await();
    }
}
