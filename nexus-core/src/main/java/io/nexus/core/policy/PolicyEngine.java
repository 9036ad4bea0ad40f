package io.nexus.core.policy;

/**
 * Decides whether an action may go ahead; the authorization hook of the command path (every new event
 * is checked before append) and of guarded queries. Implementations are thread-safe and should answer
 * quickly; an engine that cannot decide throws, and the action is refused (fail closed).
 */
@FunctionalInterface
public interface PolicyEngine {

    /** The decision for {@code request}. */
    PolicyDecision evaluate(PolicyRequest request);

    /** Allows everything. */
    static PolicyEngine allowAll() {
        return request -> PolicyDecision.allow();
    }
}
