package io.nexus.examples.order.governance;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.nexus.testkit.governance.GovernanceRules;

// tag::rules[]
@AnalyzeClasses(packages = "io.nexus.examples.order", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    @ArchTest static final ArchRule noBlockingCalls = GovernanceRules.NO_SYNCHRONOUS_CLIENTS_IN_HANDLERS;
    @ArchTest static final ArchRule contexts = GovernanceRules.boundedContextsShareOnlyEventTypes(
            "io.nexus.examples.order.domain", "io.nexus.examples.order.fulfilment");
    @ArchTest static final ArchRule aggregates = GovernanceRules.AGGREGATES_USE_NO_INFRASTRUCTURE;
    @ArchTest static final ArchRule events = GovernanceRules.EVENTS_ARE_IMMUTABLE;
}
// end::rules[]
