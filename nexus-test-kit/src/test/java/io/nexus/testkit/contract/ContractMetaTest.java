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
 * Proves the contract suites can fail.
 *
 * <p>Each suite runs against a store that does nothing: every one of its cases must fail on an
 * assertion (not be skipped or aborted, not pass, not crash on something else), and the suite must
 * hold at least the number of cases it is known to have, so a case that silently disappears is
 * noticed. Then each suite runs against stores with one realistic bug each, and the cases aimed at
 * that bug must fail.
 */
class ContractMetaTest {

    /** Cases in {@link EventStoreContract}; raise it when cases are added. */
    private static final int EVENT_STORE_CASES = 50;

    /** Cases in {@link SnapshotStoreContract}; raise it when cases are added. */
    private static final int SNAPSHOT_STORE_CASES = 11;

    /** Cases in {@link CheckpointStoreContract}; raise it when cases are added. */
    private static final int CHECKPOINT_STORE_CASES = 9;

    /** Cases in {@link DeadLetterQueueContract}; raise it when cases are added. */
    private static final int DEAD_LETTER_QUEUE_CASES = 14;

    /** Cases in {@link ReadModelStoreContract}; raise it when cases are added. */
    private static final int READ_MODEL_STORE_CASES = 14;

    /** Cases in {@link SchedulerContract}; raise it when cases are added. */
    private static final int SCHEDULER_CASES = 12;

    /** Cases in {@link AuditLogContract}; raise it when cases are added. */
    private static final int AUDIT_LOG_CASES = 7;

    /** Cases in {@link LeaseStoreContract}; raise it when cases are added. */
    private static final int LEASE_STORE_CASES = 11;

    @Test
    void everyEventStoreCaseFailsAgainstADoNothingStore() {
        assertEveryCaseFails(DoNothingEventStoreSuite.class, EVENT_STORE_CASES);
    }

    @Test
    void everySnapshotStoreCaseFailsAgainstADoNothingStore() {
        assertEveryCaseFails(DoNothingSnapshotStoreSuite.class, SNAPSHOT_STORE_CASES);
    }

    @Test
    void everyCheckpointStoreCaseFailsAgainstADoNothingStore() {
        assertEveryCaseFails(DoNothingPortSuites.CheckpointStoreSuite.class, CHECKPOINT_STORE_CASES);
    }

    @Test
    void everyDeadLetterQueueCaseFailsAgainstADoNothingQueue() {
        assertEveryCaseFails(DoNothingPortSuites.DeadLetterQueueSuite.class, DEAD_LETTER_QUEUE_CASES);
    }

    @Test
    void everyReadModelStoreCaseFailsAgainstADoNothingStore() {
        assertEveryCaseFails(DoNothingPortSuites.ReadModelStoreSuite.class, READ_MODEL_STORE_CASES);
    }

    @Test
    void everySchedulerCaseFailsAgainstADoNothingScheduler() {
        assertEveryCaseFails(DoNothingPortSuites.SchedulerSuite.class, SCHEDULER_CASES);
    }

    @Test
    void everyAuditLogCaseFailsAgainstADoNothingLog() {
        assertEveryCaseFails(DoNothingPortSuites.AuditLogSuite.class, AUDIT_LOG_CASES);
    }

    @Test
    void everyLeaseStoreCaseFailsAgainstADoNothingStore() {
        assertEveryCaseFails(DoNothingPortSuites.LeaseStoreSuite.class, LEASE_STORE_CASES);
    }

    @Test
    void durablePortCasesCatchRealisticBugs() {
        assertCasesFail(BrokenPortSuites.ConcatenatedCheckpointKeys.class, "namesNeverMix");
        assertCasesFail(BrokenPortSuites.DeadLettersInPutOrder.class, "listedOldestFirstPerConsumer");
        assertCasesFail(BrokenPortSuites.ParkingOverwrites.class, "parkingTwiceIsANoOp");
        assertCasesFail(BrokenPortSuites.UnparkExclusive.class, "unparkThroughVersion", "manyParkedEvents");
        assertCasesFail(BrokenPortSuites.ReadModelAcceptsEqualVersion.class, "olderOrEqualRefused");
        assertCasesFail(BrokenPortSuites.TimersDueStrictlyBeforeNow.class, "dueAtOrBeforeNowInOrder", "maxCount",
                "manyTimers");
        assertCasesFail(BrokenPortSuites.AuditOldestWindow.class, "recentIsBoundedNewestLast", "manyRecords");
        assertCasesFail(BrokenPortSuites.LeaseLastAskerWins.class, "aHeldLeaseIsRefused", "releaseFreesTheLease",
                "renewalsKeepTheToken", "anExpiredLeaseIsTakenOver", "exactlyOneWinnerOfAFreeLease",
                "exactlyOneWinnerOfAnExpiredLease");
    }

