package io.nexus.core.policy;

import java.util.Objects;

/**
 * A named policy rule: a {@link PolicyEngine} whose name is reported as the deciding rule of its denials and
 * recorded in the audit log. Rules compose with {@link Policies#and(PolicyRule)}. Implementations are
 * thread-safe, never return {@code null}, and throw only when they cannot decide (the action is then refused).
 */
public interface PolicyRule extends PolicyEngine {

    /** A stable, non-blank name ({@code "append-only"}, {@code "tenant-isolation"}). */
    String name();

    /** The rule named {@code name} that decides with {@code engine}. */
    static PolicyRule of(String name, PolicyEngine engine) {
        Objects.requireNonNull(engine, "engine");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a rule needs a non-blank name, but was '" + name + "'");
        }
        return new PolicyRule() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public PolicyDecision evaluate(PolicyRequest request) {
                return engine.evaluate(request);
            }

            @Override
            public String toString() {
                return "rule '" + name + "'";
            }
        };
    }
}
