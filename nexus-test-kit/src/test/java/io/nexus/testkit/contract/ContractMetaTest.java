package io.nexus.testkit.contract;

import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.EngineFilter;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Proves the contract suites can fail: each runs against a store that does nothing, and every one of
 * its cases must fail on an assertion (not be skipped or aborted, not pass, not crash on something
 * else), and the suite must hold at least the number of cases it is known to have, so a case that
 * silently disappears is noticed too.
 */
class ContractMetaTest {

    /** Cases in {@link EventStoreContract}; raise it when cases are added. */
    private static final int EVENT_STORE_CASES = 46;

    /** Cases in {@link SnapshotStoreContract}; raise it when cases are added. */
    private static final int SNAPSHOT_STORE_CASES = 11;

    @Test
    void everyEventStoreCaseFailsAgainstADoNothingStore() {
        assertEveryCaseFails(DoNothingEventStoreSuite.class, EVENT_STORE_CASES);
    }

    @Test
    void everySnapshotStoreCaseFailsAgainstADoNothingStore() {
        assertEveryCaseFails(DoNothingSnapshotStoreSuite.class, SNAPSHOT_STORE_CASES);
    }

    private static void assertEveryCaseFails(Class<?> suite, int minimumCases) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(suite))
                .filters(EngineFilter.includeEngines("junit-jupiter"))
                .build();
        Outcomes outcomes = new Outcomes();
        LauncherFactory.create().execute(request, outcomes);

        List<String> problems = new ArrayList<>();
        outcomes.skipped.forEach((name, reason) -> problems.add("skipped: " + name + " (" + reason + ")"));
        outcomes.containers.forEach((name, result) -> {
            if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                problems.add("container " + result.getStatus() + ": " + name + " " + result.getThrowable().orElse(null));
            }
        });
        outcomes.tests.forEach((name, result) -> {
            Throwable thrown = result.getThrowable().orElse(null);
            if (result.getStatus() != TestExecutionResult.Status.FAILED) {
                problems.add(result.getStatus() + " against a do-nothing store: " + name);
            } else if (!(thrown instanceof AssertionError)) {
                problems.add("failed without an assertion (" + thrown + "): " + name);
            }
        });
        assertEquals(List.of(), problems, suite.getSimpleName() + ": every case must fail on an assertion");
        assertTrue(outcomes.tests.size() >= minimumCases, suite.getSimpleName() + " ran " + outcomes.tests.size()
                + " cases but holds at least " + minimumCases);
    }

    /** What the inner launcher reported, keyed by display path. */
    private static final class Outcomes implements TestExecutionListener {
        final Map<String, TestExecutionResult> tests = new LinkedHashMap<>();
        final Map<String, TestExecutionResult> containers = new LinkedHashMap<>();
        final Map<String, String> skipped = new LinkedHashMap<>();

        @Override
        public synchronized void executionFinished(TestIdentifier id, TestExecutionResult result) {
            (id.isTest() ? tests : containers).put(id.getUniqueId(), result);
        }

        @Override
        public synchronized void executionSkipped(TestIdentifier id, String reason) {
            skipped.put(id.getUniqueId(), reason);
        }
    }
}