    @Test
    void eventStoreCasesCatchRealisticBugs() {
        assertCasesFail(BrokenEventStoreSuites.IgnoresExpectedVersion.class, "wrongExactVersion",
                "noStreamOnExistingStream", "exactVersionOnMissingStream", "appendAfterConflict",
                "exactlyOneWinnerPerExpectedVersion", "currentVersion", "headPosition", "expectedVersionAheadOfStream");
        assertCasesFail(BrokenEventStoreSuites.CheckThenAct.class, "exactlyOneWinnerPerExpectedVersion");
        assertCasesFail(BrokenEventStoreSuites.PartialBatch.class, "oversizedEventRejectsWholeBatch",
                "failedAppendsAreNotDelivered");
        assertCasesFail(BrokenEventStoreSuites.WritesPrefixOfLargeBatch.class, "batchSizeLimit");
        assertCasesFail(BrokenEventStoreSuites.NotIdempotent.class, "identicalBatchIsDuplicate",
                "identicalBatchWithAnyIsDuplicate", "earlierBatchIsDuplicateAfterLaterAppends");
        assertCasesFail(BrokenEventStoreSuites.NoSizeLimit.class, "eventTooLarge", "oversizedEventRejectsWholeBatch",
                "failedAppendsAreNotDelivered");
        assertCasesFail(BrokenEventStoreSuites.DropsMetadata.class, "storesEveryField");
        assertCasesFail(BrokenEventStoreSuites.IgnoresAsOf.class, "asOf");
        assertCasesFail(BrokenEventStoreSuites.IgnoresLimit.class, "limit");
        assertCasesFail(BrokenEventStoreSuites.ReadAllOffByOne.class, "readAllReturnsEverythingOnce",
                "pagingLosesNothing", "readAllFromPosition", "headPosition");
        assertCasesFail(BrokenEventStoreSuites.CloseIgnored.class, "closingStopsDelivery", "closingTwiceIsHarmless");
        assertCasesFail(BrokenEventStoreSuites.AheadIsAConflict.class, "exactVersionOnMissingStream",
                "expectedVersionAheadOfStream");
        assertCasesFail(BrokenEventStoreSuites.IdLookupAcrossStreams.class, "versionOfFindsStoredIds");
        assertCasesFail(BrokenEventStoreSuites.FindsOnlyInTheRead.class, "readAndFindAnswersLikeReadThenVersionOf");
    }

    @Test
    void snapshotStoreCasesCatchRealisticBugs() {
        assertCasesFail(BrokenSnapshotStoreSuites.LastWriteWins.class, "olderNeverReplacesNewer");
        assertCasesFail(BrokenSnapshotStoreSuites.DeleteIgnored.class, "deleteRemoves", "saveAfterDelete");
        assertCasesFail(BrokenSnapshotStoreSuites.NoSizeLimit.class, "oversizedStateChangesNothing",
                "oversizedStateOnNewStream");
        assertCasesFail(BrokenSnapshotStoreSuites.DropsStateSchemaVersion.class, "roundTrip", "binaryStateRoundTrips");
    }

    private static void assertEveryCaseFails(Class<?> suite, int minimumCases) {
        Outcomes outcomes = run(suite);
        List<String> problems = new ArrayList<>();
        outcomes.skipped.forEach((id, reason) -> problems.add("skipped: " + id + " (" + reason + ")"));
        outcomes.containers.forEach((id, result) -> {
            if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                problems.add("container " + result.getStatus() + ": " + id + " " + result.getThrowable().orElse(null));
            }
        });
        outcomes.tests.forEach((id, result) -> {
            if (!failedOnAssertion(result)) {
                problems.add(describe(result) + " against a do-nothing store: " + id);
            }
        });
        assertEquals(List.of(), problems, suite.getSimpleName() + ": every case must fail on an assertion");
        assertTrue(outcomes.tests.size() >= minimumCases, suite.getSimpleName() + " ran " + outcomes.tests.size()
                + " cases but holds at least " + minimumCases);
    }

    private static void assertCasesFail(Class<?> suite, String... methodNames) {
        Outcomes outcomes = run(suite);
        List<String> problems = new ArrayList<>();
        for (String method : methodNames) {
            List<Map.Entry<String, TestExecutionResult>> matches = outcomes.tests.entrySet().stream()
                    .filter(e -> e.getKey().contains("[method:" + method + "("))
                    .toList();
            if (matches.isEmpty()) {
                problems.add("no case named " + method);
            }
            for (Map.Entry<String, TestExecutionResult> match : matches) {
                if (!failedOnAssertion(match.getValue())) {
                    problems.add(describe(match.getValue()) + ": " + match.getKey());
                }
            }
        }
        assertEquals(List.of(), problems, suite.getName() + ": these cases must fail on an assertion");
    }

    private static boolean failedOnAssertion(TestExecutionResult result) {
        return result.getStatus() == TestExecutionResult.Status.FAILED
                && result.getThrowable().orElse(null) instanceof AssertionError;
    }

    private static String describe(TestExecutionResult result) {
        return result.getStatus() + result.getThrowable().map(t -> " with " + t).orElse("");
    }

    private static Outcomes run(Class<?> suite) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(suite))
                .filters(EngineFilter.includeEngines("junit-jupiter"))
                .build();
        Outcomes outcomes = new Outcomes();
        LauncherFactory.create().execute(request, outcomes);
        return outcomes;
    }

    /** What the inner launcher reported, keyed by unique id. */
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
