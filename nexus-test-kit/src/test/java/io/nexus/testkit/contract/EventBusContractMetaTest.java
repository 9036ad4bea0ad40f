package io.nexus.testkit.contract;

import io.nexus.core.bus.BusConsumer;
import io.nexus.core.bus.BusPath;
import io.nexus.core.bus.ConsumerGroup;
import io.nexus.core.bus.ConsumerGroupHealth;
import io.nexus.core.bus.EventBus;
import io.nexus.core.deadletter.DeadLetter;
import io.nexus.core.deadletter.DeadLetterNotFoundException;
import io.nexus.core.event.EventEnvelope;
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
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/** Proves the bus contract cannot be passed by doing nothing: every case fails, none is skipped. */
class EventBusContractMetaTest {

    /** A bus that accepts everything and delivers nothing. */
    static class DoNothingBusRun extends EventBusContract {
        @Override
        protected EventBus createBus(Options options) {
            return new EventBus() {
                @Override
                public void publish(List<EventEnvelope> events) {
                }

                @Override
                public ConsumerGroup subscribe(String group, BusPath path, BusConsumer consumer) {
                    return new ConsumerGroup() {
                        @Override
                        public String group() {
                            return group;
                        }

                        @Override
                        public BusPath path() {
                            return path;
                        }

                        @Override
                        public String consumer() {
                            return group + "/" + path;
                        }

                        @Override
                        public ConsumerGroupHealth health() {
                            return new ConsumerGroupHealth(group, path, ConsumerGroupHealth.Status.RUNNING, 0, 0, 0, null);
                        }

                        @Override
                        public List<DeadLetter> deadLetters() {
                            return List.of();
                        }

                        @Override
                        public boolean retryDeadLetter(UUID id) {
                            throw new DeadLetterNotFoundException(id, consumer());
                        }

                        @Override
                        public void discardDeadLetter(UUID id) {
                            throw new DeadLetterNotFoundException(id, consumer());
                        }

                        @Override
                        public void close() {
                        }
                    };
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
