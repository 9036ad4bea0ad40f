package io.nexus.core.policy;

/**
 * A policy's answer.
 *
 * @param allowed whether the action may go ahead
 * @param reason  why, in words a user can act on; required for a denial
 */
public record PolicyDecision(boolean allowed, String reason) {

    private static final PolicyDecision ALLOW = new PolicyDecision(true, "allowed");

    public PolicyDecision {
        if (!allowed && (reason == null || reason.isBlank())) {
            throw new IllegalArgumentException("a denial needs a reason");
        }
    }

    public static PolicyDecision allow() {
        return ALLOW;
    }

    public static PolicyDecision deny(String reason) {
        return new PolicyDecision(false, reason);
    }
}
