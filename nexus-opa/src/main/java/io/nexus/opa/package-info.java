/**
 * Policy rules written in Rego: {@link io.nexus.opa.OpaPolicyEngine} evaluates a compiled OPA policy
 * ({@link io.nexus.opa.OpaBundle}) as a Nexus policy rule.
 */
@NullMarked
package io.nexus.opa;

import org.jspecify.annotations.NullMarked;
