package io.nexus.saga;

/** Where a saga instance stands. */
public enum SagaState {
    /** Steps are being performed or awaited. */
    RUNNING,
    /** A step failed or timed out; the completed steps are being compensated in reverse order. */
    COMPENSATING,
    /** Every step succeeded. Terminal. */
    COMPLETED,
    /** Every completed step was compensated after a failure or timeout. Terminal. */
    COMPENSATED,
    /**
     * Parked with the cause until an operator fixes the problem and calls
     * {@link SagaCoordinator#resume(String)}: a compensation kept failing past its retry limit, or the
     * outcome of a step's command stayed unknown past its last re-send (a reply for that step, or its
     * timeout, still ends it).
     */
    NEEDS_ATTENTION;

    /** Whether nothing more happens to the saga by itself. */
    public boolean isTerminal() {
        return this == COMPLETED || this == COMPENSATED;
    }
}
