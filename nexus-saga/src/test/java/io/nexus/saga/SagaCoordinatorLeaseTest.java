package io.nexus.saga;

import io.nexus.core.Nexus;
import io.nexus.core.lease.InMemoryLeaseStore;
import io.nexus.saga.Task.Outcome;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two application instances on shared stores run one saga: the one holding its lease handles, the other stands by. */
class SagaCoordinatorLeaseTest {

    @Test
    void twoCoordinatorsOfOneSagaOnSharedStoresDoNotBothHandleAndTheSecondTakesOverWhenTheFirstCloses() throws Exception {
        InMemoryLeaseStore leases = new InMemoryLeaseStore();
        SagaHarness app = new SagaHarness(SagaHarness.definition(2), builder -> builder.leaseStore(leases).instanceId("instance-a"));
        try (Nexus other = Nexus.builder().eventStore(app.store).checkpointStore(app.nexus.checkpoints())
                .timers(app.nexus.timers()).leaseStore(leases).instanceId("instance-b").clock(app.clock)
                .eventTypes(Task.eventTypes()).build()) {
            SagaCoordinator<Task.Begin> first = app.coordinator();
            SagaCoordinator<Task.Begin> second = SagaCoordinator.builder(app.definition).from(other).commandBus(app.bus)
                    .compensationRetry(app.compensationRetry).commandRetry(app.commandRetry).randomSeed(7).build();
            try (second) {
                app.begin("w1", -1, Outcome.SUCCEED);
                assertTrue(first.poll() > 0, "the first to ask holds the saga's lease and handles");
                assertEquals(0, second.poll(), "the other stands by");
                assertEquals(SagaState.COMPLETED, first.status("w1").orElseThrow().state());
                assertEquals("instance-a", leases.current("saga/work").orElseThrow().owner());

                app.begin("w2", -1, Outcome.SUCCEED);
                assertEquals(0, second.poll(), "still standing by");
                assertTrue(first.poll() > 0);
                first.close();

                app.begin("w3", -1, Outcome.SUCCEED);
                assertTrue(second.poll() > 0, "took the released lease and goes on from the checkpoint");
                assertEquals("instance-b", leases.current("saga/work").orElseThrow().owner());
                for (String saga : new String[]{"w1", "w2", "w3"}) {
                    assertEquals(SagaState.COMPLETED, second.status(saga).orElseThrow().state(), saga);
                    for (int step = 0; step < 2; step++) {
                        assertEquals(1, app.count("test.Performed", saga, step), "each step performed once: " + saga + "/" + step);
                    }
                }
                assertEquals(6, app.bus.sends.get(), "one command per step, none sent twice");
            }
        }
    }
}
