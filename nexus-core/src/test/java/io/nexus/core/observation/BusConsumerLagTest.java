package io.nexus.core.observation;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nexus.core.Awaiting;
import io.nexus.core.Nexus;
import io.nexus.core.bus.BusPath;
import io.nexus.core.bus.InMemoryEventBus;
import io.nexus.core.testdomain.Account;
import io.nexus.core.testdomain.Accounts;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code nexus.bus.consumer.lag.events} on the embedded bus: exactly the events published to a group and not yet handled. */
class BusConsumerLagTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aGroupHeldBackReportsEveryEventItHasNotHandledAndNoneOnceItDrains() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger entered = new AtomicInteger();
        AtomicInteger handled = new AtomicInteger();
        try (Nexus nexus = Accounts.nexus().meterRegistry(meters)
                .eventBus(context -> InMemoryEventBus.builder().checkpoints(context.checkpoints()).build(),
                        consumers -> consumers.consumer("billing", BusPath.PRIMARY, event -> {
                            entered.incrementAndGet();
                            // Every partition's reader holds its first event here, so none is handled until released.
                            assertTrue(release.await(WAIT.toSeconds(), TimeUnit.SECONDS), "released");
                            handled.incrementAndGet();
                        }))
                .build()) {
            nexus.start();
            for (int i = 1; i <= 5; i++) {
                nexus.commands().send(new Account.Open("acc-" + i, "owner-" + i));
            }
            nexus.commands().send(new Account.Deposit("acc-1", 10));
            nexus.commands().send(new Account.Deposit("acc-2", 20));
            Gauge lag = meters.get(NexusMeters.BUS_CONSUMER_LAG_EVENTS).tag("group", "billing").gauge();
            assertEquals("events", lag.getId().getBaseUnit());

            Awaiting.until("the group is held back with all 7 events published to it", WAIT, () -> lag.value() == 7 && entered.get() > 0);
            assertEquals(0, handled.get(), "nothing was handled meanwhile, so the 7 are exact");

            release.countDown();
            Awaiting.until("the group drains", WAIT, () -> handled.get() == 7 && lag.value() == 0);
        }
        assertTrue(meters.find(NexusMeters.BUS_CONSUMER_LAG_EVENTS).gauges().isEmpty(), "the gauge goes with the group");
    }

}
