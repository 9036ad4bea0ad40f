package io.nexus.core.policy;

import io.nexus.core.NexusException;

/** A policy refused an action; nothing was changed. Permanent for the same principal and input. */
public class PolicyDeniedException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final PolicyRequest request;
    private final String reason;

    public PolicyDeniedException(PolicyRequest request, String reason) {
        super("Policy denied '" + request.action() + "' of " + (request.eventType() == null ? "" : "event '" + request.eventType() + "' on ")
                + "aggregate '" + request.aggregateId() + "' (" + request.aggregateType() + ") for principal " + request.principal()
                + ": " + reason + ". Ask for the permission the policy requires, or change the policy; nothing was appended.");
        this.request = request;
        this.reason = reason;
    }

    public PolicyRequest request() {
        return request;
    }

    public String reason() {
        return reason;
    }
}
