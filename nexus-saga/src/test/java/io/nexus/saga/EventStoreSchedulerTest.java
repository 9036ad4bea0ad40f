package io.nexus.saga;

import io.nexus.core.event.NewEvent;
import io.nexus.core.scheduler.ScheduledTimer;
import io.nexus.core.serialization.EventSerializationException;
import io.nexus.core.store.ExpectedVersion;
import io.nexus.core.store.InMemoryEventStore;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventStoreSchedulerTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final InMemoryEventStore store = InMemoryEventStore.create();
    private final EventStoreScheduler scheduler = EventStoreScheduler.create(store);

    private static ScheduledTimer timer(String id, long seconds) {
        return new ScheduledTimer(id, "owner", T0.plusSeconds(seconds), "data-" + id);
    }

    @Test
    void dueTimersComeEarliestFirstAndStayPendingUntilCancelled() {
        scheduler.schedule(timer("b", 20));
        scheduler.schedule(timer("a", 20));
        scheduler.schedule(timer("c", 10));
        scheduler.schedule(timer("late", 99));

        assertEquals(List.of(), scheduler.due("owner", T0.plusSeconds(9), 10));
        assertEquals(List.of(timer("c", 10), timer("a", 20), timer("b", 20)), scheduler.due("owner", T0.plusSeconds(20), 10));
        assertEquals(List.of(timer("c", 10)), scheduler.due("owner", T0.plusSeconds(20), 1));

        scheduler.cancel("owner", "c");
        scheduler.cancel("owner", "c");
        scheduler.cancel("owner", "never-scheduled");
        assertEquals(List.of(timer("a", 20), timer("b", 20)), scheduler.due("owner", T0.plusSeconds(20), 10));
    }

    @Test
    void schedulingTheSameIdReplacesAndAnIdenticalTimerWritesNothing() {
        scheduler.schedule(timer("a", 10));
        long version = store.currentVersion(EventStoreScheduler.DEFAULT_STREAM);
        scheduler.schedule(timer("a", 10));
        assertEquals(version, store.currentVersion(EventStoreScheduler.DEFAULT_STREAM));

        scheduler.schedule(timer("a", 30));
        assertEquals(List.of(timer("a", 30)), scheduler.pending("owner"));
    }

    @Test
    void pendingTimersSurviveARestartAndInstancesOverOneStreamConverge() {
        scheduler.schedule(timer("a", 10));
        scheduler.schedule(timer("b", 20));
        scheduler.cancel("owner", "a");

        EventStoreScheduler restarted = EventStoreScheduler.create(store);
        assertEquals(List.of(timer("b", 20)), restarted.pending("owner"));

        restarted.schedule(timer("c", 5));
        assertEquals(List.of(timer("c", 5), timer("b", 20)), scheduler.pending("owner"));
    }

    @Test
    void ownersAreKeptApart() {
        scheduler.schedule(timer("a", 10));
        scheduler.schedule(new ScheduledTimer("a", "other", T0, ""));

        assertEquals(List.of(timer("a", 10)), scheduler.pending("owner"));
        assertEquals(1, scheduler.due("other", T0, 10).size());
        assertEquals(List.of(), scheduler.pending("nobody"));
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ScheduledTimer(" ", "owner", T0, ""));
        assertThrows(IllegalArgumentException.class, () -> new ScheduledTimer("a", "", T0, ""));
        assertThrows(IllegalArgumentException.class, () -> scheduler.due("owner", T0, -1));
        assertThrows(IllegalArgumentException.class, () -> EventStoreScheduler.create(store, " "));

        store.append("shared", "x", ExpectedVersion.any(), List.of(NewEvent.of("SomethingElse", 1,
                io.nexus.core.event.EventPayload.ofJson("{}"))));
        EventSerializationException e = assertThrows(EventSerializationException.class, () -> EventStoreScheduler.create(store, "shared"));
        assertTrue(e.getMessage().contains("Scheduler stream 'shared' version 1 holds 'SomethingElse'"), e.getMessage());
    }
}
