package io.nexus.testkit.contract;

import io.nexus.core.bus.BusConsumer;
import io.nexus.core.bus.BusPath;
import io.nexus.core.bus.EventBus;
import io.nexus.core.bus.RoutingRule;
import io.nexus.core.event.EventEnvelope;
import io.nexus.core.store.Subscription;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/** Proves the bus contract cannot be passed by doing nothing: every case fails, none is skipped. */
class EventBusContractMetaTest {

    /** A bus that accepts everything and delivers nothing. */
    static class DoNothingBusRun extends EventBusContract {
        @Override
        protected EventBus createBus(RoutingRule routing) {
            return new EventBus() {
                @Override
                public void publish(List<EventEnvelope> events) {
                }

                @Override
                public Subscription subscribe(String group, BusPath path, BusConsumer consumer) {
                    return () -> { };
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        protected Duration timeout() {
            return Duration.ofMillis(200);
        }
    }

    @Test
    void everyContractCaseFailsAgainstABusThatDoesNothing() {
        long cases = Arrays.stream(EventBusContract.class.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(Test.class)).map(Method::getName).count();
        LauncherDiscoveryRequest discovery = request().selectors(selectClass(DoNothingBusRun.class)).build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(discovery, listener);
        TestExecutionSummary summary = listener.getSummary();

        assertEquals(cases, summary.getTestsFoundCount(), "every contract case was discovered");
        assertEquals(0, summary.getTestsSkippedCount() + summary.getTestsAbortedCount(), "nothing skipped or aborted");
        assertEquals(cases, summary.getTestsFailedCount(), "every case failed; passing: "
                + (summary.getTestsSucceededCount()));
    }
}
