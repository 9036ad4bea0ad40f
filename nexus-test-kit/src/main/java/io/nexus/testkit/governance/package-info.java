/**
 * Build-time governance for Nexus applications, run from their tests: ArchUnit rules
 * ({@link io.nexus.testkit.governance.GovernanceRules}) and the check of the event schemas
 * ({@link io.nexus.testkit.governance.SchemaCheck}).
 */
@NullMarked
package io.nexus.testkit.governance;

import org.jspecify.annotations.NullMarked;
