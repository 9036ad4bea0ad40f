package io.nexus.testkit.contract;

import io.nexus.core.schema.CompatibilityMode;
import io.nexus.core.schema.CompatibilityReport;
import io.nexus.core.schema.SchemaRegistry;
import io.nexus.core.schema.SchemaVersion;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** The contract has teeth: run against a registry that does nothing, every one of its tests fails and none is skipped. */
class SchemaRegistryContractMetaTest {

    @Test
    void everyContractTestFailsAgainstADoNothingRegistry() {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(DoNothingRegistryContract.class))
                .configurationParameter("junit.jupiter.conditions.deactivate", "")
                .build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(request, listener);
        TestExecutionSummary summary = listener.getSummary();

        assertTrue(summary.getTestsFoundCount() >= 19, "found " + summary.getTestsFoundCount());
        assertEquals(0, summary.getTestsSkippedCount());
        assertEquals(0, summary.getTestsAbortedCount());
        assertEquals(summary.getTestsFoundCount(), summary.getTestsFailedCount(),
                "tests that passed against a do-nothing registry: " + (summary.getTestsSucceededCount()));
    }

    /** Not named *Test: Surefire must not run it directly; the meta-test launches it. */
    static class DoNothingRegistryContract extends SchemaRegistryContract {
        @Override
        protected SchemaRegistry registry() {
            return new DoNothingRegistry();
        }
    }

    static final class DoNothingRegistry implements SchemaRegistry {
        @Override
        public String name() {
            return "nothing";
        }

        @Override
        public SchemaVersion register(String subject, String schema) {
            return null;
        }

        @Override
        public SchemaVersion version(String subject, int version) {
            return null;
        }

        @Override
        public SchemaVersion latest(String subject) {
            return null;
        }

        @Override
        public Optional<SchemaVersion> find(String subject, String schema) {
            return Optional.empty();
        }

        @Override
        public List<Integer> versions(String subject) {
            return List.of();
        }

        @Override
        public List<String> subjects() {
            return List.of();
        }

        @Override
        public CompatibilityReport check(String subject, String schema) {
            return null;
        }

        @Override
        public CompatibilityMode defaultCompatibility() {
            return null;
        }

        @Override
        public CompatibilityMode compatibility(String subject) {
            return null;
        }

        @Override
        public void setCompatibility(String subject, CompatibilityMode mode) {
        }
    }
}
