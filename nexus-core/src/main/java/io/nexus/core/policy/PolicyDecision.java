package io.nexus.core.policy;

import org.jspecify.annotations.Nullable;
import java.util.List;
import java.util.Objects;

/**
 * A policy's answer, the output document of a decision: allowed or denied, why, and which rule decided.
 * Its JSON form ({@link PolicyDocuments#toJson(PolicyDecision)}, also what an OPA policy may return) is
 * specified in {@code docs/governance.md}.
 *
 * @param allowed whether the action may go ahead
 * @param reasons why, in words a user can act on (what was refused, the limit, what to do); at least one for a
 *                denial, possibly none for an allowance. Never {@code null}
 * @param rule    the name of the rule that decided (the first that denied; for an allowance the composite's name,
 *                or {@code null} when the engine names none)
 */
public record PolicyDecision(boolean allowed, List<String> reasons, @Nullable String rule) {

    private static final PolicyDecision ALLOW = new PolicyDecision(true, List.of(), null);

    public PolicyDecision {
        reasons = reasons == null ? List.of() : List.copyOf(reasons);
        if (!allowed && (reasons.isEmpty() || reasons.stream().anyMatch(r -> r == null || r.isBlank()))) {
            throw new IllegalArgumentException("a denial needs at least one non-blank reason, but had " + reasons);
        }
    }

    /** The first form of this record: one reason (ignored when allowed), no rule. */
    public PolicyDecision(boolean allowed, @Nullable String reason) {
        this(allowed, allowed || reason == null ? List.of() : List.of(reason), null);
    }

    /** Allows, naming no rule. */
    public static PolicyDecision allow() {
        return ALLOW;
    }

    /** Allows, naming the rule (or composite) that decided. */
    public static PolicyDecision allow(String rule) {
        return new PolicyDecision(true, List.of(), rule);
    }

    /** Denies for {@code reason}, naming no rule. */
    public static PolicyDecision deny(String reason) {
        return new PolicyDecision(false, List.of(Objects.requireNonNull(reason, "reason")), null);
    }

    /** Denies by {@code rule} for {@code reasons}. */
    public static PolicyDecision deny(String rule, List<String> reasons) {
        return new PolicyDecision(false, reasons, Objects.requireNonNull(rule, "rule"));
    }

    /** This decision, naming {@code name} as its rule when it names none. */
    public PolicyDecision byRule(String name) {
        return rule != null ? this : new PolicyDecision(allowed, reasons, name);
    }

    /** The reasons joined with {@code "; "}; {@code "allowed"} for an allowance without reasons. */
    public String reason() {
        return reasons.isEmpty() ? (allowed ? "allowed" : "") : String.join("; ", reasons);
    }
}
